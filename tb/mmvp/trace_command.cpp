#include "tb/mmvp/trace_command.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "hw/platform/platform.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"
#include "tb/trace/convert.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::cli {
namespace {

struct TraceArgs {
  PlatformOptions platform;
  std::vector<std::string> files;
};

struct ConvertArgs {
  std::string in, out;
};

void run_trace(const TraceArgs& a) {
  Params params = a.platform.build_params();
  ReplayPlan plan = plan_from_params(params);
  apply_output_options(plan, a.platform);
  for (const auto& f : a.files) {
    trace::open_trace(f);  // a missing or unreadable file fails before the simulation
    plan.workloads.push_back({f, [f] { return trace::open_trace(f); }, {}});
  }
  DebugSession debug_session(a.platform);
  Platform platform("top", params);
  enable_waveform(platform, a.platform, "workload:1");
  ReplayOutcome out = run_workloads(platform, plan);
  emit_stats(replay_report(plan, out, platform), a.platform);
  note_empty_waveform(platform);
  debug_session.finish();
  if (plan.console_log) plan.console_log->finish();
  report_killed(out);
}

}  // namespace

void add_trace_command(CLI::App& app) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "trace",
      "replay memory traces (valgrind lackey, or mmvp binary; plain, .zst or .xz), each as a "
      "process under the guest kernel");
  args->platform.add_to(*cmd);
  cmd->add_option("files", args->files, "trace files, each run as its own process")
      ->check(CLI::ExistingFile);
  cmd->callback([args, cmd] {
    if (cmd->got_subcommand("convert")) return;
    if (args->files.empty()) throw ConfigError("mmvp trace: no trace file given");
    run_trace(*args);
  });

  auto conv = std::make_shared<ConvertArgs>();
  CLI::App* c = cmd->add_subcommand(
      "convert", "convert a trace to the compact mmvp binary format (.mmvt, or .mmvt.zst)");
  c->add_option("input", conv->in, "trace to read (any supported format)")
      ->required()
      ->check(CLI::ExistingFile);
  c->add_option("output", conv->out, "binary trace to write (zstd-compressed if it ends in .zst)")
      ->required();
  c->callback([conv] {
    std::uint64_t n = trace::convert_trace(conv->in, conv->out);
    std::cout << fmt::format("{}: {} records written\n", conv->out, n);
  });
}

}  // namespace mmvp::cli
