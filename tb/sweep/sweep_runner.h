// Running a sweep: every (workload, configuration) of a grid, by the fastest engine
// that gives exact figures, in parallel, written after every finished task and
// resumable.
//
// Engines, per configuration point:
//   - one-pass: trace.populate = true and LRU in the 4 KB array of every TLB level:
//     all such points of a workload in one pass over it (OnePassHierarchy);
//   - per-config: trace.populate = true with another replacement policy: the
//     platform's Tlb classes, one simulation per point, many points per pass;
//   - platform: a full `mmvp trace` child process, for every point when timing is
//     asked (translation and simulated cycles), and for points the fast engines do
//     not model (trace.populate = false).
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "tb/sweep/grid.h"
#include "tb/sweep/progress.h"
#include "tb/sweep/results.h"
#include "tb/sweep/workload_stream.h"

namespace mmvp::sweep {

struct SweepSettings {
  std::vector<WorkloadSpec> workloads;
  std::vector<GridAxis> axes;
  Params base;                         // every parameter declared; preset/config/set applied
  std::vector<std::string> base_args;  // the same settings as `mmvp trace` arguments
  std::string out_prefix;              // "": no files, the CSV goes to the caller
  bool timing = false;                 // every point by a platform run
  unsigned jobs = 0;                   // parallel tasks; 0: every core
  std::string mmvp_path;               // the mmvp executable, for platform runs
  ProgressStyle progress = ProgressStyle::quiet;
  std::optional<RtlAreaTable> area;  // every row gets the area of its array's geometry
  // --shard K/N: run only the K-th (1-based) of N contiguous blocks of the sweep's
  // (workload, configuration) rows, in workload-major order; 0 of 0: all of them.
  unsigned shard = 0, shards = 0;
};

struct SweepSummary {
  std::size_t points = 0;      // valid configuration points (per workload)
  std::size_t skipped = 0;     // invalid combinations
  std::size_t resumed = 0;     // rows kept from PREFIX.csv
  std::size_t computed = 0;    // rows computed now
  std::size_t failed = 0;      // platform runs that failed
  std::vector<SweepRow> rows;  // the sweep's rows, then rows of PREFIX.csv not in it
};

// Throws ConfigError for a bad grid (unknown parameter, bad value) and InputError for
// a bad trace; invalid combinations of values are skipped with a note.
SweepSummary run_sweep(const SweepSettings& settings, std::ostream& err);

// The rows [first, last) of `total` (in workload-major order) that shard K of N owns:
// contiguous blocks whose sizes differ by at most one.
std::pair<std::uint64_t, std::uint64_t> shard_rows(std::uint64_t total, unsigned k, unsigned n);

// Parses "K/N" (1 <= K <= N <= 1000000); throws ConfigError naming --shard.
std::pair<unsigned, unsigned> parse_shard(const std::string& text);

// The base column of the rows: the base arguments joined by spaces.
std::string base_key(const std::vector<std::string>& base_args);

}  // namespace mmvp::sweep
