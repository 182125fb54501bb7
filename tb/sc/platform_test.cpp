// Integration of the platform: trace replay end to end, demand paging, faults,
// machine checks, interrupts, large sparse DRAM.
#include <set>

#include "sw/kernel/boot.h"
#include "sw/kernel/sched.h"
#include "sw/kernel/user_replay.h"
#include "tb/sc/sc_test_main.h"
#include "tb/trace/trace_reader.h"

namespace mmvp {
namespace {

using test::platform_params;

const char* kSample = "traces/sample-lackey.txt";

// A fixed list of accesses as a workload.
class ListSource : public sw::AccessSource {
 public:
  explicit ListSource(std::vector<sw::MemAccess> v) : v_(std::move(v)) {}
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    std::size_t n = std::min(max, v_.size() - i_);
    std::copy_n(v_.begin() + static_cast<std::ptrdiff_t>(i_), n, out);
    i_ += n;
    return n;
  }
  std::string name() const override { return "list"; }

 private:
  std::vector<sw::MemAccess> v_;
  std::size_t i_ = 0;
};

struct SampleFacts {
  std::uint64_t records = 0, instr = 0, loads = 0, stores = 0, modifies = 0;
  std::uint64_t data_splits = 0, instr_splits = 0;  // accesses straddling a page
  std::set<std::uint64_t> pages;
};

SampleFacts scan(const std::string& path) {
  SampleFacts f;
  auto src = trace::open_trace(path);
  sw::MemAccess buf[1024];
  while (std::size_t n = src->read(buf, 1024)) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto& a = buf[i];
      ++f.records;
      f.instr += a.type == sw::AccessType::instr;
      f.loads += a.type == sw::AccessType::load;
      f.stores += a.type == sw::AccessType::store;
      f.modifies += a.type == sw::AccessType::modify;
      std::uint64_t first = a.addr >> 12, last = (a.addr + a.size - 1) >> 12;
      if (first != last) {
        if (a.type == sw::AccessType::instr)
          ++f.instr_splits;
        else
          f.data_splits += a.type == sw::AccessType::modify ? 2 : 1;
      }
      for (std::uint64_t p = first; p <= last; ++p) f.pages.insert(p);
    }
  }
  return f;
}

StatsReport replay(Params params, const std::vector<std::string>& files) {
  cli::ReplayPlan plan = cli::plan_from_params(params);
  for (const auto& f : files)
    plan.workloads.push_back({f, [f] { return trace::open_trace(f); }, {}});
  Platform platform("top", params);
  cli::ReplayOutcome out = cli::run_workloads(platform, plan);
  return cli::replay_report(plan, out, platform);
}

TEST(Platform, ReplaysALackeyTraceEndToEnd) {
  SampleFacts f = scan(kSample);
  StatsReport r = replay(platform_params(), {kSample});
  EXPECT_EQ(r.u64("trace.records"), f.records);
  EXPECT_EQ(r.u64("trace.instructions"), f.instr);
  // Every record became accesses: M is a load and a store.
  EXPECT_EQ(r.u64("cpu.fetches"), f.instr);
  EXPECT_EQ(r.u64("cpu.loads"), f.loads + f.modifies);
  EXPECT_EQ(r.u64("cpu.stores"), f.stores + f.modifies);
  EXPECT_EQ(r.u64("cpu.page_splits"), f.data_splits + f.instr_splits);
  // Pages were populated before the measured phase: no faults during replay.
  EXPECT_EQ(r.u64("cpu.page_faults"), 0u);
  EXPECT_EQ(r.u64("trace.killed"), 0u);
  // Each translated piece looked up an L1 TLB exactly once.
  EXPECT_EQ(r.u64("mmu.dtlb.lookups"), r.u64("cpu.loads") + r.u64("cpu.stores") + f.data_splits);
  EXPECT_EQ(r.u64("mmu.itlb.lookups"), r.u64("cpu.fetches") + f.instr_splits);
  EXPECT_GT(r.u64("mmu.walker.walks"), 0u);
  // Walks read paging entries from DRAM through the bus: they show in DRAM statistics.
  EXPECT_GE(r.u64("dram.reads"), r.u64("mmu.walker.pte_reads"));
  EXPECT_GT(r.u64("cpu.cycles"), 0u);
}

TEST(Platform, DemandPagingFaultsEveryPageOnce) {
  SampleFacts f = scan(kSample);
  StatsReport r = replay(platform_params({"trace.populate=false"}), {kSample});
  EXPECT_EQ(r.u64("cpu.page_faults"), f.pages.size());
  EXPECT_EQ(r.u64("trace.records"), f.records);
}

TEST(Platform, ProtectionViolationEndsTheProcessAndTheRunGoesOn) {
  Params p = platform_params();
  Platform platform("top", p);
  sw::ProcessResult results[2];
  std::string log;
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    k.console = [&](std::string_view l) { log += std::string(l) + "\n"; };
    sw::start_kernel(k, {});
    // A user access to the kernel's direct map: a supervisor page, P=1 fault.
    ListSource bad({{0x1000, 8, sw::AccessType::load},
                    {sw::PAGE_OFFSET + 0x1000, 8, sw::AccessType::load},
                    {0x2000, 8, sw::AccessType::load}});
    ListSource good({{0x5000, 8, sw::AccessType::store}, {0x6000, 8, sw::AccessType::load}});
    sw::UserProgram progs[2] = {{"bad", &bad, nullptr, {}}, {"good", &good, nullptr, {}}};
    sw::SchedOptions opt;
    opt.slice_records = 1;
    sw::run_processes(k, progs, 2, opt, results);
  });
  EXPECT_TRUE(results[0].counts.killed);
  EXPECT_EQ(results[0].counts.records, 1u);
  EXPECT_NE(results[0].counts.kill_reason.find("kernel address"), std::string::npos)
      << results[0].counts.kill_reason;
  EXPECT_NE(log.find("bad[1]: segfault at ffff880000001000"), std::string::npos) << log;
  EXPECT_FALSE(results[1].counts.killed);
  EXPECT_EQ(results[1].counts.records, 2u);
  EXPECT_EQ(results[1].faults, 2u);
}

TEST(Platform, PhysicalAccessOutsideMemoryIsAMachineCheckNotACrash) {
  Params p = platform_params({"mem.capacity=64M"});
  Platform platform("top", p);
  try {
    platform.run([](CpuPort& cpu) { cpu.load(1ULL << 40, 8); });  // paging off: linear = physical
    FAIL() << "expected CpuHalt";
  } catch (const CpuHalt& e) {
    EXPECT_NE(std::string(e.what()).find("0x10000000000"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("TLM_ADDRESS_ERROR_RESPONSE"), std::string::npos);
  }
  StatsReport r;
  platform.report(r);
  EXPECT_EQ(r.u64("membus.address_errors"), 1u);
}

TEST(Platform, MachineCheckGoesToItsHandlerWhenOneIsRegistered) {
  Params p = platform_params({"mem.capacity=64M"});
  Platform platform("top", p);
  std::uint64_t seen = 0;
  platform.run([&](CpuPort& cpu) {
    cpu.set_exception_handler(vec::MC, [&](const ExceptionInfo& e) { seen = e.address; });
    cpu.load(0xC0001000, 8);  // inside the MMIO hole, nothing mapped there
  });
  EXPECT_EQ(seen, 0xC0001000u);
}

TEST(Platform, SixtyFourGigabytesOfSparseDram) {
  Params p = platform_params({"mem.capacity=64G", "mem.maxphyaddr=40"});
  Platform platform("top", p);
  std::uint64_t top_value = 0;
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    sw::start_kernel(k, {});
    // The last word of RAM through the direct map: 3 GB below the MMIO hole, the other
    // 61 GB remapped above 4 GB.
    LAddr last = sw::PAGE_OFFSET + (4ULL << 30) + (61ULL << 30) - 8;
    cpu.store(last, 8, 0xfeedface);
    top_value = cpu.load(last, 8);
  });
  EXPECT_EQ(top_value, 0xfeedfaceu);
  StatsReport r;
  platform.report(r);
  // Only written frames take host memory: the struct page array (1.5% of RAM) and the
  // kernel's own pages, not 64 GB.
  EXPECT_LT(r.u64("dram.host_bytes"), 2ULL << 30);
}

TEST(Platform, CapacityBeyondMaxPhyAddrIsAConfigError) {
  try {
    Params p = platform_params({"mem.capacity=64G", "mem.maxphyaddr=36"});
    Platform platform("top", p);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("mem.capacity:", 0), 0u) << e.what();
  }
}

// A device in its own SC_THREAD raising an interrupt at a given time.
struct IrqSource : sc_core::sc_module {
  CpuCore& cpu;
  SC_HAS_PROCESS(IrqSource);
  IrqSource(sc_core::sc_module_name n, CpuCore& c) : sc_module(n), cpu(c) { SC_THREAD(run); }
  void run() {
    wait(sc_core::sc_time(5, sc_core::SC_US));
    cpu.raise_irq(0x30);
  }
};

TEST(Platform, InterruptsAreDeliveredWhenEnabled) {
  Params p = platform_params({"sim.quantum_ns=0"});
  Platform platform("top", p);
  IrqSource dev("dev", platform.cpu());
  int delivered = 0;
  std::uint64_t at_cycle = 0;
  unsigned cpl_in_handler = 9;
  platform.run([&](CpuPort& cpu) {
    cpu.set_irq_handler(0x30, [&](unsigned) {
      ++delivered;
      at_cycle = cpu.cycles();
      cpl_in_handler = cpu.cpl();
    });
    cpu.set_cpl(3);
    for (int i = 0; i < 20000 && cpu.cycles() < 30000; ++i) cpu.charge(100);  // IF=0: masked
    EXPECT_EQ(delivered, 0);
    cpu.set_if(true);
    cpu.charge(1);
  });
  EXPECT_EQ(delivered, 1);
  EXPECT_GE(at_cycle, 15000u);  // 5 us at 3 GHz
  EXPECT_EQ(cpl_in_handler, 0u);
}

}  // namespace
}  // namespace mmvp
