// Merging the parts of a sharded sweep (mmvp sweep --shard K/N) into the result the
// whole sweep gives: the same rows in the same order, so the same CSV and JSON bytes.
#pragma once
#include <string>
#include <vector>

#include "tb/sweep/results.h"

namespace mmvp::sweep {

struct MergedSweep {
  SweepIdentity identity;  // of the whole sweep (no shard)
  std::vector<SweepRow> rows;
};

// Reads PART.csv and PART.json of every part. Throws InputError when a part is missing
// or unreadable, when the parts are of different sweeps (their workloads, base settings,
// grid or number of shards differ, whatever the files are called), when a shard is
// given twice or missing, when two parts disagree on a row, or when rows are missing
// (a shard not finished: run it again to resume it).
MergedSweep merge_sweep_parts(const std::vector<std::string>& parts);

}  // namespace mmvp::sweep
