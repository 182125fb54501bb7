#include "tb/mmvp/trace_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "hw/platform/platform.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"
#include "tb/mmvp/trace_progress.h"
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
  // A progress line on a terminal, a line per workload otherwise; none with -q, nor
  // when the kernel log goes to stderr too.
  const TraceProgressStyle style = a.platform.quiet || a.platform.console == "-"
                                       ? TraceProgressStyle::quiet
                                   : ::isatty(2) ? TraceProgressStyle::bar
                                                 : TraceProgressStyle::lines;
  auto progress = std::make_shared<TraceProgress>(a.files, style, std::cerr);
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    trace::open_trace(a.files[i]);  // a missing or unreadable file fails before the simulation
    plan.workloads.push_back({a.files[i], [progress, i] { return progress->open(i); }, {}});
  }
  plan.wrap_stream = [progress](std::size_t i, bool scan, std::unique_ptr<sw::AccessSource> s) {
    return progress->wrap(i, scan, std::move(s));
  };
  plan.on_exit = [progress](std::size_t i, std::uint64_t records) {
    progress->workload_exited(i, records);
  };
  std::unique_ptr<OutputFile> json;  // opened now: a bad path fails before the run
  if (!a.platform.stats_json.empty())
    json = std::make_unique<OutputFile>(a.platform.stats_json, "--stats-json");
  DebugSession debug_session(a.platform);
  Platform platform("top", params);
  enable_waveform(platform, a.platform, "workload:1");
  InterruptScope interrupt;
  ReplayOutcome out = run_workloads(platform, plan);
  progress->finish();
  out.partial = InterruptScope::interrupted();
  emit_stats(replay_report(plan, out, platform), a.platform, json.get());
  note_empty_waveform(platform);
  debug_session.finish();
  if (plan.console_log) plan.console_log->finish();
  if (out.partial)
    throw Interrupted(
        fmt::format("interrupted: the statistics cover the first {} records (trace.partial = 1)",
                    out.records()));
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
