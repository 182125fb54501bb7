// Lock-step co-simulation of the RTL TLB (hw/rtl/tlb.sv, verilated, driven through
// TlbRtlArray) against the C++ model (TlbArray): the same request stream goes to both
// and every lookup result, every fill's victim and, periodically, every set's state
// are compared. A mismatch prints the RTL cycle, the request and both states.
//
// One SystemC elaboration per process: ctest runs each test case as its own process.
// Options (after the GoogleTest ones):
//   --vcd PATH   the RTL's VCD (and PATH_ports.vcd with the SystemC port signals)
//   --ops N      requests per random stream (default 20000)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw/mmu/paging.h"
#include "hw/mmu/tlb.h"
#include "hw/rtl/tlb_rtl_wrapper.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::rtl {
namespace {

std::string g_vcd;                     // --vcd
std::uint64_t g_ops = 20000;           // --ops
constexpr unsigned kCheckEvery = 512;  // full state comparison period (requests)

TlbArrayConfig cfg(unsigned entries, unsigned ways, Replacement policy, std::uint8_t sizes) {
  TlbArrayConfig c;
  c.name = "cosim";
  c.entries = entries;
  c.ways = ways;
  c.policy = policy;
  c.sizes = sizes;
  return c;
}

std::string show(const Translation* t) {
  if (!t) return "miss";
  std::ostringstream o;
  o << std::hex << "{vpn 0x" << t->vpn << " pfn 0x" << t->pfn << " " << page_size_name(t->size)
    << (t->writable ? " W" : "") << (t->user ? " U" : "") << (t->nx ? " NX" : "")
    << (t->dirty ? " D" : "") << (t->global ? " G" : "") << " pcd_pwt " << unsigned(t->pcd_pwt)
    << "}";
  return o.str();
}

bool same(const Translation* a, const Translation* b) {
  if (!a || !b) return !a && !b;
  return a->vpn == b->vpn && a->pfn == b->pfn && a->size == b->size && a->writable == b->writable &&
         a->user == b->user && a->nx == b->nx && a->dirty == b->dirty && a->global == b->global &&
         a->pcd_pwt == b->pcd_pwt;
}

// The two models in lock step.
class Cosim {
 public:
  explicit Cosim(const TlbArrayConfig& c)
      : cpp_(c), rtl_((g_vcd.empty() ? void() : TlbRtlArray::enable_tracing(), c)) {
    if (!g_vcd.empty()) rtl_.open_vcd(g_vcd);
  }

  // A data access as the Tlb level does it: probe each held size, 4K first; on a miss
  // fill the translation `page` (which maps la).
  void access(LAddr la, const Translation& page) {
    for (unsigned s = 0; s < kPageSizes; ++s) {
      auto size = static_cast<PageSize>(s);
      if (!cpp_.holds(size)) continue;
      if (lookup(la, size)) return;
    }
    fill(page);
  }
  bool lookup(LAddr la, PageSize size) {
    ++requests_;
    ++lookups_;
    const Translation* a = cpp_.lookup(la, size);
    const Translation* b = rtl_.lookup(la, size);
    if (!same(a, b)) {
      std::ostringstream req;
      req << "lookup la 0x" << std::hex << la << " " << page_size_name(size);
      mismatch(req.str(), "c++ " + show(a) + ", rtl " + show(b), set_of(la >> page_shift(size)));
    }
    return a != nullptr;
  }
  void fill(const Translation& t) {
    ++requests_;
    Translation va, vb;
    bool ea = cpp_.insert(t, &va);
    bool eb = rtl_.insert(t, &vb);
    if (ea != eb || (ea && !same(&va, &vb))) {
      mismatch(
          "fill " + show(&t),
          "c++ victim " + (ea ? show(&va) : "none") + ", rtl victim " + (eb ? show(&vb) : "none"),
          set_of(t.vpn));
    }
  }
  void invalidate(LAddr la) {
    ++requests_;
    cpp_.invalidate(la);
    rtl_.invalidate(la);
    std::ostringstream req;
    req << "invlpg 0x" << std::hex << la;
    after_bulk(req.str());
  }
  void flush(bool keep_global) {
    ++requests_;
    cpp_.flush(keep_global);
    rtl_.flush(keep_global);
    after_bulk(keep_global ? "flush keep_global" : "flush all");
  }
  void periodic_check() {
    if (requests_ % kCheckEvery == 0) check_all("periodic state check");
  }
  void finish() {
    check_all("final state check");
    EXPECT_EQ(cpp_.stats().hits, rtl_.stats().hits);
    EXPECT_EQ(cpp_.stats().fills, rtl_.stats().fills);
    EXPECT_EQ(cpp_.stats().evictions, rtl_.stats().evictions);
    EXPECT_EQ(cpp_.stats().invalidations, rtl_.stats().invalidations);
    rtl_.close_vcd();
  }
  std::uint64_t lookups() const { return lookups_; }
  std::uint64_t hits() const { return cpp_.stats().hits; }
  std::uint64_t evictions() const { return cpp_.stats().evictions; }
  bool failed() const { return failed_; }
  unsigned set_of(std::uint64_t vpn) const { return vpn & (cpp_.sets() - 1); }

 private:
  // Invalidations and flushes return nothing: compare the number of entries dropped
  // and, for an INVLPG, nothing more is cheap; the periodic check covers the rest.
  void after_bulk(const std::string& req) {
    if (cpp_.stats().invalidations != rtl_.stats().invalidations) {
      mismatch(req,
               "entries dropped: c++ " + std::to_string(cpp_.stats().invalidations) + ", rtl " +
                   std::to_string(rtl_.stats().invalidations) + " (cumulative)",
               ~0u);
    }
  }
  void check_all(const std::string& what) {
    for (unsigned s = 0; s < cpp_.sets() && !failed_; ++s) {
      if (!same_state(cpp_.set_state(s), rtl_.set_state(s))) mismatch(what, "state differs", s);
    }
  }
  static bool same_state(const std::vector<TlbArray::WayState>& a,
                         const std::vector<TlbArray::WayState>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t w = 0; w < a.size(); ++w) {
      if (a[w].valid != b[w].valid) return false;
      if (a[w].valid && !same(&a[w].t, &b[w].t)) return false;
    }
    return true;
  }
  static std::string dump(const std::vector<TlbArray::WayState>& st) {
    std::string out;
    for (std::size_t w = 0; w < st.size(); ++w)
      out += "    way " + std::to_string(w) + ": " + (st[w].valid ? show(&st[w].t) : "-") + "\n";
    return out;
  }
  // Reports the first mismatch with both states of `set` (every set if ~0u).
  void mismatch(const std::string& request, const std::string& detail, unsigned set) {
    if (failed_) return;
    failed_ = true;
    std::ostringstream o;
    o << "MISMATCH at RTL cycle " << rtl_.cycles() << ", request #" << requests_ << ": " << request
      << "\n  " << detail << "\n";
    for (unsigned s = 0; s < cpp_.sets(); ++s) {
      if (set != ~0u && s != set) continue;
      o << "  set " << s << " c++ state:\n"
        << dump(cpp_.set_state(s)) << "  set " << s << " rtl state:\n"
        << dump(rtl_.set_state(s));
    }
    ADD_FAILURE() << o.str();
  }

  TlbArray cpp_;
  TlbRtlArray rtl_;
  std::uint64_t requests_ = 0, lookups_ = 0;
  bool failed_ = false;
};

// A pool of pages of the held sizes at user, kernel (48-bit canonical) and LA57
// addresses, with random frames and flags.
struct Stream {
  explicit Stream(const TlbArrayConfig& c, std::uint64_t seed) : rng(seed) {
    std::vector<PageSize> sizes;
    for (unsigned s = 0; s < kPageSizes; ++s)
      if ((c.sizes >> s) & 1u) sizes.push_back(static_cast<PageSize>(s));
    const unsigned n = 3 * c.entries + 8;
    for (unsigned i = 0; i < n; ++i) {
      PageSize size = sizes[rng() % sizes.size()];
      std::uint64_t la;
      switch (rng() % 4) {
        case 0:  // kernel half, 48-bit canonical
          la = 0xffff800000000000ULL | (rng() & 0x00007fffffffffffULL);
          break;
        case 1:  // LA57 user half
          la = rng() & 0x00ffffffffffffffULL >> 1;
          break;
        default:  // clustered user pages (set conflicts)
          la = 0x400000ULL + (rng() % (8 * c.entries)) * page_bytes(size);
      }
      pages.push_back(translation(la, size));
    }
  }
  Translation translation(LAddr la, PageSize size) {
    Translation t;
    t.size = size;
    t.vpn = la >> page_shift(size);
    t.pfn = rng() & ((1ULL << 40) - 1);
    std::uint64_t f = rng();
    t.writable = f & 1, t.user = f & 2, t.nx = f & 4, t.dirty = f & 8;
    t.global = (f & 0x30) == 0;  // a quarter
    t.pcd_pwt = (f >> 6) & 3;
    return t;
  }
  LAddr address_in(const Translation& t) {
    return (t.vpn << page_shift(t.size)) | (rng() & (page_bytes(t.size) - 1));
  }
  std::mt19937_64 rng;
  std::vector<Translation> pages;
};

// Drives `ops` random requests, then the final checks.
void drive_random(Cosim& sim, Stream& st, std::uint64_t ops) {
  for (std::uint64_t i = 0; i < ops && !sim.failed(); ++i) {
    const unsigned r = st.rng() % 1000;
    Translation& p = st.pages[st.rng() % st.pages.size()];
    if (r < 800) {
      sim.access(st.address_in(p), p);
    } else if (r < 900) {  // refill: same page, maybe new frame and flags (in place)
      if (st.rng() & 1) p = st.translation(st.address_in(p), p.size);
      sim.fill(p);
    } else if (r < 960) {
      sim.invalidate(st.rng() & 1 ? st.address_in(p) : st.rng());
    } else if (r < 990) {
      sim.lookup(st.rng(), PageSize::size_4k);  // mostly misses
    } else if (r < 997) {
      sim.flush(true);
    } else {
      sim.flush(false);
    }
    sim.periodic_check();
  }
  sim.finish();
}

void run_random(const TlbArrayConfig& c, std::uint64_t seed) {
  Cosim sim(c);
  Stream st(c, seed);
  auto start = std::chrono::steady_clock::now();
  drive_random(sim, st, g_ops);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "cosim " << c.entries << "x" << c.ways << " " << replacement_name(c.policy) << ": "
            << sim.lookups() << " lookups, " << sim.hits() << " hits, " << sim.evictions()
            << " evictions, " << static_cast<std::uint64_t>(sim.lookups() / secs)
            << " lookups/s in lock step\n";
  EXPECT_GT(sim.hits(), 0u);
  EXPECT_GT(sim.evictions(), 0u);
}

// The data pages of a real trace through a 4K array: lookup; on a miss fill.
void run_trace(const TlbArrayConfig& c, const std::string& path) {
  Cosim sim(c);
  auto src = trace::open_trace(path);
  std::vector<sw::MemAccess> buf(4096);
  std::uint64_t accesses = 0;
  std::mt19937_64 rng(7);
  while (std::size_t n = src->read(buf.data(), buf.size())) {
    for (std::size_t i = 0; i < n && !sim.failed(); ++i) {
      if (buf[i].type == sw::AccessType::instr) continue;
      ++accesses;
      Translation t;
      t.vpn = buf[i].addr >> 12;
      t.pfn = (t.vpn * 0x9E3779B1ULL) & ((1ULL << 40) - 1);
      t.writable = buf[i].type != sw::AccessType::load;
      t.user = true;
      sim.access(buf[i].addr, t);
      if (rng() % 4096 == 0) sim.flush(false);  // an occasional context switch
      sim.periodic_check();
    }
  }
  sim.finish();
  EXPECT_GT(accesses, 100u);
  EXPECT_GT(sim.hits(), 0u);
}

// clang-format off
TEST(Cosim, Random_e16_w4_lru)  { run_random(cfg(16, 4, Replacement::lru, 1), 1); }
TEST(Cosim, Random_e16_w4_plru_4k2m) { run_random(cfg(16, 4, Replacement::plru, 3), 2); }
TEST(Cosim, Random_e64_w4_plru) { run_random(cfg(64, 4, Replacement::plru, 1), 3); }
TEST(Cosim, Random_e64_w4_lru)  { run_random(cfg(64, 4, Replacement::lru, 1), 4); }
TEST(Cosim, Random_e8_w8_lru_allsizes) { run_random(cfg(8, 8, Replacement::lru, 7), 5); }
TEST(Cosim, Random_e32_w1_direct) { run_random(cfg(32, 1, Replacement::lru, 1), 6); }
TEST(Cosim, Random_e32_w4_lru_2m) { run_random(cfg(32, 4, Replacement::lru, 2), 7); }
TEST(Cosim, Random_e4_w4_lru_1g) { run_random(cfg(4, 4, Replacement::lru, 4), 8); }
TEST(Cosim, Trace_lackey_e64_w4_lru) { run_trace(cfg(64, 4, Replacement::lru, 1), "traces/sample-lackey.txt"); }
TEST(Cosim, Trace_lackey_zst_e16_w4_lru) { run_trace(cfg(16, 4, Replacement::lru, 1), "traces/sample-lackey.txt.zst"); }
// clang-format on

// The platform's way: requests from an SC_THREAD of a running simulation, where the
// wrapper steps the RTL in delta cycles and simulated time does not advance.
struct ThreadDriver : sc_core::sc_module {
  SC_HAS_PROCESS(ThreadDriver);
  ThreadDriver(sc_core::sc_module_name n, std::function<void()> body)
      : sc_core::sc_module(n), body_(std::move(body)) {
    SC_THREAD(run);
  }
  void run() { body_(); }
  std::function<void()> body_;
};

TEST(Cosim, InThread_e16_w4_plru_4k2m) {
  TlbArrayConfig c = cfg(16, 4, Replacement::plru, 3);
  Cosim sim(c);
  Stream st(c, 11);
  bool done = false;
  ThreadDriver driver("driver", [&] {
    drive_random(sim, st, 5000);
    done = true;
  });
  sc_core::sc_start();
  EXPECT_TRUE(done);
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::SC_ZERO_TIME);
  EXPECT_GT(sim.hits(), 0u);
}

TEST(Cosim, UnknownVariantIsAConfigError) {
  std::string p = TlbRtlArray::variant_problem(cfg(128, 2, Replacement::lru, 1));
  EXPECT_NE(p.find("no verilated RTL TLB"), std::string::npos) << p;
  EXPECT_THROW(TlbRtlArray(cfg(128, 2, Replacement::lru, 1)), ConfigError);
  EXPECT_EQ(TlbRtlArray::variant_problem(cfg(64, 4, Replacement::lru, 1)), "");
}

TEST(Cosim, VpnRoundTrip) {
  LAddr kernel = 0xffff888012345000ULL, la57 = 0xff80001234567000ULL;
  for (LAddr la : {kernel, la57, LAddr{0x7fffffffe000}}) {
    for (unsigned s = 0; s < kPageSizes; ++s) {
      auto size = static_cast<PageSize>(s);
      std::uint64_t vpn = la >> page_shift(size);
      EXPECT_EQ(TlbRtlArray::full_vpn(TlbRtlArray::stored_vpn(vpn), size), vpn);
    }
  }
}

}  // namespace
}  // namespace mmvp::rtl

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--vcd" && i + 1 < argc) mmvp::rtl::g_vcd = argv[++i];
    if (a == "--ops" && i + 1 < argc) mmvp::rtl::g_ops = std::strtoull(argv[++i], nullptr, 0);
  }
  return RUN_ALL_TESTS();
}

int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
