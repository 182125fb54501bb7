// Optional implementations compiled into this build, made selectable by parameter.
#pragma once

namespace mmvp::cli {

// Registers every optional implementation this build has: the verilated RTL TLB
// ("rtl" for mmu.<level>.<array>.impl) when built with MMVP_BUILD_RTL. Call at the
// start of sc_main, before any platform is elaborated; idempotent.
void register_builtin_impls();

}  // namespace mmvp::cli
