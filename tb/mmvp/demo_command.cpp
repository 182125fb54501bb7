#include "tb/mmvp/demo_command.h"

#include <iostream>
#include <memory>

#include "hw/platform/platform.h"
#include "sw/kernel/synthetic_workload.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::cli {
namespace {

struct DemoArgs {
  PlatformOptions platform;
  std::vector<std::string> traces;
};

void run_demo(const DemoArgs& a) {
  Params params = a.platform.build_params();
  ReplayPlan plan = plan_from_params(params);
  // A synthetic program (array sweep, then pointer chase) and any traces given.
  plan.workloads.push_back(
      {"synthetic",
       [] { return std::make_unique<sw::SyntheticWorkload>(sw::SyntheticWorkloadConfig{}); }});
  for (const auto& f : a.traces)
    plan.workloads.push_back({f, [f] { return trace::open_trace(f); }});
  Platform platform("top", params);
  if (!a.platform.vcd.empty()) platform.enable_vcd(a.platform.vcd);
  ReplayOutcome out = run_workloads(platform, plan);
  StatsReport r;
  platform.report(r);
  report_replay(r, plan, out, platform);
  emit_stats(r, a.platform);
  if (!a.platform.vcd.empty()) std::cerr << "mmvp: waveforms written to " << a.platform.vcd << "\n";
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo", "boot, run the default workloads, print statistics");
  a->platform.add_to(*cmd);
  cmd->add_option("--trace", a->traces, "also replay this trace as a process")
      ->check(CLI::ExistingFile);
  cmd->callback([a] { run_demo(*a); });
}

}  // namespace mmvp::cli
