// The cpu.* and sim.* parameters and CpuConfig::from_params.
#include "hw/cpu/cpu_config.h"
#include "hw/platform/platform_params.h"

namespace mmvp {

void declare_cpu_params(Params& p) {
  p.declare({"cpu.freq_mhz", ParamType::integer, "4000",
             "core clock in MHz (4000: the i7-6700 Skylake at its turbo clock, as 7-cpu.com "
             "measured it)",
             100, 10000});
  p.declare({"cpu.la57", ParamType::boolean, "false",
             "CPUID reports 5-level paging: software may set CR4.LA57"});
  p.declare({"cpu.pcid", ParamType::boolean, "true",
             "CPUID reports PCID and INVPCID (Skylake does): software may set CR4.PCIDE"});
  p.declare({"cpu.base_cpi", ParamType::real, "0.5",
             "cycles of every retired instruction (a trace's I record) besides its memory "
             "stalls: the CPI of cache-resident code (a 4-wide core at an IPC of 2)",
             0, 1000});
  p.declare({"cpu.syscall_cycles", ParamType::integer, "100",
             "cycles of a SYSCALL's entry and SYSRET with the kernel's entry stub, besides the "
             "work of the call (about 25 ns at 4 GHz: a null system call on Skylake without "
             "KPTI; approximate)",
             0, 100000});
  p.declare({"cpu.string_startup_cycles", ParamType::integer, "35",
             "start-up of a REP STOS or REP MOVS (fast strings, ERMSB) before its first "
             "line: Intel's optimization manual gives about 35 cycles for Skylake's "
             "microcoded string operations (approximate)",
             0, 10000});
  p.declare({"cpu.string_bytes_per_cycle", ParamType::integer, "32",
             "throughput of a REP STOS or REP MOVS in lines the first level holds: one "
             "32-byte store per cycle on Skylake (approximate)",
             1, 64});
  p.declare({"sim.quantum_ns", ParamType::integer, "10000",
             "temporal-decoupling quantum in ns; 0 = lock-step (every access synchronises, "
             "no DMI)",
             0, 1000000000});
}

Picos core_cycle_picos(const Params& p) {
  const std::uint64_t mhz = p.u64("cpu.freq_mhz");  // declared 100..10000: never 0
  return (1000000 + mhz / 2) / mhz;
}

CpuConfig CpuConfig::from_params(const Params& p) {
  CpuConfig c;
  c.cycle = core_cycle_picos(p);
  c.quantum = p.u64("sim.quantum_ns") * 1000;
  c.instruction_time =
      static_cast<Picos>(p.real("cpu.base_cpi") * static_cast<double>(c.cycle) + 0.5);
  c.syscall_cycles = p.u64("cpu.syscall_cycles");
  c.string_startup_cycles = p.u64("cpu.string_startup_cycles");
  c.string_bytes_per_cycle = static_cast<unsigned>(p.u64("cpu.string_bytes_per_cycle"));
  c.arch.maxphyaddr = static_cast<unsigned>(p.u64("mem.maxphyaddr"));
  c.arch.la57_supported = p.flag("cpu.la57");
  c.arch.pcid_supported = p.flag("cpu.pcid");
  c.arch.base_mhz = static_cast<std::uint32_t>(p.u64("cpu.freq_mhz"));
  return c;
}

CpuConfig CpuConfig::defaults() {
  return from_params(platform_defaults());
}

}  // namespace mmvp
