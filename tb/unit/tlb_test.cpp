// Unit tests of TlbArray (placement, replacement, invalidation) and Tlb (levels of
// page-size arrays, fracturing, statistics).
#include "hw/mmu/tlb.h"

#include <gtest/gtest.h>

#include <vector>

namespace mmvp {
namespace {

TlbArrayConfig array_cfg(unsigned entries, unsigned ways, Replacement policy = Replacement::lru,
                         std::uint8_t sizes = 1, std::uint64_t seed = 1) {
  TlbArrayConfig c;
  c.name = "test";
  c.entries = entries;
  c.ways = ways;
  c.policy = policy;
  c.sizes = sizes;
  c.seed = seed;
  return c;
}

Translation page(std::uint64_t vpn, PageSize size = PageSize::size_4k, bool global = false) {
  Translation t;
  t.vpn = vpn;
  t.pfn = vpn + 0x1000;
  t.size = size;
  t.writable = true;
  t.global = global;
  return t;
}

LAddr la_of(std::uint64_t vpn, PageSize size = PageSize::size_4k) {
  return vpn << page_shift(size);
}

bool has(TlbArray& a, std::uint64_t vpn, PageSize size = PageSize::size_4k) {
  return a.lookup(la_of(vpn, size), size) != nullptr;
}

TEST(TlbArray, GeometryOfSetAssociativeAndFullyAssociativeArrays) {
  TlbArray sa(array_cfg(64, 4));
  EXPECT_EQ(sa.sets(), 16u);
  EXPECT_EQ(sa.ways(), 4u);
  TlbArray fa0(array_cfg(8, 0));
  EXPECT_EQ(fa0.sets(), 1u);
  EXPECT_EQ(fa0.ways(), 8u);
  TlbArray fa(array_cfg(8, 8));
  EXPECT_EQ(fa.sets(), 1u);
  TlbArray dm(array_cfg(16, 1));
  EXPECT_EQ(dm.sets(), 16u);
  EXPECT_EQ(dm.ways(), 1u);
}

TEST(TlbArray, ConfigErrorsNameTheArray) {
  TlbArrayConfig c = array_cfg(48, 5);
  c.name = "mmu.dtlb.l1_4k";
  try {
    TlbArray a(c);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "mmu.dtlb.l1_4k: 48 entries are not divisible by 5 ways");
  }
  c = array_cfg(48, 4);  // 12 sets
  c.name = "stlb.l2";
  try {
    TlbArray a(c);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("stlb.l2: "), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("12 sets, not a power of two"), std::string::npos);
  }
  EXPECT_THROW(TlbArray(array_cfg(1536, 12, Replacement::plru)), ConfigError);
  EXPECT_THROW(TlbArray(array_cfg(4, 8)), ConfigError);
  EXPECT_THROW(TlbArray(array_cfg(4, 4, Replacement::lru, 0)), ConfigError);
  EXPECT_NO_THROW(TlbArray(array_cfg(1536, 12, Replacement::lru)));
  EXPECT_NO_THROW(TlbArray(array_cfg(1536, 12, Replacement::random)));
  std::string field;
  EXPECT_FALSE(TlbArray::config_problem(array_cfg(12, 12, Replacement::plru), &field).empty());
  EXPECT_EQ(field, "policy");
  EXPECT_TRUE(TlbArray::config_problem(array_cfg(0, 5)).empty()) << "absent arrays are valid";
}

TEST(TlbArray, ReplacementNamesRoundTrip) {
  for (Replacement r : {Replacement::lru, Replacement::plru, Replacement::random}) {
    Replacement parsed = Replacement::lru;
    ASSERT_TRUE(parse_replacement(replacement_name(r), parsed));
    EXPECT_EQ(parsed, r);
  }
  Replacement out = Replacement::plru;
  EXPECT_FALSE(parse_replacement("fifo", out));
  EXPECT_EQ(out, Replacement::plru);
}

TEST(TlbArray, InvalidWaysFillFirstLowestIndexFirst) {
  for (Replacement r : {Replacement::lru, Replacement::plru, Replacement::random}) {
    TlbArray a(array_cfg(4, 4, r));
    for (std::uint64_t v = 0; v < 4; ++v) EXPECT_FALSE(a.insert(page(v)));
    auto state = a.set_state(0);
    ASSERT_EQ(state.size(), 4u);
    for (unsigned w = 0; w < 4; ++w) {
      EXPECT_TRUE(state[w].valid);
      EXPECT_EQ(state[w].t.vpn, w) << replacement_name(r);
    }
    EXPECT_EQ(a.stats().evictions, 0u);
    a.invalidate(la_of(2));
    EXPECT_FALSE(a.insert(page(9))) << "the invalid way is reused without eviction";
    EXPECT_EQ(a.set_state(0)[2].t.vpn, 9u);
  }
}

TEST(TlbArray, LruEvictsLeastRecentlyUsed) {
  TlbArray a(array_cfg(4, 4, Replacement::lru));
  for (std::uint64_t v = 0; v < 4; ++v) a.insert(page(v));
  ASSERT_TRUE(has(a, 0));
  ASSERT_TRUE(has(a, 1));
  ASSERT_TRUE(has(a, 2));
  Translation victim;
  EXPECT_TRUE(a.insert(page(4), &victim));
  EXPECT_EQ(victim.vpn, 3u);
  EXPECT_TRUE(a.insert(page(5), &victim));
  EXPECT_EQ(victim.vpn, 0u);
  EXPECT_TRUE(has(a, 1));
  EXPECT_TRUE(a.insert(page(6), &victim));
  EXPECT_EQ(victim.vpn, 2u);
  EXPECT_EQ(a.stats().evictions, 3u);
}

TEST(TlbArray, TreePlruDiffersFromLruOnAKnownSequence) {
  // Fill A B C D (ways 0..3), use A, B, C. True LRU evicts D; tree-PLRU's root points
  // at the left pair (C was used last) and the left node at A (B was used after A).
  auto run = [](Replacement r) {
    TlbArray a(array_cfg(4, 4, r));
    for (std::uint64_t v = 0; v < 4; ++v) a.insert(page(v));
    has(a, 0);
    has(a, 1);
    has(a, 2);
    Translation victim;
    EXPECT_TRUE(a.insert(page(4), &victim));
    return victim.vpn;
  };
  EXPECT_EQ(run(Replacement::lru), 3u);
  EXPECT_EQ(run(Replacement::plru), 0u);
}

TEST(TlbArray, TreePlruOnEightWays) {
  TlbArray a(array_cfg(8, 8, Replacement::plru));
  for (std::uint64_t v = 0; v < 8; ++v) a.insert(page(v));
  // After filling 0..7 in order every node points away from the last use: victim 0.
  Translation victim;
  a.insert(page(8), &victim);
  EXPECT_EQ(victim.vpn, 0u);
  // Filling way 0 pointed the root at ways 4..7 and its subtree at ways 2..3; a hit on
  // way 4 turns the root back to 0..3, whose node still points at 2..3, then at way 2
  // (way 3 was used after way 2). True LRU would pick way 1 here.
  has(a, 4);
  a.insert(page(9), &victim);
  EXPECT_EQ(victim.vpn, 2u);
}

TEST(TlbArray, RandomReplacementIsDeterministicPerSeed) {
  auto victims = [](std::uint64_t seed) {
    TlbArray a(array_cfg(8, 8, Replacement::random, 1, seed));
    std::vector<std::uint64_t> out;
    for (std::uint64_t v = 0; v < 200; ++v) {
      Translation victim;
      if (a.insert(page(v), &victim)) out.push_back(victim.vpn);
    }
    return out;
  };
  auto a = victims(42), b = victims(42), c = victims(7);
  EXPECT_EQ(a.size(), 192u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Every way is eventually chosen.
  TlbArray arr(array_cfg(8, 8, Replacement::random, 1, 3));
  for (std::uint64_t v = 0; v < 8; ++v) arr.insert(page(v));
  std::vector<bool> seen(8, false);
  for (std::uint64_t v = 8; v < 200; ++v) {
    Translation victim;
    arr.insert(page(v), &victim);
    auto state = arr.set_state(0);
    for (unsigned w = 0; w < 8; ++w)
      if (state[w].t.vpn == v) seen[w] = true;
  }
  for (unsigned w = 0; w < 8; ++w) EXPECT_TRUE(seen[w]) << "way " << w;
}

TEST(TlbArray, DirectMappedConflicts) {
  TlbArray a(array_cfg(4, 1));
  a.insert(page(0));
  a.insert(page(1));
  Translation victim;
  EXPECT_TRUE(a.insert(page(4), &victim));  // 4 & 3 == 0: same set as page 0
  EXPECT_EQ(victim.vpn, 0u);
  EXPECT_FALSE(has(a, 0));
  EXPECT_TRUE(has(a, 1));
  EXPECT_TRUE(has(a, 4));
}

TEST(TlbArray, SetIndexUsesLowVpnBits) {
  TlbArray a(array_cfg(8, 2));  // 4 sets
  a.insert(page(0));
  a.insert(page(4));
  a.insert(page(1));
  EXPECT_EQ(a.set_state(0)[0].t.vpn, 0u);
  EXPECT_EQ(a.set_state(0)[1].t.vpn, 4u);
  EXPECT_EQ(a.set_state(1)[0].t.vpn, 1u);
  EXPECT_FALSE(a.set_state(1)[1].valid);
  Translation victim;
  EXPECT_TRUE(a.insert(page(8), &victim));
  EXPECT_EQ(victim.vpn, 0u);
  EXPECT_TRUE(has(a, 1));
  EXPECT_TRUE(a.set_state(9).empty());
}

TEST(TlbArray, FullyAssociativeHoldsAnyPages) {
  TlbArray a(array_cfg(16, 0));
  for (std::uint64_t v = 0; v < 16; ++v) a.insert(page(v * 1024));
  for (std::uint64_t v = 0; v < 16; ++v) EXPECT_TRUE(has(a, v * 1024));
  EXPECT_EQ(a.stats().evictions, 0u);
}

TEST(TlbArray, LookupHitsAnywhereInThePageAndNotNextDoor) {
  TlbArray a(array_cfg(4, 4, Replacement::lru, 0b111));
  a.insert(page(3, PageSize::size_2m));
  const Translation* t = a.lookup(la_of(3, PageSize::size_2m) + 0x1ABCDE, PageSize::size_2m);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->physical(la_of(3, PageSize::size_2m) + 0x1ABCDE), (PAddr(0x1003) << 21) + 0x1ABCDE);
  EXPECT_EQ(a.lookup(la_of(4, PageSize::size_2m), PageSize::size_2m), nullptr);
  // The same vpn at another size is another page.
  EXPECT_EQ(a.lookup(la_of(3, PageSize::size_4k), PageSize::size_4k), nullptr);
  EXPECT_EQ(a.stats().hits, 1u);
}

TEST(TlbArray, InsertOfAPresentPageUpdatesInPlace) {
  TlbArray a(array_cfg(2, 2));
  a.insert(page(1));
  a.insert(page(2));
  Translation t = page(1);
  t.dirty = true;
  t.pfn = 0x777;
  EXPECT_FALSE(a.insert(t));
  EXPECT_EQ(a.stats().evictions, 0u);
  const Translation* got = a.lookup(la_of(1), PageSize::size_4k);
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(got->dirty);
  EXPECT_EQ(got->pfn, 0x777u);
  EXPECT_TRUE(has(a, 2));
}

TEST(TlbArray, InvalidateDropsEverySizeCoveringTheAddress) {
  TlbArray a(array_cfg(8, 8, Replacement::lru, 0b011));
  a.insert(page(0x200, PageSize::size_4k, true));  // 4K page at 0x200000, global
  a.insert(page(1, PageSize::size_2m));            // 2M page at 0x200000
  a.insert(page(0x201));
  a.invalidate(0x200123);
  EXPECT_FALSE(has(a, 0x200));
  EXPECT_FALSE(has(a, 1, PageSize::size_2m));
  EXPECT_TRUE(has(a, 0x201));
  EXPECT_EQ(a.stats().invalidations, 2u);
}

TEST(TlbArray, FlushKeepsGlobalEntriesOnlyWhenAsked) {
  TlbArray a(array_cfg(8, 2));
  a.insert(page(1, PageSize::size_4k, true));
  a.insert(page(2));
  a.insert(page(3));
  a.flush(true);
  EXPECT_TRUE(has(a, 1));
  EXPECT_FALSE(has(a, 2));
  EXPECT_FALSE(has(a, 3));
  a.flush(false);
  EXPECT_FALSE(has(a, 1));
  EXPECT_EQ(a.stats().invalidations, 3u);
}

TEST(TlbArray, ReportNamesEveryCounter) {
  TlbArray a(array_cfg(2, 2));
  a.insert(page(1));
  a.insert(page(2));
  a.insert(page(3));
  has(a, 3);
  a.flush(false);
  StatsReport r;
  a.report(r, "x.l1_4k");
  EXPECT_EQ(r.u64("x.l1_4k.hits"), 1u);
  EXPECT_EQ(r.u64("x.l1_4k.fills"), 3u);
  EXPECT_EQ(r.u64("x.l1_4k.evictions"), 1u);
  EXPECT_EQ(r.u64("x.l1_4k.invalidations"), 2u);
}

// ---------------------------------------------------------------------------------------
// Tlb levels

std::vector<TlbArrayConfig> skylake_dtlb() {
  auto a4 = array_cfg(64, 4, Replacement::lru, 0b001);
  a4.name = "l1_4k";
  auto a2 = array_cfg(32, 4, Replacement::lru, 0b010);
  a2.name = "l1_2m";
  auto a1 = array_cfg(4, 4, Replacement::lru, 0b100);
  a1.name = "l1_1g";
  return {a1, a2, a4};  // deliberately out of order: the level probes 4K first
}

TEST(Tlb, EveryPageSizeGoesToItsArray) {
  Tlb tlb("dtlb", skylake_dtlb());
  ASSERT_EQ(tlb.arrays().size(), 3u);
  EXPECT_EQ(tlb.arrays()[0].config().name, "l1_4k");
  const LAddr la4 = 0x7000'1234, la2 = 0x4020'0000 + 0x5678, la1 = 0x80'0000'0000ULL + 0x123456;
  Translation t4 = page(la4 >> 12), t2 = page(la2 >> 21, PageSize::size_2m),
              t1 = page(la1 >> 30, PageSize::size_1g);
  tlb.insert(la4, t4);
  tlb.insert(la2, t2);
  tlb.insert(la1, t1);
  EXPECT_EQ(tlb.arrays()[0].stats().fills, 1u);
  EXPECT_EQ(tlb.arrays()[1].stats().fills, 1u);
  EXPECT_EQ(tlb.arrays()[2].stats().fills, 1u);
  for (LAddr la : {la4, la2, la1}) {
    const Translation* t = tlb.lookup(la);
    ASSERT_NE(t, nullptr) << std::hex << la;
  }
  EXPECT_EQ(tlb.lookup(la1)->size, PageSize::size_1g);
  EXPECT_EQ(tlb.lookup(la1)->physical(la1), (PAddr(t1.pfn) << 30) | (la1 & 0x3FFFFFFF));
  EXPECT_EQ(tlb.lookup(la4 + 0x1000), nullptr);
  EXPECT_EQ(tlb.stats().lookups, 6u);
  EXPECT_EQ(tlb.stats().hits, 5u);
  EXPECT_EQ(tlb.stats().misses, 1u);
}

TEST(Tlb, SharedArrayHolds4kAnd2mPages) {
  auto shared = array_cfg(16, 4, Replacement::lru, 0b011);
  shared.name = "l2_4k";
  Tlb stlb("stlb", {shared});
  const LAddr big = 0x4000'0000, small = 0x1234'5000;
  stlb.insert(big, page(big >> 21, PageSize::size_2m));
  stlb.insert(small, page(small >> 12));
  ASSERT_NE(stlb.lookup(big + 0x1F'F000), nullptr);
  EXPECT_EQ(stlb.lookup(big + 0x1F'F000)->size, PageSize::size_2m);
  EXPECT_EQ(stlb.lookup(small)->size, PageSize::size_4k);
  EXPECT_EQ(stlb.arrays()[0].stats().fills, 2u);
  stlb.invalidate(big + 0x12345);
  EXPECT_EQ(stlb.lookup(big), nullptr);
  EXPECT_NE(stlb.lookup(small), nullptr);
}

TEST(Tlb, LargePagesFractureToTheLargestSmallerSizeHeld) {
  auto a4 = array_cfg(8, 2, Replacement::lru, 0b001);
  a4.name = "l1_4k";
  Tlb tlb("itlb", {a4});
  const LAddr base = 0x60'0000, la = base + 0x5123;
  Translation t2 = page(base >> 21, PageSize::size_2m);
  t2.pfn = 0x4000'0000 >> 21;
  tlb.insert(la, t2);
  const Translation* t = tlb.lookup(la);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->size, PageSize::size_4k);
  EXPECT_EQ(t->vpn, la >> 12);
  EXPECT_EQ(t->physical(la), 0x4000'0000u + 0x5123);
  EXPECT_EQ(tlb.lookup(la + 0x1000), nullptr) << "only the 4K piece around la is cached";

  // A 1G page with 4K and 2M arrays becomes a 2M piece.
  auto a2 = array_cfg(4, 0, Replacement::lru, 0b010);
  a2.name = "l1_2m";
  Tlb tlb2("itlb", {a4, a2});
  const LAddr la1 = 0x40'0000'0000ULL + 0x2345'6789;
  Translation t1 = page(la1 >> 30, PageSize::size_1g);
  t1.pfn = 3;  // physical 3G
  tlb2.insert(la1, t1);
  const Translation* p = tlb2.lookup(la1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->size, PageSize::size_2m);
  EXPECT_EQ(p->physical(la1), (3ULL << 30) + 0x2345'6789);
  EXPECT_EQ(tlb2.arrays()[0].stats().fills, 0u);
  EXPECT_EQ(tlb2.arrays()[1].stats().fills, 1u);

  // Nothing smaller held: a 2M-only level cannot hold a 4K page.
  Tlb only2m("x", {a2});
  EXPECT_FALSE(only2m.insert(0x1000, page(1)));
  EXPECT_EQ(only2m.lookup(0x1000), nullptr);
}

TEST(Tlb, AbsentLevelAlwaysMisses) {
  Tlb none("itlb", {array_cfg(0, 0), array_cfg(0, 4)});
  EXPECT_FALSE(none.present());
  EXPECT_FALSE(none.insert(0x1000, page(1)));
  EXPECT_EQ(none.lookup(0x1000), nullptr);
  none.invalidate(0x1000);
  none.flush(false);
  EXPECT_EQ(none.stats().misses, 1u);
}

TEST(Tlb, GlobalEntriesSurviveNonGlobalFlushInEveryArray) {
  Tlb tlb("dtlb", skylake_dtlb());
  tlb.insert(0x1000, page(1, PageSize::size_4k, true));
  tlb.insert(0x2000, page(2));
  tlb.insert(0x20'0000, page(1, PageSize::size_2m, true));
  tlb.insert(0x40'0000, page(2, PageSize::size_2m));
  tlb.flush(true);
  EXPECT_NE(tlb.lookup(0x1000), nullptr);
  EXPECT_EQ(tlb.lookup(0x2000), nullptr);
  EXPECT_NE(tlb.lookup(0x20'0000), nullptr);
  EXPECT_EQ(tlb.lookup(0x40'0000), nullptr);
  tlb.invalidate(0x1000);
  EXPECT_EQ(tlb.lookup(0x1000), nullptr) << "INVLPG drops global entries too";
  tlb.flush(false);
  EXPECT_EQ(tlb.lookup(0x20'0000), nullptr);
}

TEST(Tlb, ReportHasLevelAndArrayCounters) {
  Tlb tlb("dtlb", skylake_dtlb());
  tlb.insert(0x1000, page(1));
  tlb.lookup(0x1000);
  tlb.lookup(0x5000);
  tlb.lookup(0x6000);
  tlb.lookup(0x1000);
  StatsReport r;
  tlb.report(r, "mmu.dtlb");
  EXPECT_EQ(r.u64("mmu.dtlb.lookups"), 4u);
  EXPECT_EQ(r.u64("mmu.dtlb.hits"), 2u);
  EXPECT_EQ(r.u64("mmu.dtlb.misses"), 2u);
  const auto* rate = r.find("mmu.dtlb.miss_rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_DOUBLE_EQ(std::get<double>(rate->value), 0.5);
  EXPECT_EQ(r.u64("mmu.dtlb.l1_4k.hits"), 2u);
  EXPECT_EQ(r.u64("mmu.dtlb.l1_2m.fills"), 0u);
  EXPECT_EQ(r.u64("mmu.dtlb.l1_1g.evictions"), 0u);
}

}  // namespace
}  // namespace mmvp
