// The rows of a sweep, one per (workload, configuration), and their CSV and JSON
// files: written atomically (temporary file, then rename) and read back to resume.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tb/sweep/rtl_area.h"
#include "tb/sweep/tlb_hierarchy.h"

namespace mmvp::sweep {

struct SweepRow {
  std::string workload;  // trace path or scenario
  std::string base;      // the settings every point shares (--preset, --config, --set)
  std::string config;    // the point: ConfigPoint::key()
  std::string engine;    // "one-pass", "per-config" or "platform" (a full `mmvp trace`)
  std::uint64_t records = 0, instructions = 0;
  TlbCounts counts;
  std::uint64_t dtlb_reach_kib = 0, stlb_reach_kib = 0;  // of the 4 KB arrays
  std::optional<AreaFigure> rtl_area;                    // of the --area-array (mmvp sweep --area)
  // Timing, from a platform run only.
  bool timed = false;
  double avg_translation_cycles = 0;
  std::uint64_t translation_cycles = 0, walk_cycles = 0, cycles = 0;
  std::uint64_t l1d_misses = 0, l2_misses = 0, llc_misses = 0;  // 0 where a level is absent
  // Context switches that flushed the TLB, and those that kept it (PCID).
  std::uint64_t switch_flushes = 0, switch_flushes_avoided = 0;

  // Identifies the row for resuming.
  std::string key() const { return workload + '\x1f' + base + '\x1f' + config; }
};

// CSV with a header line: workload, base, config, one column per parameter named in
// any row's config (in order of first appearance), then engine, counts, ratios (miss
// rates; MPKI when instructions are known), reach, the RTL area (empty without one) and
// timing (empty when not timed).
std::string rows_to_csv(const std::vector<SweepRow>& rows);
// {"rows": [{"workload":..., "config":..., "params": {...}, "dtlb": {...}, ...}]}.
std::string rows_to_json(const std::vector<SweepRow>& rows);
// Reads what rows_to_csv wrote; throws InputError ("ORIGIN:LINE: problem").
std::vector<SweepRow> rows_from_csv(const std::string& text, const std::string& origin);

// Writes PREFIX.csv and PREFIX.json, each atomically. Throws InputError on failure.
void write_results(const std::string& prefix, const std::vector<SweepRow>& rows);
// The rows of PREFIX.csv, or none if it does not exist.
std::vector<SweepRow> read_results(const std::string& prefix);

}  // namespace mmvp::sweep
