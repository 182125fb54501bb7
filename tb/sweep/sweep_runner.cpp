#include "tb/sweep/sweep_runner.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "hw/mmu/mmu.h"
#include "tb/sweep/platform_run.h"
#include "tb/sweep/tlb_hierarchy.h"
#include "tb/trace/convert.h"

namespace mmvp::sweep {
namespace {

struct Point {
  ConfigPoint config;
  UserTlbArrays arrays;
  MmuConfig mmu;
  PageSize user_pages = PageSize::size_4k;  // kernel.user_page_size
  bool fast = false;                        // a count engine gives its figures exactly
  bool one_pass = false;                    // ... the one-pass engine
  std::uint64_t max_records = 0;
  std::optional<AreaFigure> area;  // of the array SweepSettings::area describes
};

// Whether the workload's stream holds a system-call record (a scan to the first).
bool has_system_calls(const WorkloadSpec& w) {
  if (w.scenario || w.is_mix()) return false;
  auto src = w.open();
  std::vector<sw::MemAccess> buf(4096);
  while (std::size_t n = src->read(buf.data(), buf.size()))
    for (std::size_t i = 0; i < n; ++i)
      if (buf[i].type == sw::AccessType::syscall) return true;
  return false;
}

struct Task {
  std::size_t workload = 0;
  enum class Kind { one_pass, per_config, platform } kind = Kind::platform;
  std::vector<const Point*> points;
};

SweepRow row_base(const WorkloadSpec& w, const std::string& base, const Point& p) {
  SweepRow r;
  r.workload = w.name;
  r.base = base;
  r.config = p.config.key();
  r.dtlb_reach_kib = std::uint64_t{p.arrays.dtlb.entries} * 4;
  r.stlb_reach_kib = std::uint64_t{p.arrays.stlb.entries} * 4;
  r.rtl_area = p.area;
  return r;
}

bool all_arrays_cpp(const MmuConfig& m) {
  for (const auto* level : {&m.dtlb, &m.itlb, &m.stlb})
    for (const TlbArrayConfig& a : *level)
      if (a.entries != 0 && a.impl != "cpp") return false;
  return true;
}

std::vector<Point> plan_points(const SweepSettings& s, ProgressMeter& meter, std::size_t& skipped) {
  for (const GridAxis& a : s.axes) {
    for (const std::string& v : a.values) {
      Params p = s.base;
      p.set(a.name, v);  // an unknown name or a bad value is fatal
    }
  }
  std::vector<Point> points;
  for (ConfigPoint& c : cross_product(s.axes)) {
    Params p = s.base;
    for (const auto& [k, v] : c.settings) p.set(k, v);
    Point pt;
    try {
      pt.mmu = MmuConfig::from_params(p);
    } catch (const ConfigError& e) {
      meter.note(fmt::format("skipped {}: {}", c.key().empty() ? "(base)" : c.key(), e.what()));
      ++skipped;
      continue;
    }
    pt.config = std::move(c);
    const std::string& bound = p.str("kernel.user_page_size");
    pt.user_pages = bound == "2m"   ? PageSize::size_2m
                    : bound == "1g" ? PageSize::size_1g
                                    : PageSize::size_4k;
    pt.arrays = user_tlb_arrays(pt.mmu, pt.user_pages);
    pt.max_records = p.u64("trace.max_records");
    // The count engines run the C++ TLB model on host threads; another implementation
    // (impl = rtl: a SystemC model), and any point setting more than TLB geometry (the
    // caches, the clock, memory timing), is measured by a platform run.
    bool tlb_only = true;
    for (const auto& kv : pt.config.settings) tlb_only = tlb_only && kv.first.rfind("mmu.", 0) == 0;
    // kernel.thp=always may give a trace's mappings 2 MB pages the count engines do
    // not know of.
    // kernel.user_page_size=1g falls back to 2 MB pages when the 1 GB pool runs out, which
    // only a platform run knows of.
    pt.fast = !s.timing && tlb_only && p.flag("trace.populate") && all_arrays_cpp(pt.mmu) &&
              p.str("kernel.thp") != "always" && pt.user_pages != PageSize::size_1g;
    pt.one_pass = pt.fast && OnePassHierarchy::eligible(pt.arrays);
    if (s.area) pt.area = s.area->lookup(pt.mmu);
    points.push_back(std::move(pt));
  }
  return points;
}

std::vector<SweepRow> run_count_task(const SweepSettings& s, const Task& t, const std::string& base,
                                     std::atomic<std::uint64_t>* progress) {
  const WorkloadSpec& w = s.workloads[t.workload];
  auto src = w.open();
  const std::uint64_t max_records = t.points.front()->max_records;
  std::vector<TlbCounts> counts;
  RecordCounts rc;
  if (t.kind == Task::Kind::one_pass) {
    std::vector<UserTlbArrays> arrays;
    for (const Point* p : t.points) arrays.push_back(p->arrays);
    OnePassHierarchy h(arrays);
    // The stream's 4 KB pieces as pages of the user page size (every point of a count
    // task shares it: it comes from the base settings).
    const unsigned shift = page_shift(t.points.front()->user_pages) - 12;
    rc = for_each_lookup(
        *src, max_records, [&](std::uint64_t vpn, bool fetch) { h.access(vpn >> shift, fetch); },
        progress);
    for (std::size_t i = 0; i < t.points.size(); ++i) counts.push_back(h.counts(i));
  } else {
    std::vector<ReferenceHierarchy> hs;
    for (const Point* p : t.points) hs.emplace_back(p->mmu, p->user_pages);
    rc = for_each_lookup(
        *src, max_records,
        [&](std::uint64_t vpn, bool fetch) {
          for (auto& h : hs) h.access(vpn, fetch);
        },
        progress);
    for (const auto& h : hs) counts.push_back(h.counts());
  }
  std::vector<SweepRow> rows;
  for (std::size_t i = 0; i < t.points.size(); ++i) {
    SweepRow r = row_base(w, base, *t.points[i]);
    r.engine = t.kind == Task::Kind::one_pass ? "one-pass" : "per-config";
    r.records = rc.records;
    r.instructions = rc.instructions;
    r.counts = counts[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

// A scratch directory removed when the sweep ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mmvp-sweep-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw InputError("cannot create a scratch directory in /tmp");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::pair<std::uint64_t, std::uint64_t> shard_rows(std::uint64_t total, unsigned k, unsigned n) {
  if (n == 0) return {0, total};
  return {total * (k - 1) / n, total * k / n};
}

std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  unsigned k = 0, n = 0;
  if (!parse_shard_text(text, k, n))
    throw ConfigError("--shard '" + text + "': expected K/N with 1 <= K <= N <= 1000000, e.g. 2/8");
  return {k, n};
}

std::string base_key(const std::vector<std::string>& base_args) {
  std::string k;
  for (const auto& a : base_args) k += (k.empty() ? "" : " ") + a;
  return k;
}

SweepSummary run_sweep(const SweepSettings& s, std::ostream& err) {
  if (s.workloads.empty())
    throw ConfigError("mmvp sweep: no workload (give --trace, --mix or --scenario)");
  const std::string base = base_key(s.base_args);
  SweepSummary sum;
  std::size_t n_points = cross_product(s.axes).size();
  ProgressMeter plan_notes(0, s.progress, err);
  std::vector<Point> points = plan_points(s, plan_notes, sum.skipped);
  plan_notes.finish();
  sum.points = points.size();
  if (points.empty())
    throw ConfigError(fmt::format("mmvp sweep: all {} configurations are invalid", n_points));

  SweepIdentity identity;
  for (const WorkloadSpec& w : s.workloads) identity.workloads.push_back(w.name);
  identity.base = base;
  identity.axes = s.axes;
  identity.total_rows = std::uint64_t{s.workloads.size()} * points.size();
  identity.shard = s.shard;
  identity.shards = s.shards;
  const auto [first_row, last_row] = shard_rows(identity.total_rows, s.shard, s.shards);

  // What is already done (resume), and the order of the rows.
  std::map<std::string, SweepRow> done;
  std::vector<SweepRow> earlier =
      s.out_prefix.empty() ? std::vector<SweepRow>{} : read_results(s.out_prefix);
  for (SweepRow& r : earlier) done[r.key()] = r;
  std::vector<std::string> order;
  std::vector<Task> tasks;
  const unsigned jobs = s.jobs ? s.jobs : std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t w = 0; w < s.workloads.size(); ++w) {
    if ((w + 1) * points.size() <= first_row || w * points.size() >= last_row) continue;
    std::map<std::uint64_t, std::vector<const Point*>> one_pass, per_config;  // by max_records
    std::vector<const Point*> platform;
    // A trace with system calls is not populated ahead and its munmaps invalidate:
    // only the platform gives its figures.
    // Nor do the count engines know of a mix's context switches.
    const bool counts_exact = !s.workloads[w].is_mix() && !has_system_calls(s.workloads[w]);
    for (std::size_t pi = 0; pi < points.size(); ++pi) {
      const std::uint64_t row = std::uint64_t{w} * points.size() + pi;
      if (row < first_row || row >= last_row) continue;  // another shard's
      const Point& p = points[pi];
      SweepRow probe = row_base(s.workloads[w], base, p);
      order.push_back(probe.key());
      auto it = done.find(probe.key());
      if (it != done.end() && (it->second.timed || !s.timing)) {
        if (s.area) it->second.rtl_area = p.area;  // --area given now, or a new table
        ++sum.resumed;
        continue;
      }
      if (p.one_pass && counts_exact)
        one_pass[p.max_records].push_back(&p);
      else if (p.fast && counts_exact)
        per_config[p.max_records].push_back(&p);
      else
        platform.push_back(&p);
    }
    for (auto& [m, pts] : one_pass) tasks.push_back({w, Task::Kind::one_pass, pts});
    for (auto& [m, pts] : per_config) {
      const std::size_t chunk = (pts.size() + jobs - 1) / jobs;
      for (std::size_t i = 0; i < pts.size(); i += chunk)
        tasks.push_back(
            {w,
             Task::Kind::per_config,
             {pts.begin() + static_cast<std::ptrdiff_t>(i),
              pts.begin() + static_cast<std::ptrdiff_t>(std::min(pts.size(), i + chunk))}});
    }
    for (const Point* p : platform) tasks.push_back({w, Task::Kind::platform, {p}});
  }
  std::size_t pending = 0;
  for (const Task& t : tasks) pending += t.points.size();
  if (sum.resumed && s.progress != ProgressStyle::quiet) {
    err << fmt::format("mmvp sweep: resuming: {} of {} rows already in {}.csv\n", sum.resumed,
                       sum.resumed + pending, s.out_prefix);
  }

  // Platform runs of a scenario replay it from a binary trace written once.
  std::unique_ptr<ScratchDir> scratch;
  std::vector<std::vector<std::string>> run_files(s.workloads.size());
  for (const Task& t : tasks) {
    if (t.kind != Task::Kind::platform) continue;
    if (!scratch) scratch = std::make_unique<ScratchDir>();
    const WorkloadSpec& w = s.workloads[t.workload];
    std::vector<std::string>& files = run_files[t.workload];
    if (!files.empty()) continue;
    if (w.is_mix()) {
      files = w.mix;
    } else if (!w.scenario) {
      files = {w.path};
    } else {
      files = {scratch->path() + "/scenario-" + std::to_string(t.workload) + ".mmvt"};
      auto src = w.open();
      trace::write_binary_trace(*src, files.front());
    }
  }
  if (!tasks.empty() &&
      std::any_of(tasks.begin(), tasks.end(),
                  [](const Task& t) { return t.kind == Task::Kind::platform; }) &&
      s.mmvp_path.empty())
    throw ConfigError("mmvp sweep: platform runs need the path of the mmvp executable");

  ProgressMeter meter(pending, s.progress, err);
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  auto finish_rows = [&](std::vector<SweepRow> rows, const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    for (SweepRow& r : rows) done[r.key()] = std::move(r);
    sum.computed += rows.size();
    if (!s.out_prefix.empty()) {
      std::vector<SweepRow> all;
      std::set<std::string> in_order(order.begin(), order.end());
      for (const auto& k : order)
        if (auto it = done.find(k); it != done.end()) all.push_back(it->second);
      for (const auto& [k, r] : done)
        if (!in_order.count(k)) all.push_back(r);
      write_results(s.out_prefix, all, &identity);
    }
    (void)what;
  };
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next++;
      if (i >= tasks.size()) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (failure) return;
      }
      const Task& t = tasks[i];
      const WorkloadSpec& w = s.workloads[t.workload];
      try {
        if (t.kind != Task::Kind::platform) {
          finish_rows(run_count_task(s, t, base, &meter.records()), w.name);
          meter.points_done(
              t.points.size(),
              fmt::format("{}: {} configurations ({})", w.name, t.points.size(),
                          t.kind == Task::Kind::one_pass ? "one pass" : "per config"));
          continue;
        }
        const Point& p = *t.points.front();
        std::vector<std::string> args = s.base_args;
        for (const auto& [k, v] : p.config.settings)
          args.insert(args.end(), {"--set", k + "=" + v});
        PlatformRun run = run_platform(s.mmvp_path, run_files[t.workload], args, scratch->path());
        const std::string label =
            w.name + " " + (p.config.key().empty() ? "(base)" : p.config.key());
        if (!run.ok) {
          meter.note("failed " + label + ": " + run.error);
          std::lock_guard<std::mutex> lock(mu);
          ++sum.failed;
        } else {
          SweepRow r = row_base(w, base, p);
          run.row.workload = r.workload;
          run.row.base = r.base;
          run.row.config = r.config;
          run.row.dtlb_reach_kib = r.dtlb_reach_kib;
          run.row.stlb_reach_kib = r.stlb_reach_kib;
          run.row.rtl_area = r.rtl_area;
          meter.records().fetch_add(run.row.records, std::memory_order_relaxed);
          finish_rows({run.row}, label);
        }
        meter.points_done(1, label);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, tasks.size()); ++j)
    threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  meter.finish();
  if (failure) std::rethrow_exception(failure);

  std::set<std::string> in_order(order.begin(), order.end());
  for (const auto& k : order)
    if (auto it = done.find(k); it != done.end()) sum.rows.push_back(it->second);
  for (const auto& [k, r] : done)
    if (!in_order.count(k)) sum.rows.push_back(r);
  if (!s.out_prefix.empty() && pending == 0)  // all resumed, or a shard owning no rows
    write_results(s.out_prefix, sum.rows, &identity);
  return sum;
}

}  // namespace mmvp::sweep
