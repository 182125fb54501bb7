// Running user programs as processes under the kernel, round-robin (a minimal
// scheduler: every task on the task list in turn, for a time slice counted in trace
// records, since the programs are memory-access streams).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/user_replay.h"
#include "sw/kernel/workload.h"

namespace mmvp::sw {

struct UserProgram {
  std::string name;      // becomes the task's comm
  AccessSource* code;    // the program: its stream of accesses (or null, with native)
  AccessSource* pages;   // optional: one access per page it touches, for populate (a
                         // program with system calls has none: its mappings change)
  NativeProgram native;  // a program that is code: runs to its end in one slice
};

struct SchedOptions {
  std::uint64_t slice_records = 10000;  // records a process runs before the next switch
  ReplayOptions replay;
  // Fault in every page first (running `pages` of each program), then flush the TLBs
  // and reset statistics, so statistics describe the programs' own accesses.
  bool populate = false;
  // Called between slices (for /proc snapshots at given simulated times).
  std::function<void(Kernel&)> between_slices;
  // Called once, after the last record of the last program and before that process
  // is torn down: the end of the measured phase (for a statistics snapshot).
  std::function<void(Kernel&)> after_last_record;
  // Called for each process just before it is torn down (for /proc/PID/maps).
  std::function<void(Kernel&, LAddr task)> before_exit;
};

struct ProcessResult {
  std::uint32_t pid = 0;
  ReplayCounts counts;
  std::uint64_t faults = 0;           // demand-paging faults served
  std::uint64_t switches_in = 0;      // times it was scheduled
  std::uint64_t vmas_at_exit = 0;     // VMAs of its mm when it ended
  std::uint64_t on_touch_faults = 0;  // faults outside every VMA that made one (MMF_VMA_ON_TOUCH)
  std::uint64_t peak_rss_pages = 0;   // hiwater_rss
  bool started = false;               // its first slice ran (the workload:N milestone)
};

// Creates one process per program (mm::MMF_VMA_ON_TOUCH: see task.h), runs them round-robin until
// every one has ended (end of its stream, or killed), tearing each down as it ends. results[i] is
// for programs[i].
void run_processes(Kernel& k, const UserProgram* programs, std::size_t n, const SchedOptions& opt,
                   ProcessResult* results);

}  // namespace mmvp::sw
