// `mmvp latency`: boots the kernel, then for every stride and working-set size runs
// lat_mem_rd (tb/latency) as its own process and writes one CSV row per point: the
// cycles a dependent load costs, and per load the TLB and cache misses behind it.
#include "tb/mmvp/latency_command.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "hw/common/output_file.h"
#include "hw/platform/platform.h"
#include "tb/latency/lat_mem_rd.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"

namespace mmvp::cli {
namespace {

struct LatencyArgs {
  PlatformOptions platform;
  std::string from = "4K", to = "256M", csv;
  std::vector<std::string> strides = {"64", "4096"};
};

struct Point {
  std::uint64_t stride = 0, bytes = 0, loads = 0;
  std::uint64_t cycles = 0;
  // Per measured phase: the statistics' change.
  std::uint64_t dtlb = 0, stlb = 0, l1d = 0, l2 = 0, llc = 0, walk_cycles = 0;
  bool killed = false;
};

std::uint64_t size_arg(const std::string& what, const std::string& v) {
  std::uint64_t n = 0;
  if (!parse_size(v, n) || n == 0) throw ConfigError(what + ": '" + v + "' is not a size");
  return n;
}

std::string csv_of(const std::vector<Point>& points, Picos cycle) {
  std::ostringstream o;
  o << "stride,bytes,loads,cycles_per_load,ns_per_load,dtlb_misses_per_load,"
       "stlb_misses_per_load,l1d_misses_per_load,l2_misses_per_load,llc_misses_per_load,"
       "walk_cycles_per_load\n";
  for (const Point& p : points) {
    const double n = static_cast<double>(p.loads);
    const double c = static_cast<double>(p.cycles) / n;
    o << fmt::format("{},{},{},{:.2f},{:.3f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.2f}\n", p.stride,
                     p.bytes, p.loads, c, c * static_cast<double>(cycle) / 1000.0, p.dtlb / n,
                     p.stlb / n, p.l1d / n, p.l2 / n, p.llc / n, p.walk_cycles / n);
  }
  return o.str();
}

void run_latency(LatencyArgs a) {
  const std::uint64_t from = size_arg("--from", a.from), to = size_arg("--to", a.to);
  if (from > to) throw ConfigError("--from: " + a.from + " is larger than --to " + a.to);
  std::vector<std::uint64_t> strides;
  for (const auto& s : a.strides) strides.push_back(size_arg("--strides", s));
  // Room for the largest working set and its page tables besides the kernel; a
  // capacity the user sets wins (it comes later).
  std::uint64_t capacity = 1ULL << 30;
  while (capacity < to + (to >> 2) + (256ULL << 20)) capacity <<= 1;
  a.platform.params.sets.insert(a.platform.params.sets.begin(),
                                "mem.capacity=" + std::to_string(capacity));
  Params params = a.platform.build_params();
  ReplayPlan plan = plan_from_params(params);
  plan.populate = false;  // the program faults its own pages in, as lat_mem_rd does
  apply_output_options(plan, a.platform);
  DebugSession debug_session(a.platform);
  Platform platform("top", params);
  enable_waveform(platform, a.platform, "");

  auto stat = [&platform](const StatsReport& r, const char* name) { return r.u64(name); };
  std::vector<Point> points;
  for (std::uint64_t stride : strides) {
    for (std::uint64_t bytes = from; bytes <= to; bytes <<= 1) {
      if (bytes < stride) continue;
      points.push_back({stride, bytes});
      const std::size_t index = points.size() - 1;
      plan.workloads.push_back(
          {fmt::format("lat_mem_rd-{}-{}", stride, bytes), nullptr, [&, index](CpuPort& cpu) {
             Point& p = points[index];
             latency::ChaseConfig c;
             c.bytes = p.bytes;
             c.stride = p.stride;
             const std::vector<LAddr> order = latency::chase_order(c);
             LAddr at = latency::build_chain(cpu, order);
             at = latency::chase(cpu, at, latency::warmup_loads(order.size()));
             p.loads = latency::measured_loads(order.size());
             StatsReport before, after;
             platform.report(before);
             const std::uint64_t t0 = cpu.cycles();
             latency::chase(cpu, at, p.loads);
             p.cycles = cpu.cycles() - t0;
             platform.report(after);
             auto delta = [&](const char* n) { return stat(after, n) - stat(before, n); };
             p.dtlb = delta("mmu.dtlb.misses");
             p.stlb = delta("mmu.stlb.misses");
             p.l1d = delta("cache.l1d.misses_data");
             p.l2 = platform.cpu().caches().level(CacheLevel::l2).present()
                        ? delta("cache.l2.misses_data")
                        : 0;
             p.llc = platform.cpu().caches().level(CacheLevel::llc).present()
                         ? delta("cache.llc.misses_data")
                         : 0;
             p.walk_cycles = delta("mmu.walker.walk_cycles");
           }});
    }
  }
  if (points.empty()) throw ConfigError("mmvp latency: no working set between --from and --to");
  ReplayOutcome out = run_workloads(platform, plan);
  for (std::size_t i = 0; i < out.processes.size(); ++i) {
    if (out.processes[i].counts.killed)
      throw std::runtime_error(out.processes[i].name +
                               " was killed: " + out.processes[i].counts.kill_reason);
  }
  const std::string csv = csv_of(points, platform.cpu().mmu().config().cycle);
  if (a.csv.empty())
    std::cout << csv;
  else
    write_output_file(a.csv, csv, "--csv");
  if (!a.platform.stats_json.empty() || !a.platform.quiet) {
    StatsReport r;
    platform.report(r);
    if (!a.platform.stats_json.empty()) {
      std::ostringstream ss;
      r.write_json(ss);
      write_output_file(a.platform.stats_json, ss.str(), "--stats-json");
    }
  }
  debug_session.finish();
  if (plan.console_log) plan.console_log->finish();
}

}  // namespace

void add_latency_command(CLI::App& app) {
  auto a = std::make_shared<LatencyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "latency",
      "the latency staircase: lat_mem_rd (a dependent pointer chase) over working sets from "
      "--from to --to, one process per point, as CSV");
  a->platform.add_to(*cmd);
  cmd->add_option("--from", a->from, "smallest working set")->capture_default_str();
  cmd->add_option("--to", a->to, "largest working set (up to 1G and more)")->capture_default_str();
  add_repeatable(*cmd, "--strides", a->strides,
                 "bytes between elements: 64 (a line), 4096 (a page); repeatable");
  cmd->add_option("--csv", a->csv, "write the CSV here (default stdout)");
  cmd->callback([a] { run_latency(*a); });
}

}  // namespace mmvp::cli
