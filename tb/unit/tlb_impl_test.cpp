// TlbArrayConfig::impl: another implementation registered by name receives every call
// of the arrays configured for it (how the RTL TLB stands in, hw/rtl/tlb_rtl_impl.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hw/mmu/tlb.h"

namespace mmvp {
namespace {

// Wraps a C++ TlbArray and logs the calls it receives.
class LoggingImpl final : public TlbArrayImpl {
 public:
  LoggingImpl(const TlbArrayConfig& cfg, std::vector<std::string>& log)
      : inner_(plain(cfg)), log_(log) {}
  static TlbArrayConfig plain(TlbArrayConfig c) {
    c.impl = "cpp";
    return c;
  }
  const Translation* lookup(LAddr la, PageSize size) override {
    log_.push_back("lookup");
    return inner_.lookup(la, size);
  }
  bool insert(const Translation& t, Translation* victim) override {
    log_.push_back("insert");
    return inner_.insert(t, victim);
  }
  void invalidate(LAddr la) override {
    log_.push_back("invalidate");
    inner_.invalidate(la);
  }
  void flush(bool keep_global) override {
    log_.push_back(keep_global ? "flush_keep_global" : "flush");
    inner_.flush(keep_global);
  }
  const TlbArrayStats& stats() const override { return inner_.stats(); }
  void reset_stats() override {
    log_.push_back("reset_stats");
    inner_.reset_stats();
  }
  void report(StatsReport& r, const std::string& prefix) const override {
    inner_.report(r, prefix);
    r.add(prefix + ".logged", log_.size(), "calls logged");
  }
  std::vector<TlbWayState> set_state(unsigned set) const override { return inner_.set_state(set); }

 private:
  TlbArray inner_;
  std::vector<std::string>& log_;
};

std::vector<std::string> g_log;

TlbArrayConfig logged_cfg() {
  register_tlb_array_impl("logging", [](const TlbArrayConfig& c) {
    return std::unique_ptr<TlbArrayImpl>(new LoggingImpl(c, g_log));
  });
  TlbArrayConfig c;
  c.name = "l1_4k";
  c.entries = 4;
  c.ways = 2;
  c.impl = "logging";
  return c;
}

Translation page(std::uint64_t vpn) {
  Translation t;
  t.vpn = vpn;
  t.pfn = vpn + 7;
  return t;
}

TEST(TlbImpl, EveryCallReachesTheImplementation) {
  g_log.clear();
  Tlb tlb("dtlb", {logged_cfg()});
  EXPECT_EQ(tlb.lookup(0x5000), nullptr);
  tlb.insert(0x5000, page(5));
  const Translation* t = tlb.lookup(0x5123);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->physical(0x5123), 0xc123u);
  tlb.invalidate(0x5000);
  tlb.flush(true);
  tlb.flush(false);
  tlb.reset_stats();
  EXPECT_EQ(g_log, (std::vector<std::string>{"lookup", "insert", "lookup", "invalidate",
                                             "flush_keep_global", "flush", "reset_stats"}));
  EXPECT_EQ(tlb.lookup(0x5000), nullptr) << "the INVLPG reached the implementation's state";
}

TEST(TlbImpl, StatisticsAndStateComeFromTheImplementation) {
  g_log.clear();
  TlbArray a(logged_cfg());
  a.insert(page(1));
  a.insert(page(3));  // same set as 1 (2 sets)
  a.insert(page(5));  // evicts 1 (LRU)
  EXPECT_NE(a.lookup(5 << 12, PageSize::size_4k), nullptr);
  EXPECT_EQ(a.stats().fills, 3u);
  EXPECT_EQ(a.stats().evictions, 1u);
  EXPECT_EQ(a.stats().hits, 1u);
  auto set1 = a.set_state(1);
  ASSERT_EQ(set1.size(), 2u);
  EXPECT_TRUE(set1[0].valid && set1[1].valid);
  StatsReport r;
  a.report(r, "dtlb.l1_4k");
  bool logged = false;
  for (const auto& e : r.entries()) logged |= e.name == "dtlb.l1_4k.logged";
  EXPECT_TRUE(logged) << "the report is the implementation's";
}

TEST(TlbImpl, UnknownImplementationIsAConfigError) {
  TlbArrayConfig c;
  c.name = "l1_4k";
  c.entries = 64;
  c.ways = 4;
  c.impl = "verilog-from-mars";
  std::string field;
  EXPECT_NE(TlbArray::config_problem(c, &field).find("not available in this build"),
            std::string::npos);
  EXPECT_EQ(field, "impl");
  EXPECT_THROW(TlbArray{c}, ConfigError);
  c.entries = 0;
  EXPECT_EQ(TlbArray::config_problem(c), "") << "an absent array needs no implementation";
}

}  // namespace
}  // namespace mmvp
