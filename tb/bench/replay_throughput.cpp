// Whole-run trace replay throughput: translated accesses per host second in fast mode
// and in lock-step mode, next to the floor: a bare C++ loop doing the same TLB lookups
// (L1 DTLB/ITLB, then the L2 STLB, filling on a miss) and the same cache-hierarchy
// lookups (the default L1I/L1D/L2/LLC) on the same trace; and lock-step beside the
// floor of SystemC itself: one b_transport and one wait() per access. Each platform
// run is a child process (SystemC elaborates once per process); all runs use the same
// in-memory trace, and the ratios come from one invocation.
//
//   build/release/replay_throughput [TRACE] [--repeat N]
#include <fmt/format.h>
#include <sys/wait.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <vector>

#include "hw/cache/cache_hierarchy.h"
#include "hw/mmu/mmu.h"
#include "hw/platform/platform.h"
#include "tb/mmvp/impls.h"
#include "tb/mmvp/replay.h"
#include "tb/trace/trace_reader.h"

namespace {

using namespace mmvp;

class VectorSource : public sw::AccessSource {
 public:
  explicit VectorSource(const std::vector<sw::MemAccess>& v) : v_(v) {}
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    std::size_t n = std::min(max, v_.size() - i_);
    std::memcpy(out, v_.data() + i_, n * sizeof(sw::MemAccess));
    i_ += n;
    return n;
  }
  std::string name() const override { return "memory"; }

 private:
  const std::vector<sw::MemAccess>& v_;
  std::size_t i_ = 0;
};

Params params_for(Picos quantum_ns) {
  Params p = all_params();
  p.set("sim.quantum_ns", std::to_string(quantum_ns));
  return p;
}

struct Figure {
  double accesses = 0, seconds = 0;
};

// Memory that answers every line in a fixed time (the floor's DRAM).
class FixedMemory : public MemorySide {
 public:
  Picos read_line(PAddr, unsigned, Picos) override { return 50000; }
  Picos write_line(PAddr, unsigned, Picos) override { return 50000; }
};

// The floor: the same TLB and cache lookups with nothing else around them.
Figure bare_tlb_loop(const std::vector<sw::MemAccess>& trace) {
  const Params params = params_for(0);
  MmuConfig cfg = MmuConfig::from_params(params);
  Tlb dtlb("dtlb", cfg.dtlb), itlb("itlb", cfg.itlb), stlb("stlb", cfg.stlb);
  FixedMemory memory;
  CacheHierarchy caches(CacheHierarchyConfig::from_params(params), memory);
  std::uint64_t accesses = 0;
  Picos time = 0;
  auto access = [&](Tlb& l1, LAddr la, unsigned size, Requester who, bool write) {
    ++accesses;
    if (!l1.lookup(la)) {
      Translation t;
      t.vpn = la >> 12;
      t.pfn = t.vpn;
      t.writable = t.user = t.dirty = true;
      if (!stlb.lookup(la)) stlb.insert(la, t);
      l1.insert(la, t);
    }
    time += caches.access(la, size, who, write, 0);  // identity-mapped
  };
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& a : trace) {
    const bool fetch = a.type == sw::AccessType::instr;
    Tlb& l1 = fetch ? itlb : dtlb;
    const Requester who = fetch ? Requester::inst : Requester::data;
    const LAddr last = a.addr + a.size - 1;
    const unsigned first_part =
        (last >> 12) != (a.addr >> 12) ? 4096 - unsigned(a.addr & 4095) : a.size;
    int times = a.type == sw::AccessType::modify ? 2 : 1;
    for (int k = 0; k < times; ++k) {
      const bool write = a.type == sw::AccessType::store || k == 1;
      access(l1, a.addr, first_part, who, write);
      if (first_part != a.size) access(l1, last & ~0xfffULL, a.size - first_part, who, write);
    }
  }
  if (time == 1) std::cerr << "";  // keep the timing sum alive
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {double(accesses), s};
}

// The SystemC floor of lock-step: per access, one b_transport to a target that adds a
// fixed delay, then one wait() for it: what any lock-step TLM-2.0 initiator pays.
struct FloorTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<FloorTarget> socket{"socket"};
  explicit FloorTarget(sc_core::sc_module_name n) : sc_module(n) {
    socket.register_b_transport(this, &FloorTarget::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    delay += sc_core::sc_time(250, sc_core::SC_PS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};
struct FloorInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<FloorInitiator> socket{"socket"};
  std::uint64_t n = 0;
  double seconds = 0;
  SC_HAS_PROCESS(FloorInitiator);
  FloorInitiator(sc_core::sc_module_name name, std::uint64_t accesses)
      : sc_module(name), n(accesses) {
    SC_THREAD(run);
  }
  void run() {
    tlm::tlm_generic_payload t;
    std::uint64_t word = 0;
    t.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
    t.set_data_length(8);
    t.set_streaming_width(8);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
      t.set_command(tlm::TLM_READ_COMMAND);
      t.set_address((i * 64) & 0xffffff);
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(t, delay);
      wait(delay);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Returning leaves no event: sc_start() returns (no sc_stop() and its banner).
  }
};

// Runs f in a child process (SystemC elaborates once per process) and returns its
// Figure.
template <typename F>
Figure in_child(F f) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    Figure fig;
    try {
      fig = f();
    } catch (const std::exception& e) {
      std::cerr << "replay_throughput: " << e.what() << "\n";
    }
    if (write(fd[1], &fig, sizeof fig) != sizeof fig) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  Figure fig;
  if (read(fd[0], &fig, sizeof fig) != sizeof fig) fig = {};
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return fig;
}

Figure systemc_floor(std::uint64_t accesses) {
  return in_child([accesses] {
    FloorInitiator initiator("initiator", accesses);
    FloorTarget target("target");
    initiator.socket.bind(target.socket);
    sc_core::sc_start();
    return Figure{double(accesses), initiator.seconds};
  });
}

// Replays the trace on a fresh platform in a child process.
Figure platform_run(const std::vector<sw::MemAccess>& trace, Picos quantum_ns) {
  return in_child([&] {
    Params p = params_for(quantum_ns);
    cli::ReplayPlan plan = cli::plan_from_params(p);
    plan.workloads.push_back({"trace", [&] { return std::make_unique<VectorSource>(trace); }, {}});
    Platform platform("top", p);
    cli::ReplayOutcome out = cli::run_workloads(platform, plan);
    // The measured phase: from the statistics reset after populating the pages to
    // the trace's last record (before the process is torn down).
    const StatsReport& r = *out.measured;
    return Figure{double(r.u64("mmu.dtlb.lookups") + r.u64("mmu.itlb.lookups")),
                  std::get<double>(r.find("host.seconds")->value)};
  });
}

}  // namespace

int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  mmvp::cli::register_builtin_impls();
  std::string path = "traces/sample-lackey.txt.zst";
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else
      path = argv[i];
  }
  std::vector<sw::MemAccess> trace;
  try {
    auto src = trace::open_trace(path);
    sw::MemAccess buf[4096];
    while (std::size_t n = src->read(buf, 4096)) trace.insert(trace.end(), buf, buf + n);
  } catch (const std::exception& e) {
    std::cerr << "replay_throughput: " << e.what() << "\n";
    return 3;
  }
  auto best = [&](auto run) {
    Figure b;
    for (int i = 0; i < repeat; ++i) {
      Figure f = run();
      if (f.seconds > 0 && (b.seconds == 0 || f.seconds < b.seconds)) b = f;
    }
    return b;
  };
  Figure floor = best([&] { return bare_tlb_loop(trace); });
  Figure fast = best([&] { return platform_run(trace, 10000); });
  Figure fast1 = best([&] { return platform_run(trace, 1000); });
  Figure lock = best([&] { return platform_run(trace, 0); });
  Figure sc_floor = best([&] { return systemc_floor(static_cast<std::uint64_t>(lock.accesses)); });
  auto rate = [](const Figure& f) { return f.seconds > 0 ? f.accesses / f.seconds : 0.0; };
  std::cout << fmt::format("trace: {} ({} records), best of {}\n", path, trace.size(), repeat);
  std::cout << fmt::format("{:<32} {:>12} {:>10} {:>16} {:>12}\n", "run", "accesses", "seconds",
                           "accesses/s", "time/floor");
  for (auto [name, f] :
       {std::pair{"bare TLB+cache loop (floor)", floor},
        std::pair{"platform, fast (10 us quantum)", fast},
        std::pair{"platform, fast (1 us quantum)", fast1}, std::pair{"platform, lock-step", lock},
        std::pair{"b_transport+wait (SystemC floor)", sc_floor}}) {
    double ratio = floor.seconds > 0 && floor.accesses > 0
                       ? (f.seconds / f.accesses) / (floor.seconds / floor.accesses)
                       : 0.0;
    std::cout << fmt::format("{:<32} {:>12.0f} {:>10.4f} {:>16.0f} {:>11.2f}x\n", name, f.accesses,
                             f.seconds, rate(f), ratio);
  }
  // Lock-step beside what SystemC itself costs for one b_transport and one wait().
  if (sc_floor.seconds > 0 && sc_floor.accesses > 0 && lock.accesses > 0)
    std::cout << fmt::format(
        "lock-step / SystemC floor, per access: {:.2f}x\n",
        (lock.seconds / lock.accesses) / (sc_floor.seconds / sc_floor.accesses));
  return fast.seconds > 0 && lock.seconds > 0 ? 0 : 1;
}
