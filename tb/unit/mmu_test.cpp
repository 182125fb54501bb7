// Unit tests of the MMU: TLB hierarchy and latency, checks on TLB hits, dirty re-walks,
// invalidation (INVLPG, CR3 writes, faults), paging-structure caches, statistics and the
// mmu.* parameters and presets.
#include "hw/mmu/mmu.h"

#include <gtest/gtest.h>

#include <vector>

#include "hw/platform/platform_params.h"
#include "tb/unit/paging_fixture.h"

namespace mmvp {
namespace {

using namespace mmvp::test;
constexpr unsigned kL1Cycles = 1, kL2Cycles = 9;

MmuConfig small_config() {
  MmuConfig c;
  c.dtlb = {tlb_array("l1_4k", 8, 2, 1), tlb_array("l1_2m", 4, 0, 2), tlb_array("l1_1g", 2, 0, 4)};
  c.itlb = {tlb_array("l1_4k", 8, 2, 1)};
  c.stlb = {tlb_array("l2_4k", 32, 4, 3), tlb_array("l2_1g", 4, 0, 4)};
  c.maxphyaddr = 46;
  c.cycle = kCycle;
  c.l1_hit_cycles = kL1Cycles;
  c.l2_hit_cycles = kL2Cycles;
  c.walk_step_cycles = 1;
  return c;
}

class RecordingObserver : public MmuObserver {
 public:
  void tlb_result(TlbLevel level, bool hit, Picos offset) override {
    events.push_back({static_cast<int>(level), hit, offset});
  }
  void walk_level(unsigned level, Picos offset) override {
    events.push_back({10 + static_cast<int>(level), true, offset});
  }
  struct Event {
    int what;  // TlbLevel, or 10 + walk level
    bool hit;
    Picos offset;
  };
  std::vector<Event> events;
};

constexpr LAddr kLa = 0x0000'7F12'3456'7ABCULL;
constexpr Picos kFullWalk = 4 * (kReadLatency + kCycle);

class MmuTest : public ::testing::Test {
 protected:
  MmuTest() : MmuTest(small_config()) {}
  explicit MmuTest(const MmuConfig& cfg) : mmu(cfg, mem) {
    ctx.cr0 = cr0::PE | cr0::PG | cr0::WP;
    ctx.cr4 = cr4::PAE | cr4::PGE;
    ctx.efer = efer::LME | efer::LMA | efer::NXE;
    ctx.cr3 = pt.root();
  }
  TranslateResult tr(LAddr la, AccessKind k = AccessKind::read) {
    return mmu.translate(la, k, ctx);
  }

  FakeMemory mem;
  PageTables pt{mem};
  Mmu mmu;
  PagingContext ctx;
};

TEST_F(MmuTest, PagingDisabledIsTheIdentity) {
  ctx.cr0 = cr0::PE;
  TranslateResult r = tr(0x1234'5678, AccessKind::write);
  EXPECT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.pa, 0x1234'5678u);
  EXPECT_EQ(mmu.dtlb().stats().lookups, 0u);
  EXPECT_EQ(mem.reads, 0u);
}

TEST_F(MmuTest, NonCanonicalAddressRaisesGeneralProtection) {
  TranslateResult r = tr(0x0000'8000'0000'0000ULL);
  EXPECT_EQ(r.fault, FaultKind::general_protection);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(mmu.stats().gp_faults, 1u);
  EXPECT_EQ(mmu.stats().walks, 0u);
  EXPECT_EQ(mmu.dtlb().stats().lookups, 0u);
  EXPECT_EQ(tr(0xFFFF'8000'0000'0000ULL).fault, FaultKind::page_fault) << "canonical, unmapped";
  ctx.cr4 |= cr4::LA57;  // not supported by this CPU: still 4-level
  EXPECT_EQ(tr(0x0000'8000'0000'0000ULL).fault, FaultKind::general_protection);
}

TEST(MmuLa57, FiveLevelCanonicalForm) {
  MmuConfig cfg = small_config();
  cfg.la57_supported = true;
  FakeMemory mem;
  Mmu mmu(cfg, mem);
  PagingContext ctx;
  ctx.cr0 = cr0::PE | cr0::PG;
  ctx.cr4 = cr4::PAE | cr4::LA57;
  ctx.efer = efer::LME | efer::LMA;  // 5-level paging is an IA-32e mode
  ctx.cr3 = 0x100000;
  EXPECT_EQ(mmu.translate(0x0000'8000'0000'0000ULL, AccessKind::read, ctx).fault,
            FaultKind::page_fault);
  EXPECT_EQ(mmu.translate(0x0100'0000'0000'0000ULL, AccessKind::read, ctx).fault,
            FaultKind::general_protection);
  EXPECT_EQ(mmu.translate(0xFF00'0000'0000'0000ULL, AccessKind::read, ctx).fault,
            FaultKind::page_fault);
  EXPECT_EQ(mmu.stats().gp_faults, 1u);
}

TEST_F(MmuTest, WalkThenL1HitThenL2HitLatencies) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::A);
  for (unsigned level = 2; level <= 4; ++level) pt.entry(kLa, level) |= pte::A;
  TranslateResult walk = tr(kLa);
  ASSERT_EQ(walk.fault, FaultKind::none);
  EXPECT_EQ(walk.pa, 0x5ABCu);
  EXPECT_EQ(walk.latency, kL2Cycles * kCycle + kFullWalk);
  TranslateResult l1 = tr(kLa + 8);
  EXPECT_EQ(l1.pa, 0x5AC4u);
  EXPECT_EQ(l1.latency, kL1Cycles * kCycle);
  TranslateResult l2 = tr(kLa, AccessKind::fetch);  // ITLB miss, STLB hit
  EXPECT_EQ(l2.pa, 0x5ABCu);
  EXPECT_EQ(l2.latency, kL2Cycles * kCycle);
  EXPECT_EQ(tr(kLa, AccessKind::fetch).latency, kL1Cycles * kCycle) << "the ITLB was filled";
  EXPECT_EQ(mmu.stats().walks, 1u);
  EXPECT_EQ(mmu.stats().walk_picos, kFullWalk);
  EXPECT_EQ(mmu.dtlb().stats().hits, 1u);
  EXPECT_EQ(mmu.itlb().stats().hits, 1u);
  EXPECT_EQ(mmu.stlb().stats().hits, 1u);
  EXPECT_EQ(mmu.stlb().stats().misses, 1u);
  EXPECT_EQ(mmu.stats().translate_picos,
            walk.latency + l1.latency + l2.latency + kL1Cycles * kCycle);
}

TEST_F(MmuTest, ObserverSeesTlbResultsAndWalkLevels) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  RecordingObserver obs;
  mmu.set_observer(&obs);
  tr(kLa);
  ASSERT_EQ(obs.events.size(), 7u);
  EXPECT_EQ(obs.events[0].what, int(MmuObserver::TlbLevel::l1d));
  EXPECT_FALSE(obs.events[0].hit);
  EXPECT_EQ(obs.events[1].what, int(MmuObserver::TlbLevel::l2));
  EXPECT_FALSE(obs.events[1].hit);
  EXPECT_EQ(obs.events[1].offset, kL2Cycles * kCycle);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(obs.events[2 + i].what, 10 + 4 - i);
    EXPECT_EQ(obs.events[2 + i].offset, kL2Cycles * kCycle + i * (kReadLatency + kCycle));
  }
  EXPECT_EQ(obs.events[6].what, 10);
  obs.events.clear();
  tr(kLa, AccessKind::fetch);
  ASSERT_EQ(obs.events.size(), 2u);
  EXPECT_EQ(obs.events[0].what, int(MmuObserver::TlbLevel::l1i));
  EXPECT_TRUE(obs.events[1].hit);
}

TEST_F(MmuTest, LargePagesFillTheirArraysAndFractureWhereNeeded) {
  const LAddr la2m = 0x4060'0000 + 0x12345, la1g = 0x00C0'0000'0000ULL + 0x2345'6789;
  pt.map(la2m, 0x8020'0000, PageSize::size_2m, kUserRW);
  pt.map(la1g, 0x40'0000'0000ULL, PageSize::size_1g, kUserRW);
  EXPECT_EQ(tr(la2m).pa, 0x8020'0000u + 0x12345);
  EXPECT_EQ(tr(la1g).pa, 0x40'0000'0000ULL + 0x2345'6789);
  const auto& d = mmu.dtlb().arrays();
  EXPECT_EQ(d[1].stats().fills, 1u);
  EXPECT_EQ(d[2].stats().fills, 1u);
  EXPECT_EQ(mmu.stlb().arrays()[0].stats().fills, 1u) << "shared 4K/2M array took the 2M page";
  EXPECT_EQ(mmu.stlb().arrays()[1].stats().fills, 1u);
  // Other offsets in the large pages hit the L1 DTLB.
  EXPECT_EQ(tr(la2m + 0x10'0000).pa, 0x8020'0000u + 0x12345 + 0x10'0000);
  EXPECT_EQ(tr(la1g + 0x1000'0000).latency, kL1Cycles * kCycle);
  // The ITLB only holds 4K pages: a fetch caches the 4K piece of the 2M page.
  EXPECT_EQ(tr(la2m, AccessKind::fetch).pa, 0x8020'0000u + 0x12345);
  EXPECT_EQ(mmu.itlb().arrays()[0].stats().fills, 1u);
  EXPECT_EQ(tr(la2m + 0x1000, AccessKind::fetch).latency, kL2Cycles * kCycle);
  EXPECT_EQ(mmu.stats().walks, 2u);
}

TEST_F(MmuTest, TlbHitsAreCheckedLikeWalks) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kP | kUS);  // read-only user page
  ASSERT_EQ(tr(kLa).fault, FaultKind::none);
  ctx.cpl = 3;
  TranslateResult w = tr(kLa, AccessKind::write);
  EXPECT_EQ(w.fault, FaultKind::page_fault);
  EXPECT_EQ(w.error_code, pf::P | pf::W | pf::U);
  EXPECT_EQ(w.latency, kL1Cycles * kCycle);
  EXPECT_EQ(mmu.stats().walks, 1u) << "decided from the TLB";
  EXPECT_EQ(mmu.stats().page_faults, 1u);
  // The fault dropped the entries for kLa from every level: the next read walks.
  ASSERT_EQ(tr(kLa).fault, FaultKind::none);
  EXPECT_EQ(mmu.stats().walks, 2u);
  // SMAP on a TLB hit.
  ctx.cpl = 0;
  ctx.cr4 |= cr4::SMAP;
  EXPECT_EQ(tr(kLa).error_code, pf::P);
  // Supervisor page hit by a user access.
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kP | kRW);
  ASSERT_EQ(tr(kLa + 0x1000).fault, FaultKind::none);
  ctx.cpl = 3;
  EXPECT_EQ(tr(kLa + 0x1000).error_code, pf::P | pf::U);
  EXPECT_EQ(tr(kLa + 0x1000, AccessKind::fetch).error_code, pf::P | pf::U | pf::ID);
}

TEST_F(MmuTest, NxCachedInTheTlbStopsFetches) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::XD);
  ASSERT_EQ(tr(kLa).fault, FaultKind::none);
  TranslateResult f = tr(kLa, AccessKind::fetch);  // ITLB miss, STLB hit
  EXPECT_EQ(f.error_code, pf::P | pf::ID);
  EXPECT_EQ(mmu.stats().walks, 1u);
}

TEST_F(MmuTest, WriteToCleanCachedPageWalksAgainToSetDirty) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ASSERT_EQ(tr(kLa).fault, FaultKind::none);
  EXPECT_FALSE(pt.entry(kLa, 1) & pte::D);
  TranslateResult w = tr(kLa, AccessKind::write);
  ASSERT_EQ(w.fault, FaultKind::none);
  EXPECT_TRUE(pt.entry(kLa, 1) & pte::D);
  EXPECT_EQ(mmu.stats().dirty_walks, 1u);
  EXPECT_EQ(mmu.stats().walks, 2u);
  EXPECT_EQ(w.latency, kL1Cycles * kCycle + kFullWalk + kWriteLatency);
  tr(kLa, AccessKind::write);
  EXPECT_EQ(mmu.stats().walks, 2u) << "the TLB now holds the page as dirty";

  // Through the STLB: a fetch caches a clean entry, a write hits it in L2.
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  ASSERT_EQ(tr(kLa + 0x1000, AccessKind::fetch).fault, FaultKind::none);
  ASSERT_EQ(tr(kLa + 0x1000, AccessKind::write).fault, FaultKind::none);
  EXPECT_EQ(mmu.stats().dirty_walks, 2u);
  EXPECT_TRUE(pt.entry(kLa + 0x1000, 1) & pte::D);
}

TEST_F(MmuTest, StaleTranslationsLiveUntilInvlpg) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  EXPECT_EQ(tr(kLa).pa, 0x5ABCu);
  pt.entry(kLa, 1) = 0x9000 | kUserRW;
  EXPECT_EQ(tr(kLa).pa, 0x5ABCu) << "the TLB is not coherent with memory (SDM 4.10.4)";
  mmu.invlpg(kLa);
  EXPECT_EQ(tr(kLa).pa, 0x9ABCu);
  EXPECT_EQ(mmu.stats().invlpg, 1u);
}

TEST_F(MmuTest, GlobalPagesSurviveCr3WritesButNotInvlpgOrFullFlush) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::G);
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  tr(kLa);
  tr(kLa + 0x1000);
  tr(kLa, AccessKind::fetch);
  const auto walks = mmu.stats().walks;
  mmu.flush_non_global();
  tr(kLa);
  tr(kLa, AccessKind::fetch);
  EXPECT_EQ(mmu.stats().walks, walks) << "global entries kept in DTLB and ITLB";
  tr(kLa + 0x1000);
  EXPECT_EQ(mmu.stats().walks, walks + 1);
  mmu.invlpg(kLa);
  tr(kLa);
  EXPECT_EQ(mmu.stats().walks, walks + 2) << "INVLPG drops global entries";
  mmu.flush_all();
  tr(kLa);
  EXPECT_EQ(mmu.stats().walks, walks + 3);
  EXPECT_EQ(mmu.stats().flushes_non_global, 1u);
  EXPECT_EQ(mmu.stats().flushes_all, 1u);
  // Without CR4.PGE the G bit does not make an entry global.
  ctx.cr4 &= ~cr4::PGE;
  mmu.flush_all();
  tr(kLa);
  mmu.flush_non_global();
  tr(kLa);
  EXPECT_EQ(mmu.stats().walks, walks + 5);
}

// SDM 4.10.1-4.10.4: with PCIDs, entries are tagged with the PCID they were filled
// under; a lookup sees only the current PCID's entries and global ones.
TEST_F(MmuTest, PcidTaggedEntriesSurviveSwitchesAndFlushOnlyTheirOwnPcid) {
  ctx.cr4 |= cr4::PCIDE;
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW | pte::G);
  mmu.set_pcid(1, true);
  EXPECT_EQ(tr(kLa).pa, 0x5ABCu);
  tr(kLa + 0x1000);
  // Another address space under PCID 2 maps kLa elsewhere: PCID 1's entry is not used.
  pt.entry(kLa, 1) = 0x9000 | kUserRW;
  mmu.set_pcid(2, true);
  EXPECT_EQ(tr(kLa).pa, 0x9ABCu);
  const auto walks = mmu.stats().walks;
  tr(kLa + 0x1000);
  EXPECT_EQ(mmu.stats().walks, walks) << "a global entry serves every PCID";
  // Back to PCID 1 without a flush: its old entry answers (the tables are not read).
  mmu.set_pcid(1, true);
  EXPECT_EQ(tr(kLa).pa, 0x5ABCu);
  EXPECT_EQ(mmu.stats().walks, walks);
  EXPECT_EQ(mmu.stats().pcid_switches, 2u);
  // Flushing PCID 2 leaves PCID 1 and global entries; flushing 1 drops its own.
  mmu.flush_pcid(2);
  EXPECT_EQ(tr(kLa).pa, 0x5ABCu);
  mmu.flush_pcid(1);
  EXPECT_EQ(tr(kLa).pa, 0x9ABCu);
  tr(kLa + 0x1000);
  EXPECT_EQ(mmu.stats().walks, walks + 1);
  // INVPCID type 0 of PCID 2 leaves PCID 1's entry for the same page; INVLPG under
  // PCID 1 drops it and the global entry.
  mmu.set_pcid(2, true);
  tr(kLa);
  mmu.invalidate_pcid(kLa, 2);
  mmu.set_pcid(1, true);
  const auto walks2 = mmu.stats().walks;
  tr(kLa);
  EXPECT_EQ(mmu.stats().walks, walks2);
  mmu.invlpg(kLa + 0x1000);
  tr(kLa + 0x1000);
  EXPECT_EQ(mmu.stats().walks, walks2 + 1) << "INVLPG drops global entries";
  // PCIDs off: every entry is one address space again.
  mmu.flush_all();
  mmu.set_pcid(0, false);
  EXPECT_EQ(tr(kLa).pa, 0x9ABCu);
}

TEST_F(MmuTest, FaultsAreNeverCached) {
  ASSERT_EQ(tr(kLa).fault, FaultKind::page_fault);
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  TranslateResult r = tr(kLa);
  EXPECT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.pa, 0x5ABCu);
  EXPECT_EQ(mmu.stats().page_faults, 1u);
}

TEST_F(MmuTest, BusErrorDuringTheWalk) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  mem.limit = pt.root() + 0x1000;  // only the PML4 exists
  TranslateResult r = tr(kLa);
  EXPECT_EQ(r.fault, FaultKind::bus_error);
  EXPECT_GE(r.bus_error_pa, mem.limit);
  mem.limit = 1ULL << 52;
  EXPECT_EQ(tr(kLa).fault, FaultKind::none);
  EXPECT_EQ(mmu.stats().walks, 2u) << "nothing was cached";
}

class MmuPwcTest : public MmuTest {
 protected:
  static MmuConfig pwc_config() {
    MmuConfig c = small_config();
    c.pwc = {true, 2, 4, 32};
    return c;
  }
  MmuPwcTest() : MmuTest(pwc_config()) {}
};

TEST_F(MmuPwcTest, PageWalkCachesShortenWalksUntilInvlpgOrCr3Write) {
  for (unsigned i = 0; i < 4; ++i) pt.map(kLa + i * 0x1000, 0x5000, PageSize::size_4k, kUserRW);
  tr(kLa);
  EXPECT_EQ(mmu.stats().pte_reads, 4u);
  tr(kLa + 0x1000);
  EXPECT_EQ(mmu.stats().pte_reads, 5u);
  EXPECT_EQ(mmu.stats().pwc_hits, 1u);
  mmu.invlpg(kLa + 0x3000);  // flushes the paging-structure caches too
  tr(kLa + 0x2000);
  EXPECT_EQ(mmu.stats().pte_reads, 9u);
  mmu.flush_non_global();
  tr(kLa + 0x3000);
  EXPECT_EQ(mmu.stats().pte_reads, 13u);
  EXPECT_EQ(mmu.stats().pwc_lookups, 4u);
}

TEST_F(MmuTest, ReportNamesEveryStatistic) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  tr(kLa);
  tr(kLa, AccessKind::write);
  tr(0x0000'8000'0000'0000ULL);
  tr(kLa + 0x1000);
  mmu.invlpg(kLa);
  StatsReport r;
  mmu.report(r, "mmu");
  EXPECT_EQ(r.u64("mmu.translations"), 4u);
  EXPECT_EQ(r.u64("mmu.translations_write"), 1u);
  EXPECT_EQ(r.u64("mmu.dtlb.lookups"), 3u);
  EXPECT_EQ(r.u64("mmu.dtlb.l1_4k.fills"), 2u);
  EXPECT_EQ(r.u64("mmu.itlb.lookups"), 0u);
  EXPECT_EQ(r.u64("mmu.stlb.l2_4k.fills"), 2u);
  EXPECT_EQ(r.u64("mmu.walker.walks"), 3u);
  EXPECT_EQ(r.u64("mmu.walker.dirty_walks"), 1u);
  EXPECT_EQ(r.u64("mmu.walker.pte_reads"), 12u);
  EXPECT_EQ(r.u64("mmu.walker.pte_writes"), 5u);
  EXPECT_EQ(r.u64("mmu.walker.walk_cycles"), mmu.stats().walk_picos / kCycle);
  EXPECT_EQ(r.u64("mmu.walker.pwc_hits"), 0u);
  EXPECT_EQ(r.u64("mmu.page_faults"), 1u);
  EXPECT_EQ(r.u64("mmu.gp_faults"), 1u);
  EXPECT_EQ(r.u64("mmu.invlpg"), 1u);
  EXPECT_EQ(r.u64("mmu.flushes_non_global"), 0u);
  EXPECT_EQ(r.u64("mmu.flushes_all"), 0u);
  const auto* avg = r.find("mmu.avg_translation_cycles");
  ASSERT_NE(avg, nullptr);
  EXPECT_NEAR(std::get<double>(avg->value),
              static_cast<double>(mmu.stats().translate_picos) / kCycle / 4, 1e-9);
}

// ---------------------------------------------------------------------------------------
// Parameters and presets

// The platform's own declarations (hw/platform/platform_params.h), as mmvp uses them.
Params platform_params() {
  return platform_defaults();
}

std::string config_error(const Params& p) {
  try {
    MmuConfig::from_params(p);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(MmuParams, DefaultsAreSkylake) {
  Params p = platform_params();
  MmuConfig c = MmuConfig::from_params(p);
  ASSERT_EQ(c.dtlb.size(), 3u);
  EXPECT_EQ(c.dtlb[0].name, "l1_4k");
  EXPECT_EQ(c.dtlb[0].entries, 64u);
  EXPECT_EQ(c.dtlb[0].ways, 4u);
  EXPECT_EQ(c.dtlb[1].entries, 32u);
  EXPECT_EQ(c.dtlb[1].sizes, 2u);
  EXPECT_EQ(c.dtlb[2].entries, 4u);
  EXPECT_EQ(c.dtlb[2].sizes, 4u);
  EXPECT_EQ(c.itlb[0].entries, 128u);
  EXPECT_EQ(c.itlb[0].ways, 8u);
  EXPECT_EQ(c.itlb[1].entries, 8u);
  EXPECT_EQ(c.itlb[2].entries, 0u);
  EXPECT_EQ(c.stlb[0].entries, 1536u);
  EXPECT_EQ(c.stlb[0].ways, 12u);
  EXPECT_EQ(c.stlb[0].policy, Replacement::lru);
  EXPECT_EQ(c.stlb[0].sizes, 3u) << "shares 4K and 2M";
  EXPECT_EQ(c.stlb[1].entries, 0u);
  EXPECT_EQ(c.stlb[2].entries, 16u);
  EXPECT_TRUE(c.pwc.enabled) << "Skylake has paging-structure caches";
  EXPECT_EQ(c.l1_hit_cycles, 0u);
  EXPECT_EQ(c.l2_hit_cycles, 9u);
  EXPECT_EQ(c.walk_step_cycles, 1u);
  EXPECT_EQ(c.maxphyaddr, 46u);
  EXPECT_EQ(c.cycle, 250u);
  EXPECT_FALSE(c.la57_supported);
  FakeMemory mem;
  Mmu mmu(c, mem);  // every array constructs
  EXPECT_EQ(mmu.stlb().arrays()[0].sets(), 128u);
  EXPECT_FALSE(mmu.itlb().arrays().empty());
  for (const ParamSpec* s : p.list()) {
    if (s->name.rfind("mmu.", 0) == 0) {
      EXPECT_FALSE(s->description.empty()) << s->name;
    }
  }
  EXPECT_EQ(p.spec("mmu.dtlb.l1_4k.policy").type, ParamType::choice);
}

TEST(MmuParams, ErrorsNameTheParameter) {
  Params p = platform_params();
  p.set("mmu.dtlb.l1_4k.ways", "5");
  EXPECT_EQ(config_error(p), "mmu.dtlb.l1_4k.ways: 64 entries are not divisible by 5 ways");
  p = platform_params();
  p.set("mmu.dtlb.l1_4k.entries", "48");
  EXPECT_EQ(config_error(p).rfind("mmu.dtlb.l1_4k.entries: ", 0), 0u) << config_error(p);
  p = platform_params();
  p.set("mmu.stlb.l2_4k.policy", "plru");
  EXPECT_EQ(config_error(p).rfind("mmu.stlb.l2_4k.policy: ", 0), 0u) << config_error(p);
  p = platform_params();
  p.set("mmu.stlb.l2_2m.entries", "32");
  EXPECT_EQ(config_error(p).rfind("mmu.stlb.l2_2m.entries: ", 0), 0u) << config_error(p);
  p.set("mmu.stlb.l2_4k.share_2m", "false");
  EXPECT_EQ(config_error(p), "");
  p = platform_params();
  EXPECT_THROW(p.set("mem.maxphyaddr", "30"), ConfigError);
  EXPECT_THROW(p.set("cpu.freq_mhz", "0"), ConfigError);
  EXPECT_THROW(p.set("mmu.itlb.l1_4k.policy", "fifo"), ConfigError);
}

TEST(MmuParams, PlatformValuesAreRead) {
  Params p = platform_params();
  p.set("mem.maxphyaddr", "52");
  p.set("cpu.freq_mhz", "2000");
  p.set("cpu.la57", "true");
  p.set("mmu.pwc.enabled", "true");
  p.set("mmu.pwc.pde.entries", "16");
  p.set("mmu.dtlb.l1_4k.policy", "random");
  p.set("mmu.dtlb.l1_4k.seed", "99");
  MmuConfig c = MmuConfig::from_params(p);
  EXPECT_EQ(c.maxphyaddr, 52u);
  EXPECT_EQ(c.cycle, 500u);
  EXPECT_TRUE(c.la57_supported);
  EXPECT_TRUE(c.pwc.enabled);
  EXPECT_EQ(c.pwc.pde_entries, 16u);
  EXPECT_EQ(c.dtlb[0].policy, Replacement::random);
  EXPECT_EQ(c.dtlb[0].seed, 99u);
}

TEST(MmuParams, PresetsSkylakeAndTiny) {
  Params a, b;
  declare_mmu_params(a);
  declare_mmu_params(b);  // registering the presets again changes nothing
  unsigned skylake = 0, tiny = 0;
  for (const Preset& pr : Params::presets()) {
    skylake += pr.name == "skylake";
    tiny += pr.name == "tiny";
    if (pr.name == "skylake") {
      EXPECT_NE(pr.description.find("Skylake"), std::string::npos);
    }
  }
  EXPECT_EQ(skylake, 1u);
  EXPECT_EQ(tiny, 1u);

  Params p = platform_params();
  p.apply_preset("tiny");
  MmuConfig t = MmuConfig::from_params(p);
  EXPECT_EQ(t.dtlb[0].entries, 8u);
  EXPECT_EQ(t.dtlb[0].ways, 2u);
  EXPECT_EQ(t.dtlb[1].entries, 4u);
  EXPECT_EQ(t.dtlb[1].ways, 0u);
  EXPECT_EQ(t.dtlb[2].entries, 0u);
  EXPECT_EQ(t.itlb[0].entries, 8u);
  EXPECT_EQ(t.itlb[1].entries, 0u);
  EXPECT_EQ(t.stlb[0].entries, 32u);
  EXPECT_EQ(t.stlb[0].ways, 4u);
  EXPECT_EQ(t.stlb[0].sizes, 3u);
  EXPECT_EQ(t.stlb[2].entries, 0u);
  FakeMemory mem;
  Mmu tiny_mmu(t, mem);
  EXPECT_EQ(tiny_mmu.dtlb().arrays().size(), 2u);
  p.apply_preset("skylake");
  EXPECT_EQ(MmuConfig::from_params(p).dtlb[0].entries, 64u) << "skylake resets every mmu value";
}

TEST(MmuParams, PresetsMergeWithOtherBlocksValues) {
  Params::add_preset({"skylake", "platform", {{"cpu.freq_mhz", "4000"}}});
  Params p;
  declare_mmu_params(p);
  for (const Preset& pr : Params::presets()) {
    if (pr.name != "skylake") continue;
    bool has_cpu = false, has_mmu = false;
    for (const auto& kv : pr.values) {
      has_cpu |= kv.first == "cpu.freq_mhz" && kv.second == "4000";
      has_mmu |= kv.first == "mmu.stlb.l2_4k.entries" && kv.second == "1536";
    }
    EXPECT_TRUE(has_cpu);
    EXPECT_TRUE(has_mmu);
  }
}

}  // namespace
}  // namespace mmvp
