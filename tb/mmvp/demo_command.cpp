#include "tb/mmvp/demo_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "hw/platform/platform.h"
#include "sw/kernel/synthetic_workload.h"
#include "sw/kernel/tour.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::cli {
namespace {

struct DemoArgs {
  PlatformOptions platform;
  std::vector<std::string> traces;
};

void run_demo(DemoArgs a) {
  Params params = a.platform.build_params();
  ReplayPlan plan = plan_from_params(params);
  if (a.platform.console.empty()) a.platform.console = "-";
  bool own_proc_dir = a.platform.proc_dir.empty();
  if (own_proc_dir) a.platform.proc_dir = "out/proc";
  apply_output_options(plan, a.platform, std::cout);
  // The kernel exercises every allocator, then runs a few processes: two synthetic
  // programs (array sweep, then pointer chase) and any traces given.
  plan.kernel_work = [](sw::Kernel& k) { sw::allocator_tour(k); };
  // Under kernel.arch=i386 they are 32-bit programs, their heaps below 3 GB.
  const bool i386 = plan.boot.i386;
  for (std::uint64_t seed : {1, 2}) {
    plan.workloads.push_back({"synthetic-" + std::to_string(seed),
                              [seed, i386] {
                                sw::SyntheticWorkloadConfig c;
                                c.seed = seed;
                                c.accesses = 40000;  // keeps the demo's VCD to tens of MB
                                c.data_base += seed << (i386 ? 28 : 32);
                                if (i386) c.abi = sw::ProcessAbi::i386;
                                return std::make_unique<sw::SyntheticWorkload>(c);
                              },
                              {}});
  }
  for (const auto& f : a.traces)
    plan.workloads.push_back({f, [f] { return trace::open_trace(f); }, {}});
  DebugSession debug_session(a.platform);
  Platform platform("top", params);
  enable_waveform(platform, a.platform, "workload:1");
  ReplayOutcome out = run_workloads(platform, plan);
  for (const char* f : {"buddyinfo", "slabinfo", "vmallocinfo"}) {
    std::ifstream in(a.platform.proc_dir + "/" + f);
    std::cout << "\n==> /proc/" << f << " <==\n" << in.rdbuf();
  }
  std::cout << "\n";
  emit_stats(replay_report(plan, out, platform), a.platform);
  note_empty_waveform(platform);
  debug_session.finish();
  if (plan.console_log) plan.console_log->finish();
  std::cerr << "mmvp: /proc files in " << a.platform.proc_dir << "/";
  if (!a.platform.vcd.empty()) std::cerr << "; waveforms in " << a.platform.vcd;
  std::cerr << "\n";
  report_killed(out);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "boot the guest kernel, exercise every allocator, run a few "
                                     "processes, print /proc and statistics");
  a->platform.add_to(*cmd);
  add_repeatable(*cmd, "--trace", a->traces, "also run this trace as a process; repeatable")
      ->check(CLI::ExistingFile);
  cmd->callback([a] { run_demo(*a); });
}

}  // namespace mmvp::cli
