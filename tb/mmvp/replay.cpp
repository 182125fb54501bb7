#include "tb/mmvp/replay.h"

#include <algorithm>
#include <unordered_map>

#include "sw/kernel/early_loader.h"

namespace mmvp::cli {
namespace {

// One access per distinct page of a stream, with the strongest kind the stream uses
// on it (a store beats a fetch beats a load), in first-touch order: replaying it
// faults every page in as the real stream would, and sets A and D bits alike.
class PageTouchSource : public sw::AccessSource {
 public:
  explicit PageTouchSource(sw::AccessSource& src) : name_(src.name()) {
    std::unordered_map<std::uint64_t, std::size_t> index;
    std::vector<sw::MemAccess> buf(8192);
    auto note = [&](std::uint64_t page, sw::AccessType t) {
      auto [it, fresh] = index.emplace(page, pages_.size());
      if (fresh) pages_.push_back({page << 12, 1, t});
      sw::MemAccess& p = pages_[it->second];
      if (rank(t) > rank(p.type)) p.type = t;
    };
    while (std::size_t n = src.read(buf.data(), buf.size())) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto& a = buf[i];
        sw::AccessType t = a.type == sw::AccessType::modify ? sw::AccessType::store : a.type;
        std::uint64_t last = (a.addr + (a.size ? a.size - 1 : 0)) >> 12;
        for (std::uint64_t pg = a.addr >> 12; pg <= last; ++pg) note(pg, t);
      }
    }
  }
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    std::size_t n = std::min(max, pages_.size() - next_);
    std::copy_n(pages_.begin() + static_cast<std::ptrdiff_t>(next_), n, out);
    next_ += n;
    return n;
  }
  std::string name() const override { return name_ + " (pages)"; }

 private:
  static int rank(sw::AccessType t) {
    return t == sw::AccessType::store ? 3 : t == sw::AccessType::instr ? 2 : 1;
  }
  std::string name_;
  std::vector<sw::MemAccess> pages_;
  std::size_t next_ = 0;
};

}  // namespace

void declare_replay_params(Params& p) {
  p.declare({"trace.populate", ParamType::boolean, "true",
             "fault in every page a workload touches before replaying it, then flush the TLBs "
             "and reset statistics, so statistics describe the workload alone; false: pages "
             "fault in during the replay"});
  p.declare({"trace.cycles_per_instruction", ParamType::integer, "1",
             "cycles of non-memory work charged per instruction record (I)", 0, 1000});
  p.declare({"trace.max_records", ParamType::integer, "0",
             "stop each workload after this many records (0: no limit)"});
}

ReplayPlan plan_from_params(const Params& p) {
  ReplayPlan plan;
  plan.populate = p.flag("trace.populate");
  plan.options.cycles_per_instruction = p.u64("trace.cycles_per_instruction");
  plan.options.max_records = p.u64("trace.max_records");
  return plan;
}

ReplayOutcome run_workloads(Platform& platform, const ReplayPlan& plan) {
  ReplayOutcome out;
  platform.run([&](CpuPort& cpu) {
    sw::EarlyLoader loader(cpu);
    loader.boot();
    std::vector<PAddr> spaces;
    for (std::size_t i = 0; i < plan.workloads.size(); ++i)
      spaces.push_back(loader.new_address_space());
    if (plan.populate) {
      sw::ReplayOptions touch_only;
      touch_only.cycles_per_instruction = 0;
      for (std::size_t i = 0; i < plan.workloads.size(); ++i) {
        loader.switch_to(spaces[i]);
        auto src = plan.workloads[i].open();
        PageTouchSource pages(*src);
        sw::replay_as_user(cpu, pages, touch_only);
      }
      loader.flush_tlb_all();
    }
    cpu.reset_stats();
    for (std::size_t i = 0; i < plan.workloads.size(); ++i) {
      loader.switch_to(spaces[i]);
      auto src = plan.workloads[i].open();
      out.counts.push_back(sw::replay_as_user(cpu, *src, plan.options));
    }
  });
  return out;
}

void report_replay(StatsReport& r, const ReplayPlan& plan, const ReplayOutcome& out,
                   const Platform& platform) {
  sw::ReplayCounts total;
  std::uint64_t killed = 0;
  for (const auto& c : out.counts) {
    total.records += c.records;
    total.instructions += c.instructions;
    total.loads += c.loads;
    total.stores += c.stores;
    total.modifies += c.modifies;
    killed += c.killed;
  }
  r.add("trace.workloads", out.counts.size(), "workloads replayed, each as its own process");
  r.add("trace.records", total.records, "trace records replayed");
  r.add("trace.instructions", total.instructions, "instruction records (I)");
  r.add("trace.loads", total.loads, "load records (L)");
  r.add("trace.stores", total.stores, "store records (S)");
  r.add("trace.modifies", total.modifies, "modify records (M): a load and a store each");
  r.add("trace.killed", killed, "processes ended by the kernel (protection violations)");
  for (std::size_t i = 0; i < out.counts.size() && i < plan.workloads.size(); ++i) {
    std::string w = "workload." + std::to_string(i);
    r.add_text(w + ".name", plan.workloads[i].name, "workload source");
    r.add(w + ".records", out.counts[i].records, "records replayed");
    if (out.counts[i].killed)
      r.add_text(w + ".killed", out.counts[i].kill_reason, "why the kernel ended it");
  }
  auto get = [&](const char* n) -> double {
    const auto* e = r.find(n);
    return e && std::holds_alternative<std::uint64_t>(e->value)
               ? double(std::get<std::uint64_t>(e->value))
               : 0.0;
  };
  double accesses = get("cpu.loads") + get("cpu.stores") + get("cpu.fetches");
  if (total.instructions) {
    r.add_ratio("mmu.dtlb.mpki", get("mmu.dtlb.misses") * 1000, double(total.instructions),
                "L1 DTLB misses per 1000 instructions");
    r.add_ratio("mmu.itlb.mpki", get("mmu.itlb.misses") * 1000, double(total.instructions),
                "L1 ITLB misses per 1000 instructions");
    r.add_ratio("mmu.stlb.mpki", get("mmu.stlb.misses") * 1000, double(total.instructions),
                "L2 TLB misses per 1000 instructions");
  }
  r.add_ratio("host.accesses_per_second", accesses, platform.host_seconds(),
              "translated accesses per host second (measured phase)");
}

}  // namespace mmvp::cli
