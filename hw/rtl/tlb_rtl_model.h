// The verilated TLB (tlb.sv) behind a type-erased handle: one verilated class per
// parameter set (hw/rtl/CMakeLists.txt), all with the same ports, all bound to one
// bundle of SystemC signals the wrapper drives. Included by the generated variant
// table and by the wrapper; the verilated headers are included only by the table.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "hw/mmu/tlb.h"

class VerilatedVcdC;

namespace mmvp::rtl {

// Every port of tlb.sv as a signal (Verilator maps 1 bit to bool, 2..32 bits to
// uint32_t, 33..64 bits to uint64_t).
struct TlbRtlSignals {
  template <class T>
  using sig = sc_core::sc_signal<T>;
  explicit TlbRtlSignals(const std::string& n)
      : clk((n + "_clk").c_str()),
        rst_n((n + "_rst_n").c_str(), false),
        lookup_valid((n + "_lookup_valid").c_str()),
        lookup_ready((n + "_lookup_ready").c_str()),
        lookup_vpn((n + "_lookup_vpn").c_str()),
        lookup_size((n + "_lookup_size").c_str()),
        resp_valid((n + "_resp_valid").c_str()),
        resp_hit((n + "_resp_hit").c_str()),
        resp_pfn((n + "_resp_pfn").c_str()),
        resp_flags((n + "_resp_flags").c_str()),
        fill_valid((n + "_fill_valid").c_str()),
        fill_ready((n + "_fill_ready").c_str()),
        fill_vpn((n + "_fill_vpn").c_str()),
        fill_size((n + "_fill_size").c_str()),
        fill_pfn((n + "_fill_pfn").c_str()),
        fill_flags((n + "_fill_flags").c_str()),
        victim_valid((n + "_victim_valid").c_str()),
        victim_vpn((n + "_victim_vpn").c_str()),
        victim_size((n + "_victim_size").c_str()),
        victim_pfn((n + "_victim_pfn").c_str()),
        victim_flags((n + "_victim_flags").c_str()),
        invalidate_valid((n + "_invalidate_valid").c_str()),
        invalidate_addr((n + "_invalidate_addr").c_str()),
        flush_valid((n + "_flush_valid").c_str()),
        flush_keep_global((n + "_flush_keep_global").c_str()),
        dbg_set((n + "_dbg_set").c_str()),
        dbg_way((n + "_dbg_way").c_str()),
        dbg_valid((n + "_dbg_valid").c_str()),
        dbg_vpn((n + "_dbg_vpn").c_str()),
        dbg_size((n + "_dbg_size").c_str()),
        dbg_pfn((n + "_dbg_pfn").c_str()),
        dbg_flags((n + "_dbg_flags").c_str()),
        dbg_dropped((n + "_dbg_dropped").c_str()) {}

  sig<bool> clk, rst_n;
  sig<bool> lookup_valid, lookup_ready;
  sig<std::uint64_t> lookup_vpn;
  sig<std::uint32_t> lookup_size;
  sig<bool> resp_valid, resp_hit;
  sig<std::uint64_t> resp_pfn;
  sig<std::uint32_t> resp_flags;
  sig<bool> fill_valid, fill_ready;
  sig<std::uint64_t> fill_vpn;
  sig<std::uint32_t> fill_size;
  sig<std::uint64_t> fill_pfn;
  sig<std::uint32_t> fill_flags;
  sig<bool> victim_valid;
  sig<std::uint64_t> victim_vpn;
  sig<std::uint32_t> victim_size;
  sig<std::uint64_t> victim_pfn;
  sig<std::uint32_t> victim_flags;
  sig<bool> invalidate_valid;
  sig<std::uint64_t> invalidate_addr;
  sig<bool> flush_valid, flush_keep_global;
  sig<std::uint32_t> dbg_set, dbg_way;
  sig<bool> dbg_valid;
  sig<std::uint64_t> dbg_vpn;
  sig<std::uint32_t> dbg_size;
  sig<std::uint64_t> dbg_pfn;
  sig<std::uint32_t> dbg_flags, dbg_dropped;

  // Adds every signal to a SystemC trace file (the "SystemC probe" view).
  void trace(sc_core::sc_trace_file* tf) const;
};

// A verilated TLB instance bound to a signal bundle.
class TlbRtlModel {
 public:
  virtual ~TlbRtlModel() = default;
  // Adds the RTL's internal signals to a Verilator VCD (a VerilatedVcdSc, or a
  // VerilatedVcdC dumped by hand; call after elaboration).
  virtual void trace(VerilatedVcdC* vcd, int levels) = 0;
};

template <class V>
class TlbRtlModelOf final : public TlbRtlModel {
 public:
  TlbRtlModelOf(const char* name, TlbRtlSignals& s) : v_(name) {
    v_.clk(s.clk);
    v_.rst_n(s.rst_n);
    v_.lookup_valid(s.lookup_valid);
    v_.lookup_ready(s.lookup_ready);
    v_.lookup_vpn(s.lookup_vpn);
    v_.lookup_size(s.lookup_size);
    v_.resp_valid(s.resp_valid);
    v_.resp_hit(s.resp_hit);
    v_.resp_pfn(s.resp_pfn);
    v_.resp_flags(s.resp_flags);
    v_.fill_valid(s.fill_valid);
    v_.fill_ready(s.fill_ready);
    v_.fill_vpn(s.fill_vpn);
    v_.fill_size(s.fill_size);
    v_.fill_pfn(s.fill_pfn);
    v_.fill_flags(s.fill_flags);
    v_.victim_valid(s.victim_valid);
    v_.victim_vpn(s.victim_vpn);
    v_.victim_size(s.victim_size);
    v_.victim_pfn(s.victim_pfn);
    v_.victim_flags(s.victim_flags);
    v_.invalidate_valid(s.invalidate_valid);
    v_.invalidate_addr(s.invalidate_addr);
    v_.flush_valid(s.flush_valid);
    v_.flush_keep_global(s.flush_keep_global);
    v_.dbg_set(s.dbg_set);
    v_.dbg_way(s.dbg_way);
    v_.dbg_valid(s.dbg_valid);
    v_.dbg_vpn(s.dbg_vpn);
    v_.dbg_size(s.dbg_size);
    v_.dbg_pfn(s.dbg_pfn);
    v_.dbg_flags(s.dbg_flags);
    v_.dbg_dropped(s.dbg_dropped);
  }
  void trace(VerilatedVcdC* vcd, int levels) override;

 private:
  V v_;
};

template <class V>
std::unique_ptr<TlbRtlModel> make_tlb_model(const char* name, TlbRtlSignals& s) {
  return std::make_unique<TlbRtlModelOf<V>>(name, s);
}

// One verilated parameter set.
struct TlbRtlVariant {
  unsigned entries, ways;
  Replacement policy;
  std::uint8_t sizes;
  const char* prefix;  // the verilated class
  std::unique_ptr<TlbRtlModel> (*make)(const char* name, TlbRtlSignals& s);
};

// Every verilated variant (generated from MMVP_RTL_TLB_VARIANTS).
const std::vector<TlbRtlVariant>& tlb_rtl_variants();

}  // namespace mmvp::rtl

// Defined here so only translation units that include verilated headers instantiate it.
#if defined(VM_TRACE) && VM_TRACE
#include <verilated_vcd_c.h>
template <class V>
void mmvp::rtl::TlbRtlModelOf<V>::trace(VerilatedVcdC* vcd, int levels) {
  v_.trace(vcd, levels);
}
#endif
