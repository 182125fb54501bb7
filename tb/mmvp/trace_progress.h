// Progress of `mmvp trace` on stderr, and what Ctrl-C does to it.
//
// On a terminal a status line is redrawn in place: the phase (scanning a trace for its
// pages, or replaying), records done, their rate, how far into the trace files the
// readers are (the position in the file as stored, so a compressed trace's ETA is right)
// and an ETA. Otherwise one line per workload when its replay ends. Nothing when quiet.
//
// The first SIGINT asks every stream to end: each process then exits as at the end of
// its trace, so the statistics gathered so far are reported (marked partial) and every
// output file is written whole. A second SIGINT ends the program at once, as usual.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "sw/kernel/workload.h"
#include "tb/sweep/progress.h"
#include "tb/trace/compressed_input.h"

namespace mmvp::cli {

// SIGINT handling for as long as it lives (one at a time): the first Ctrl-C sets
// interrupted(); the handler then resets to the default, so a second one kills.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  static bool interrupted();
};

enum class TraceProgressStyle { bar, lines, quiet };

class TraceProgress {
 public:
  // The trace files, in workload order (their sizes make the percentage and ETA).
  TraceProgress(const std::vector<std::string>& files, TraceProgressStyle style, std::ostream& out);
  ~TraceProgress();
  TraceProgress(const TraceProgress&) = delete;
  TraceProgress& operator=(const TraceProgress&) = delete;

  // Opens workload i's trace with its file position counted.
  std::unique_ptr<sw::AccessSource> open(std::size_t i);
  // Wraps a stream of workload i (scan: the populate pass's) to count its records and
  // end it on Ctrl-C.
  std::unique_ptr<sw::AccessSource> wrap(std::size_t i, bool scan,
                                         std::unique_ptr<sw::AccessSource> stream);
  // Workload i's process exited having replayed `records`: its line, when not on a
  // terminal.
  void workload_exited(std::size_t i, std::uint64_t records);
  // Clears the status line and stops redrawing.
  void finish();

  struct Workload;  // per-trace counters, shared with its streams

 private:
  void draw_locked();
  std::string status_locked() const;
  void scan_ended(std::size_t i);

  const TraceProgressStyle style_;
  std::ostream& out_;
  std::vector<std::shared_ptr<Workload>> workloads_;
  std::mutex mu_;
  bool stopped_ = false;
  bool replaying_ = false;  // a replay stream has been read: replay_start_ is set
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point replay_start_;  // the first replayed record
  std::unique_ptr<sweep::Ticker> ticker_;
};

}  // namespace mmvp::cli
