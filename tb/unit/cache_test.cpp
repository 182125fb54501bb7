// Unit tests of the cache core (hits, misses, LRU/PLRU victims, dirty write-backs) and
// of the hierarchy (latencies by level, fills, write-back chains, inclusion and its
// back-invalidations, the walker's entry level, uncached paths, DMA snoops, WBINVD),
// and of the cache.* parameters.
#include <gtest/gtest.h>

#include <vector>

#include "hw/cache/cache_hierarchy.h"
#include "hw/platform/platform_params.h"

namespace mmvp {
namespace {

CacheConfig level(const char* name, std::uint64_t size, unsigned ways, unsigned hit_cycles,
                  bool inclusive = false) {
  CacheConfig c;
  c.name = name;
  c.size = size;
  c.ways = ways;
  c.hit_cycles = hit_cycles;
  c.inclusive = inclusive;
  return c;
}

TEST(Cache, HitsAfterFillAndEvictsTheLeastRecentlyUsed) {
  Cache c(level("l1d", 4 * 64, 2, 4));  // 2 sets x 2 ways
  ASSERT_EQ(c.sets(), 2u);
  EXPECT_FALSE(c.access(0, Requester::data, false));
  c.fill(0, false);
  EXPECT_TRUE(c.access(0, Requester::data, false));
  c.fill(2, false);                                  // set 0 now holds lines 0 and 2
  EXPECT_TRUE(c.access(0, Requester::data, false));  // 2 is now the LRU of set 0
  const Cache::Victim v = c.fill(4, false);
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.line, 2u);
  EXPECT_FALSE(v.dirty);
  EXPECT_TRUE(c.contains(0));
  EXPECT_TRUE(c.contains(4));
  EXPECT_EQ(c.stats().accesses[1], 3u);
  EXPECT_EQ(c.stats().misses[1], 1u);
  EXPECT_EQ(c.stats().evictions, 1u);
}

TEST(Cache, WritesDirtyTheLineAndItsEvictionWritesItBack) {
  Cache c(level("l1d", 2 * 64, 1, 4));  // direct-mapped, 2 sets
  c.fill(1, false);
  EXPECT_TRUE(c.access(1, Requester::data, true));
  const Cache::Victim v = c.fill(3, false);
  EXPECT_TRUE(v.valid && v.dirty);
  EXPECT_EQ(v.line, 1u);
  EXPECT_EQ(c.stats().writebacks, 1u);
  EXPECT_FALSE(c.clean(3));
  c.fill(3, true);  // already there: merges the dirty bit
  EXPECT_TRUE(c.clean(3));
  EXPECT_FALSE(c.clean(3));
}

TEST(Cache, TreePlruAndGeometryErrors) {
  CacheConfig p = level("l2", 4 * 64, 4, 12);  // one set, 4 ways
  p.policy = Replacement::plru;
  Cache c(p);
  for (std::uint64_t l = 0; l < 4; ++l) c.fill(l, false);
  c.access(0, Requester::data, false);
  c.access(2, Requester::data, false);
  EXPECT_EQ(c.fill(9, false).line, 1u) << "the tree points away from 0 and 2";
  std::string field;
  EXPECT_NE(Cache::config_problem(level("x", 3 * 64, 1, 1), &field), "");
  EXPECT_EQ(field, "size");
  EXPECT_EQ(Cache::config_problem(level("x", 12 * 64, 3, 1), &field), "") << "4 sets of 3 ways";
  CacheConfig odd = level("x", 6 * 64, 3, 1);
  odd.policy = Replacement::plru;
  EXPECT_NE(Cache::config_problem(odd, &field), "");
  EXPECT_EQ(field, "policy");
  EXPECT_THROW(Cache(level("l1d", 100, 1, 1)), ConfigError);
  EXPECT_FALSE(Cache(level("l1d", 0, 0, 0)).present());
}

// Memory that records what the hierarchy sends it.
class RecordingMemory : public MemorySide {
 public:
  Picos read_line(PAddr pa, unsigned bytes, Picos at) override {
    reads.push_back({pa, bytes, at});
    return latency;
  }
  Picos write_line(PAddr pa, unsigned bytes, Picos at) override {
    writes.push_back({pa, bytes, at});
    return latency;
  }
  struct Op {
    PAddr pa;
    unsigned bytes;
    Picos at;
  };
  std::vector<Op> reads, writes;
  Picos latency = 100000;  // 100 ns
};

constexpr Picos kCycle = 250;  // 4 GHz

CacheHierarchyConfig small_hierarchy() {
  CacheHierarchyConfig h;
  h.l1i = level("l1i", 1024, 2, 4);
  h.l1d = level("l1d", 1024, 2, 4);
  h.l2 = level("l2", 4096, 4, 12);
  h.llc = level("llc", 16384, 4, 42, true);
  h.cycle = kCycle;
  return h;
}

TEST(CacheHierarchy, LatencyIsTheLevelThatAnswers) {
  RecordingMemory mem;
  CacheHierarchy h(small_hierarchy(), mem);
  // Cold: every level misses; the LLC's lookup then memory.
  EXPECT_EQ(h.access(0x1000, 8, Requester::data, false, 5), 42 * kCycle + mem.latency);
  ASSERT_EQ(mem.reads.size(), 1u);
  EXPECT_EQ(mem.reads[0].pa, 0x1000u);
  EXPECT_EQ(mem.reads[0].bytes, 64u);
  EXPECT_EQ(mem.reads[0].at, 5 + 42 * kCycle);
  EXPECT_EQ(h.access(0x1008, 8, Requester::data, false, 0), 4 * kCycle) << "same line: L1D";
  EXPECT_EQ(h.access(0x1000, 4, Requester::inst, false, 0), 12 * kCycle) << "L1I misses, L2 hits";
  EXPECT_EQ(h.first_level_hit(Requester::data), 4 * kCycle);
  EXPECT_EQ(h.served(Requester::data, CacheLevel::memory), 1u);
  EXPECT_EQ(h.served(Requester::data, CacheLevel::l1d), 1u);
  EXPECT_EQ(h.served(Requester::inst, CacheLevel::l2), 1u);
  // An access across a line boundary looks up both lines.
  EXPECT_EQ(h.access(0x103c, 8, Requester::data, false, 0), 42 * kCycle + mem.latency);
  EXPECT_EQ(mem.reads.size(), 2u);
  EXPECT_EQ(mem.reads[1].pa, 0x1040u);
}

TEST(CacheHierarchy, DirtyLinesWriteBackDownTheLevelsToMemory) {
  CacheHierarchyConfig cfg = small_hierarchy();
  cfg.l1d = level("l1d", 128, 1, 4);  // 2 lines, direct-mapped
  cfg.l2 = level("l2", 0, 0, 0);      // absent: L1D victims go to the LLC
  cfg.llc = level("llc", 256, 1, 42, true);
  RecordingMemory mem;
  CacheHierarchy h(cfg, mem);
  h.access(0x0, 8, Requester::data, true, 0);    // line 0 dirty in L1D
  h.access(0x80, 8, Requester::data, false, 0);  // same L1D set: line 0 to the LLC, dirty
  EXPECT_TRUE(mem.writes.empty());
  EXPECT_EQ(h.level(CacheLevel::l1d).stats().writebacks, 1u);
  h.access(0x100, 8, Requester::data, false, 0);  // same LLC set as line 0: out to memory
  ASSERT_EQ(mem.writes.size(), 1u);
  EXPECT_EQ(mem.writes[0].pa, 0x0u);
}

TEST(CacheHierarchy, InclusiveLevelBackInvalidatesTheLevelsAbove) {
  CacheHierarchyConfig cfg = small_hierarchy();
  cfg.llc = level("llc", 128, 2, 42, true);  // one set of two lines
  RecordingMemory mem;
  CacheHierarchy h(cfg, mem);
  h.access(0x0000, 8, Requester::data, true, 0);  // dirty in L1D, clean in L2 and LLC
  h.access(0x1000, 8, Requester::data, false, 0);
  h.access(0x2000, 8, Requester::data, false, 0);  // the LLC evicts line 0
  EXPECT_EQ(h.level(CacheLevel::l1d).stats().back_invalidations, 1u);
  EXPECT_EQ(h.level(CacheLevel::l2).stats().back_invalidations, 1u);
  ASSERT_EQ(mem.writes.size(), 1u) << "the L1D's dirty copy reaches memory";
  EXPECT_EQ(mem.writes[0].pa, 0x0u);
  EXPECT_GT(h.access(0x0, 8, Requester::data, false, 0), 42 * kCycle) << "gone from every level";
}

TEST(CacheHierarchy, WalkerEntersAtItsLevelAndMemoryMeansUncached) {
  CacheHierarchyConfig cfg = small_hierarchy();
  cfg.walker_entry = CacheLevel::l2;
  RecordingMemory mem;
  CacheHierarchy h(cfg, mem);
  h.access(0x5000, 8, Requester::walker, false, 0);
  EXPECT_EQ(h.level(CacheLevel::l1d).stats().accesses[2], 0u);
  EXPECT_EQ(h.access(0x5000, 8, Requester::walker, false, 0), 12 * kCycle);
  cfg.walker_entry = CacheLevel::memory;
  RecordingMemory m2;
  CacheHierarchy direct(cfg, m2);
  EXPECT_EQ(direct.access(0x5008, 8, Requester::walker, true, 7), m2.latency);
  ASSERT_EQ(m2.writes.size(), 1u);
  EXPECT_EQ(m2.writes[0].bytes, 8u) << "no cache: the access itself, its own size";
  EXPECT_EQ(direct.first_level_hit(Requester::walker), 0u);
}

TEST(CacheHierarchy, DeviceWritesInvalidateAndReadsCleanDirtyLines) {
  RecordingMemory mem;
  CacheHierarchy h(small_hierarchy(), mem);
  h.access(0x3000, 8, Requester::data, true, 0);
  h.access(0x3040, 8, Requester::data, false, 0);
  h.snoop(0x3000, 8, false, 0);  // a device reads the dirty line
  EXPECT_EQ(h.level(CacheLevel::l1d).stats().snoop_writebacks, 1u);
  EXPECT_EQ(mem.writes.size(), 1u);
  h.snoop(0x3000, 128, true, 0);  // and writes both lines
  EXPECT_EQ(h.level(CacheLevel::l1d).stats().snoop_invalidations, 2u);
  EXPECT_EQ(h.level(CacheLevel::llc).stats().snoop_invalidations, 2u);
  EXPECT_GT(h.access(0x3040, 8, Requester::data, false, 0), 42 * kCycle);
}

TEST(CacheHierarchy, WbinvdWritesEachDirtyLineOnceAndEmptiesEveryLevel) {
  RecordingMemory mem;
  CacheHierarchy h(small_hierarchy(), mem);
  for (PAddr a = 0; a < 0x400; a += 64) h.access(a, 8, Requester::data, true, 0);
  EXPECT_EQ(h.write_back_and_invalidate(0), mem.latency);
  EXPECT_EQ(mem.writes.size(), 16u);
  mem.reads.clear();
  h.access(0x0, 8, Requester::data, false, 0);
  EXPECT_EQ(mem.reads.size(), 1u);
}

TEST(CacheParams, SkylakeDefaultsAndErrorsNameTheParameter) {
  Params p = platform_defaults();
  const CacheHierarchyConfig c = CacheHierarchyConfig::from_params(p);
  EXPECT_EQ(c.l1d.size, 32u << 10);
  EXPECT_EQ(c.l1d.ways, 8u);
  EXPECT_EQ(c.l1d.hit_cycles, 4u);
  EXPECT_EQ(c.l2.size, 256u << 10);
  EXPECT_EQ(c.l2.hit_cycles, 12u);
  EXPECT_EQ(c.llc.size, 8u << 20);
  EXPECT_EQ(c.llc.hit_cycles, 42u);
  EXPECT_TRUE(c.llc.inclusive);
  EXPECT_EQ(c.walker_entry, CacheLevel::l1d);
  p.set("cache.l2.size", "96K");
  try {
    CacheHierarchyConfig::from_params(p);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cache.l2.size: ", 0), 0u) << e.what();
  }
  p = platform_defaults();
  p.apply_preset("tiny");
  EXPECT_EQ(CacheHierarchyConfig::from_params(p).l1d.size, 4096u);
}

}  // namespace
}  // namespace mmvp
