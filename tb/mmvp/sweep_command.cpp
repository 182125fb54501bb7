#include "tb/mmvp/sweep_command.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <tuple>

#include "hw/common/output_file.h"
#include "tb/mmvp/options.h"
#include "tb/sweep/merge.h"
#include "tb/sweep/sweep_runner.h"

namespace mmvp::cli {
namespace {

struct SweepArgs {
  ParamOptions base;
  std::vector<std::string> traces, mixes, scenarios, grids;
  std::string out, area, area_array = "mmu.dtlb.l1_4k", shard;
  bool timing = false, quiet = false;
  unsigned jobs = 0;
};

void run_sweep_command(const SweepArgs& a) {
  sweep::SweepSettings s;
  for (const auto& t : a.traces) s.workloads.push_back(sweep::trace_workload(t));
  for (const auto& m : a.mixes) s.workloads.push_back(sweep::mix_workload(m));
  for (const auto& sc : a.scenarios) s.workloads.push_back(sweep::scenario_workload(sc));
  for (const auto& g : a.grids) s.axes.push_back(sweep::parse_grid_axis(g));
  s.base = a.base.build_params();
  s.base_args = a.base.args();
  if (!a.area.empty()) s.area = sweep::RtlAreaTable::read(a.area, a.area_array);
  s.out_prefix = a.out;
  s.timing = a.timing;
  s.jobs = a.jobs;
  if (!a.shard.empty()) {
    std::tie(s.shard, s.shards) = sweep::parse_shard(a.shard);
    if (a.out.empty())
      throw ConfigError("--shard needs --out (mmvp sweep merge reads each part's PREFIX.json)");
  }
  std::error_code ec;
  s.mmvp_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  s.progress = a.quiet       ? sweep::ProgressStyle::quiet
               : ::isatty(2) ? sweep::ProgressStyle::bar
                             : sweep::ProgressStyle::lines;
  if (!a.out.empty()) {
    const auto dir = std::filesystem::path(a.out).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw ConfigError("--out: directory " + dir.string() + " does not exist");
  }
  sweep::SweepSummary sum = sweep::run_sweep(s, std::cerr);
  if (a.out.empty()) {
    std::cout << sweep::rows_to_csv(sum.rows);
  } else if (!a.quiet) {
    std::cerr << "mmvp sweep: " << sum.rows.size() << " rows in " << a.out << ".csv and " << a.out
              << ".json (" << sum.computed << " computed, " << sum.resumed << " resumed, "
              << sum.skipped * s.workloads.size() << " skipped)\n";
  }
  if (sum.failed) {
    throw std::runtime_error(std::to_string(sum.failed) +
                             " platform runs failed (their rows are missing; run again to retry)");
  }
}

struct MergeArgs {
  std::string out;
  std::vector<std::string> parts;
  bool quiet = false;
};

void run_merge_command(const MergeArgs& a) {
  for (const std::string& p : a.parts) {
    if (std::filesystem::weakly_canonical(p + ".csv") ==
        std::filesystem::weakly_canonical(a.out + ".csv"))
      throw ConfigError("mmvp sweep merge: OUT " + a.out + " is one of the parts");
  }
  sweep::MergedSweep m = sweep::merge_sweep_parts(a.parts);
  sweep::write_results(a.out, m.rows, &m.identity);
  if (!a.quiet)
    std::cerr << "mmvp sweep merge: " << m.rows.size() << " rows of " << a.parts.size()
              << " parts in " << a.out << ".csv and " << a.out << ".json\n";
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "TLB sizing sweep: every configuration of a grid over every workload, one row each "
      "(CSV and JSON); LRU grids of TLB sizes and associativities in one pass per trace");
  add_repeatable(*cmd, "--trace", args->traces, "trace file (any supported format); repeatable")
      ->check(CLI::ExistingFile);
  add_repeatable(*cmd, "--mix", args->mixes,
                 "A,B,...: traces run together as processes of one workload, switched "
                 "round-robin (kernel.slice_records); platform runs; repeatable");
  add_repeatable(*cmd, "--scenario", args->scenarios,
                 "guest-kernel scenario: synthetic[:pages=N,accesses=N,seed=N,code_kib=N]; "
                 "repeatable");
  add_repeatable(*cmd, "--grid", args->grids,
                 "NAME=VALUES, VALUES a list a,b,c or a range 16..2048:x2 or 4..16:+4; "
                 "repeatable, the sweep is the cross product");
  args->base.add_to(*cmd);  // every point starts from these
  cmd->add_option("--out", args->out,
                  "write PREFIX.csv and PREFIX.json (atomically, after every finished task); "
                  "rows already there are kept, not recomputed; without it the CSV goes to stdout");
  cmd->add_flag("--timing", args->timing,
                "run every point as a full `mmvp trace` (in parallel) for translation and "
                "simulated cycles");
  cmd->add_option("--area", args->area,
                  "CSV of scripts/rtl-area: add the RTL TLB's cells and flip-flops for each "
                  "row's --area-array geometry (columns rtl_cells, rtl_flip_flops)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--area-array", args->area_array,
                  "the array whose area --area gives (default mmu.dtlb.l1_4k)");
  cmd->add_option("-j,--jobs", args->jobs, "parallel tasks (default: every core)");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress and no notes on stderr");
  cmd->add_option("--shard", args->shard,
                  "K/N: run only the K-th of N equal blocks of the (workload, configuration) "
                  "rows, for spreading a sweep over machines; needs --out; combine the parts "
                  "with `mmvp sweep merge`");

  auto margs = std::make_shared<MergeArgs>();
  CLI::App* merge = cmd->add_subcommand(
      "merge",
      "combine the parts of a sharded sweep (each a --out PREFIX) into OUT.csv and OUT.json, "
      "the files the whole sweep writes; refuses parts of different sweeps and incomplete ones");
  merge->add_option("OUT", margs->out, "output prefix")->required();
  merge->add_option("PART", margs->parts, "the --out PREFIX of every shard")->required();
  merge->add_flag("-q,--quiet", margs->quiet, "no summary on stderr");
  merge->callback([margs] { run_merge_command(*margs); });
  cmd->callback([args, merge] {
    if (!merge->parsed()) run_sweep_command(*args);
  });
}

}  // namespace mmvp::cli
