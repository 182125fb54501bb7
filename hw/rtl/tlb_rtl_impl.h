// The RTL TLB as an implementation of a TlbArray (TlbArrayConfig::impl == "rtl"):
// register_rtl_tlb_impl() makes `mmu.<level>.<array>.impl = rtl` build a TlbRtlArray,
// clocked by the core's clock, wherever the C++ model would have run (docs/rtl.md).
#pragma once

namespace mmvp::rtl {

// Registers "rtl" with register_tlb_array_impl (hw/mmu/tlb.h). Call once, before any
// platform is elaborated (it also turns on Verilator's tracing, which must precede the
// construction of a traced model).
void register_rtl_tlb_impl();

}  // namespace mmvp::rtl
