// The core's counters and their report (pure C++).
#pragma once
#include <cstdint>
#include <string>

#include "hw/common/stats.h"
#include "hw/common/types.h"

namespace mmvp {

struct CpuStats {
  std::uint64_t loads = 0, stores = 0, fetches = 0;  // accesses after page splitting
  std::uint64_t page_splits = 0;                     // accesses straddling a 4 KB page
  std::uint64_t page_faults = 0, gp_faults = 0, machine_checks = 0;
  std::uint64_t irqs = 0;
  std::uint64_t syscalls = 0;
  std::uint64_t cr3_writes = 0;
  std::uint64_t io_accesses = 0;
  std::uint64_t dmi_accesses = 0, bus_accesses = 0;
  std::uint64_t syncs = 0;
  std::uint64_t charged_cycles = 0;
  std::uint64_t instructions = 0;                  // retired (trace I records)
  std::uint64_t string_ops = 0, string_bytes = 0;  // REP STOS / REP MOVS and what they moved
  std::uint64_t memory_stall_picos = 0;            // accesses beyond what the pipeline hides
  std::uint64_t translation_picos = 0;             // STLB hits and page walks
};

// Adds the counters under prefix, with `cycles` the core cycles since the last reset
// and `cycle` the clock period.
void report_cpu_stats(const CpuStats& s, std::uint64_t cycles, Picos cycle, StatsReport& r,
                      const std::string& prefix);

}  // namespace mmvp
