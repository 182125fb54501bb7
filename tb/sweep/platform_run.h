// Full-platform runs for a sweep: `mmvp trace FILE ARGS... -q --stats-json TMP` as a
// child process, and the row figures read back from its statistics.
#pragma once
#include <string>
#include <vector>

#include "tb/sweep/results.h"

namespace mmvp::sweep {

struct PlatformRun {
  bool ok = false;
  std::string error;  // one line: the child's last stderr line, or why it did not run
  SweepRow row;       // records, instructions, counts and timing (engine "platform")
};

// Runs `mmvp trace trace_files... args... -q --stats-json DIR/...` (several files: their
// processes run together) and waits for it;
// scratch_dir receives the child's statistics and stderr (removed afterwards).
// Thread-safe (posix_spawn).
PlatformRun run_platform(const std::string& mmvp, const std::vector<std::string>& trace_files,
                         const std::vector<std::string>& args, const std::string& scratch_dir);

// The row figures from a `--stats-json` document; throws InputError naming a missing
// statistic.
SweepRow row_from_stats_json(const std::string& json_text, const std::string& origin);

}  // namespace mmvp::sweep
