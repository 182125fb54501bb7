#include "hw/cpu/cpu_stats.h"

namespace mmvp {

void report_cpu_stats(const CpuStats& s, std::uint64_t cycles, StatsReport& r,
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
  r.add(prefix + ".cr3_writes", s.cr3_writes, "MOV to CR3 (address-space switches)");
  r.add(prefix + ".io_accesses", s.io_accesses, "IN/OUT instructions");
  r.add(prefix + ".dmi_accesses", s.dmi_accesses, "data accesses through DMI pointers (fast mode)");
  r.add(prefix + ".bus_accesses", s.bus_accesses, "data accesses by b_transport");
  r.add(prefix + ".syncs", s.syncs, "synchronisations with the SystemC kernel");
  r.add(prefix + ".charged_cycles", s.charged_cycles, "cycles charged for non-memory work");
  r.add(prefix + ".cycles", cycles, "simulated core cycles (since the last statistics reset)");
}

}  // namespace mmvp
