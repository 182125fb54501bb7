// Running user workloads on a platform under the early loader: the part of `mmvp
// trace` and `mmvp demo` that happens inside the simulation.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/common/stats.h"
#include "hw/platform/platform.h"
#include "sw/kernel/user_replay.h"
#include "sw/kernel/workload.h"

namespace mmvp::cli {

struct Workload {
  std::string name;
  // Opens the stream (called inside the simulation; may be called twice when pages
  // are populated first).
  std::function<std::unique_ptr<sw::AccessSource>()> open;
};

struct ReplayPlan {
  std::vector<Workload> workloads;
  bool populate = true;  // fault every page in first, then flush TLBs and reset statistics
  sw::ReplayOptions options;
};

struct ReplayOutcome {
  std::vector<sw::ReplayCounts> counts;  // one per workload
};

// Boots the early loader on the platform's core and runs every workload as its own
// user process (own address space), one after the other.
ReplayOutcome run_workloads(Platform& platform, const ReplayPlan& plan);
// Adds trace.* and throughput statistics to the report.
void report_replay(StatsReport& r, const ReplayPlan& plan, const ReplayOutcome& out,
                   const Platform& platform);

// Declares trace.* parameters (trace.populate, trace.cycles_per_instruction, ...).
void declare_replay_params(Params& p);
ReplayPlan plan_from_params(const Params& p);

}  // namespace mmvp::cli
