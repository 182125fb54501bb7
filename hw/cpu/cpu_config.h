// The core's configuration and its cpu.* / sim.* parameters. Pure C++: the parameter
// declarations are the one place a default is written; CpuConfig::defaults() reads
// them back.
#pragma once
#include <cstdint>

#include "hw/common/params.h"
#include "hw/common/types.h"

namespace mmvp {

// What the architectural rules depend on (X86Arch).
struct X86ArchConfig {
  unsigned maxphyaddr = 0;          // mem.maxphyaddr
  bool la57_supported = false;      // cpu.la57: CPUID reports 5-level paging
  bool pcid_supported = true;       // cpu.pcid: CPUID reports PCID and INVPCID
  std::uint32_t base_mhz = 0;       // cpu.freq_mhz: CPUID.16H's base frequency
  unsigned max_fault_retries = 16;  // the same access faulting more often halts the core
  unsigned max_nesting = 8;         // handlers nested deeper halt the core
};

struct CpuConfig {
  Picos cycle = 0;                   // clock period (core_cycle_picos of cpu.freq_mhz)
  Picos quantum = 0;                 // temporal-decoupling quantum (sim.quantum_ns); 0 = lock-step
  Picos instruction_time = 0;        // cpu.base_cpi cycles: what a retired instruction costs
  std::uint64_t syscall_cycles = 0;  // cpu.syscall_cycles: SYSCALL entry and SYSRET
  std::uint64_t string_startup_cycles = 0;  // cpu.string_startup_cycles: REP STOS/MOVS
  unsigned string_bytes_per_cycle = 0;      // cpu.string_bytes_per_cycle
  X86ArchConfig arch;

  static CpuConfig from_params(const Params& p);
  static CpuConfig defaults();  // from_params of the declared defaults
};

// The core's clock period in picoseconds, rounded to the nearest: the one derivation
// every block on the core's clock (core, MMU, TLB arrays) uses.
Picos core_cycle_picos(const Params& p);

// Declares cpu.freq_mhz, cpu.la57, cpu.base_cpi, cpu.syscall_cycles and sim.quantum_ns.
void declare_cpu_params(Params& p);

}  // namespace mmvp
