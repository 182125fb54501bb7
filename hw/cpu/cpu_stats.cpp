#include "hw/cpu/cpu_stats.h"

namespace mmvp {

void report_cpu_stats(const CpuStats& s, std::uint64_t cycles, Picos cycle, StatsReport& r,
                      const std::string& prefix) {
  r.add(prefix + ".loads", s.loads, "data loads issued by software");
  r.add(prefix + ".stores", s.stores, "data stores issued by software");
  r.add(prefix + ".fetches", s.fetches, "instruction fetches issued by software");
  r.add(prefix + ".page_splits", s.page_splits,
        "accesses straddling a 4 KB page (translated twice)");
  r.add(prefix + ".page_faults", s.page_faults, "#PF delivered");
  r.add(prefix + ".gp_faults", s.gp_faults, "#GP delivered (non-canonical addresses)");
  r.add(prefix + ".machine_checks", s.machine_checks, "accesses with no memory behind them");
  r.add(prefix + ".irqs", s.irqs, "interrupts delivered");
  r.add(prefix + ".syscalls", s.syscalls, "SYSCALL instructions (system calls entered)");
  r.add(prefix + ".cr3_writes", s.cr3_writes, "MOV to CR3 (address-space switches)");
  r.add(prefix + ".io_accesses", s.io_accesses, "IN/OUT instructions");
  r.add(prefix + ".dmi_accesses", s.dmi_accesses, "data accesses through DMI pointers (fast mode)");
  r.add(prefix + ".bus_accesses", s.bus_accesses, "data accesses by b_transport");
  r.add(prefix + ".string_ops", s.string_ops,
        "REP STOS and REP MOVS instructions (the kernel's memset, memcpy, clear_page)");
  r.add(prefix + ".string_bytes", s.string_bytes,
        "bytes they stored (their elements count in cpu.stores, MOVS's in cpu.loads too)");
  r.add(prefix + ".syncs", s.syncs, "synchronisations with the SystemC kernel");
  r.add(prefix + ".charged_cycles", s.charged_cycles, "cycles charged for non-memory work");
  r.add(prefix + ".cycles", cycles, "simulated core cycles (since the last statistics reset)");
  r.add(prefix + ".instructions", s.instructions, "instructions retired (trace I records)");
  r.add_ratio(prefix + ".cpi", static_cast<double>(cycles), static_cast<double>(s.instructions),
              "cycles per retired instruction (0 without instruction records)");
  r.add(prefix + ".memory_stall_cycles", s.memory_stall_picos / cycle,
        "cycles the core waited for memory beyond what its pipeline hides (L1 hits)");
  r.add(prefix + ".translation_cycles", s.translation_picos / cycle,
        "cycles of address translation beyond an L1 TLB hit (STLB hits, page walks)");
}

}  // namespace mmvp
