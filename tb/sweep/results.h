// The rows of a sweep, one per (workload, configuration), and their CSV and JSON
// files: written atomically (temporary file, then rename) and read back to resume.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tb/sweep/grid.h"
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

// What makes a sweep the sweep it is: its workloads, base settings and grid, and the
// rows the whole of it gives; a shard of it (mmvp sweep --shard K/N) adds K and N.
// Written into PREFIX.json so that `mmvp sweep merge` can tell parts of one sweep from
// parts of another.
struct SweepIdentity {
  std::vector<std::string> workloads;  // in order given
  std::string base;                    // base_key() of the base settings
  std::vector<GridAxis> axes;
  std::uint64_t total_rows = 0;    // workloads x valid configurations, of the whole sweep
  unsigned shard = 0, shards = 0;  // 1-based K of N; 0 of 0: the whole sweep

  // Everything but the shard number agrees; otherwise `why` says what differs.
  bool same_sweep(const SweepIdentity& other, std::string& why) const;
};

// Parses "K/N" with 1 <= K <= N <= 1000000 (a shard of a sweep); false otherwise.
bool parse_shard_text(const std::string& text, unsigned& k, unsigned& n);

// CSV with a header line: workload, base, config, one column per parameter named in
// any row's config (in order of first appearance), then engine, counts, ratios (miss
// rates; MPKI when instructions are known), reach, the RTL area (empty without one) and
// timing (empty when not timed).
std::string rows_to_csv(const std::vector<SweepRow>& rows);
// {"rows": [{"workload":..., "config":..., "params": {...}, "dtlb": {...}, ...}]}.
// With an identity, a "sweep" object before the rows: {"workloads": [...], "base": ...,
// "grid": [{"name":..., "values": [...]}], "total_rows": N, "shard": "K/N" (parts only)}.
std::string rows_to_json(const std::vector<SweepRow>& rows,
                         const SweepIdentity* identity = nullptr);
// Reads what rows_to_csv wrote; throws InputError ("ORIGIN:LINE: problem").
std::vector<SweepRow> rows_from_csv(const std::string& text, const std::string& origin);

// Writes PREFIX.csv and PREFIX.json, each atomically. Throws InputError on failure.
void write_results(const std::string& prefix, const std::vector<SweepRow>& rows,
                   const SweepIdentity* identity = nullptr);
// The "sweep" object of PREFIX.json; throws InputError if the file is missing, is not
// JSON, or has none (a sweep written before identities, or not a sweep).
SweepIdentity read_identity(const std::string& prefix);
// The rows of PREFIX.csv, or none if it does not exist.
std::vector<SweepRow> read_results(const std::string& prefix);

}  // namespace mmvp::sweep
