// Unit tests of the page walker: walks of every page size, faults and their error codes,
// reserved bits, access rights, accessed/dirty updates, paging-structure caches.
#include <gtest/gtest.h>

#include <vector>

#include "hw/mmu/page_walker.h"
#include "tb/unit/paging_fixture.h"

namespace mmvp {
namespace {

using namespace mmvp::test;

class WalkerTest : public ::testing::Test {
 protected:
  WalkerTest() {
    cfg.maxphyaddr = 46;
    cfg.cycle = kCycle;
    cfg.walk_step_cycles = 1;
    ctx.cr0 = cr0::PE | cr0::PG | cr0::WP;
    ctx.cr4 = cr4::PAE | cr4::PGE;
    ctx.efer = efer::LME | efer::LMA | efer::NXE;
    ctx.cr3 = pt.root();
  }
  WalkResult walk(LAddr la, AccessKind k = AccessKind::read) {
    PageWalker w(cfg, mem, stats);
    return w.walk(la, k, ctx);
  }
  // The #PF error code of an access (0: it succeeded).
  std::uint32_t code(LAddr la, AccessKind k) {
    WalkResult r = walk(la, k);
    EXPECT_NE(r.fault, FaultKind::bus_error);
    return r.error_code;
  }
  bool accessed(LAddr la, unsigned level) { return (pt.entry(la, level) & pte::A) != 0; }
  bool dirty(LAddr la, unsigned level) { return (pt.entry(la, level) & pte::D) != 0; }

  MmuConfig cfg;
  FakeMemory mem;
  MmuStats stats;
  PageTables pt{mem};
  PagingContext ctx;
};

constexpr LAddr kLa = 0x0000'7F12'3456'7ABCULL;

TEST_F(WalkerTest, FourKilobytePageWalkReadsFourLevelsAndSetsAccessed) {
  pt.map(kLa, 0x1234'5000, PageSize::size_4k, kUserRW | pte::PCD | pte::G);
  WalkResult r = walk(kLa);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.translation.physical(kLa), 0x1234'5ABCu);
  EXPECT_EQ(r.translation.size, PageSize::size_4k);
  EXPECT_EQ(r.translation.vpn, kLa >> 12);
  EXPECT_TRUE(r.translation.writable);
  EXPECT_TRUE(r.translation.user);
  EXPECT_FALSE(r.translation.nx);
  EXPECT_FALSE(r.translation.dirty);
  EXPECT_TRUE(r.translation.global);
  EXPECT_EQ(r.translation.pcd_pwt, 2);
  EXPECT_EQ(r.levels_read, 4u);
  for (unsigned level = 4; level >= 1; --level) EXPECT_TRUE(accessed(kLa, level)) << level;
  EXPECT_FALSE(dirty(kLa, 1));
  EXPECT_EQ(stats.pte_reads, 4u);
  EXPECT_EQ(stats.pte_writes, 4u);
  EXPECT_EQ(r.latency, 4 * (kReadLatency + kCycle) + 4 * kWriteLatency);
  // A already set: no more writes.
  WalkResult again = walk(kLa);
  EXPECT_EQ(again.latency, 4 * (kReadLatency + kCycle));
  EXPECT_EQ(stats.pte_writes, 4u);
}

TEST_F(WalkerTest, WriteSetsDirtyInTheLeafOnly) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ASSERT_EQ(walk(kLa, AccessKind::write).fault, FaultKind::none);
  EXPECT_TRUE(dirty(kLa, 1));
  for (unsigned level = 4; level >= 2; --level) EXPECT_FALSE(dirty(kLa, level)) << level;
  EXPECT_EQ(stats.pte_writes, 4u) << "A and D of the leaf in one locked write";
  EXPECT_TRUE(walk(kLa).translation.dirty);
  // A read of a clean page leaves D clear and reports it clean.
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  EXPECT_FALSE(walk(kLa + 0x1000).translation.dirty);
  EXPECT_FALSE(dirty(kLa + 0x1000, 1));
}

TEST_F(WalkerTest, TwoMegabytePage) {
  const LAddr la = 0x4060'0000 + 0x12345;
  pt.map(la, 0x8020'0000 | pte::PAT_LARGE, PageSize::size_2m, kUserRW);
  WalkResult r = walk(la, AccessKind::write);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.translation.size, PageSize::size_2m);
  EXPECT_EQ(r.translation.physical(la), 0x8020'0000u + 0x12345) << "PAT bit 12 is no address bit";
  EXPECT_EQ(r.levels_read, 3u);
  EXPECT_TRUE(accessed(la, 2));
  EXPECT_TRUE(dirty(la, 2));
  EXPECT_FALSE(dirty(la, 3));
}

TEST_F(WalkerTest, OneGigabytePage) {
  const LAddr la = 0x00C0'0000'0000ULL + 0x2345'6789;
  pt.map(la, 0x40'0000'0000ULL, PageSize::size_1g, kP | kRW);
  WalkResult r = walk(la);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.translation.size, PageSize::size_1g);
  EXPECT_EQ(r.translation.physical(la), 0x40'0000'0000ULL + 0x2345'6789);
  EXPECT_EQ(r.levels_read, 2u);
  EXPECT_FALSE(r.translation.user);
  EXPECT_TRUE(accessed(la, 3));
  EXPECT_TRUE(accessed(la, 4));
}

TEST_F(WalkerTest, NotPresentAtEachLevelAndItsErrorCode) {
  for (unsigned level = 4; level >= 1; --level) {
    FakeMemory m;
    PageTables t(m);
    t.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
    t.entry(kLa, level) &= ~kP;
    ctx.cr3 = t.root();
    MmuStats s;
    PageWalker w(cfg, m, s);
    WalkResult r = w.walk(kLa, AccessKind::read, ctx);
    EXPECT_EQ(r.fault, FaultKind::page_fault);
    EXPECT_EQ(r.error_code, 0u) << "level " << level;
    EXPECT_EQ(r.levels_read, 5 - level);
    EXPECT_EQ(m.writes, 0u) << "no A bit on a faulting walk";
  }
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.entry(kLa, 1) = 0;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::W);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::W | pf::U);
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::U | pf::ID);
  ctx.implicit_supervisor = true;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u) << "implicit accesses are supervisor accesses";
}

TEST_F(WalkerTest, InstructionFetchBitNeedsNxeOrSmep) {
  pt.map(kLa, 0x5000, PageSize::size_4k, 0);  // not present
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::ID);
  ctx.efer &= ~efer::NXE;
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u);
  ctx.cr4 |= cr4::SMEP;
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::ID);
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
}

TEST_F(WalkerTest, AddressBitsAboveMaxPhyAddrAreReserved) {
  const PAddr frame36 = 1ULL << 36;  // beyond a 36-bit physical space
  pt.map(kLa, frame36, PageSize::size_4k, kUserRW);
  cfg.maxphyaddr = 36;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::RSVD);
  cfg.maxphyaddr = 46;
  WalkResult ok = walk(kLa);
  ASSERT_EQ(ok.fault, FaultKind::none);
  EXPECT_EQ(ok.translation.physical(kLa), frame36 + 0xABC);

  pt.entry(kLa, 1) = (1ULL << 51) | 0x5000 | kUserRW;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::RSVD);
  cfg.maxphyaddr = 52;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u) << "no address bit is reserved at 52";

  // In a non-leaf entry too, and before protection is considered.
  cfg.maxphyaddr = 46;
  pt.entry(kLa, 1) = 0x5000 | kUserRW;
  pt.entry(kLa, 3) |= 1ULL << 47;
  ctx.cpl = 3;
  const unsigned writes_before = mem.writes;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::RSVD | pf::W | pf::U);
  EXPECT_EQ(mem.writes, writes_before);
  // Bits 62:52 are ignored (software-available without protection keys).
  pt.entry(kLa, 3) &= ~(1ULL << 47);
  pt.entry(kLa, 3) |= 0x7FFULL << 52;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
}

TEST_F(WalkerTest, Cr3IsMaskedToMaxPhyAddr) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ctx.cr3 = pt.root() | (1ULL << 50) | pte::PWT | pte::PCD;
  WalkResult r = walk(kLa);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.translation.physical(kLa), 0x5ABCu);
}

TEST_F(WalkerTest, PageSizeBitInPml4eIsReserved) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.entry(kLa, 4) |= pte::PS;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::RSVD);
  EXPECT_EQ(walk(kLa).levels_read, 1u);
}

TEST_F(WalkerTest, LargePageReservedBits) {
  const LAddr la1g = 0x00C0'0000'0000ULL;
  pt.map(la1g, 0x40'0000'0000ULL | (1ULL << 13), PageSize::size_1g, kUserRW);
  EXPECT_EQ(code(la1g, AccessKind::read), pf::P | pf::RSVD) << "1G: bits 29:13";
  pt.map(la1g, 0x40'0000'0000ULL | (1ULL << 29), PageSize::size_1g, kUserRW);
  EXPECT_EQ(code(la1g, AccessKind::read), pf::P | pf::RSVD);
  pt.map(la1g, 0x40'0000'0000ULL | pte::PAT_LARGE, PageSize::size_1g, kUserRW);
  EXPECT_EQ(code(la1g, AccessKind::read), 0u) << "bit 12 is PAT";

  const LAddr la2m = 0x4060'0000;
  pt.map(la2m, 0x8020'0000 | (1ULL << 20), PageSize::size_2m, kUserRW);
  EXPECT_EQ(code(la2m, AccessKind::read), pf::P | pf::RSVD) << "2M: bits 20:13";
  pt.map(la2m, 0x8020'0000 | (1ULL << 13), PageSize::size_2m, kUserRW);
  EXPECT_EQ(code(la2m, AccessKind::read), pf::P | pf::RSVD);
  pt.map(la2m, 0x8040'0000, PageSize::size_2m, kUserRW);
  EXPECT_EQ(code(la2m, AccessKind::read), 0u) << "bit 21 is an address bit";
  // Bits 20:13 of a PDE that references a page table are address bits.
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
}

TEST_F(WalkerTest, ExecuteDisableIsReservedWithoutNxe) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::XD);
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  ctx.efer &= ~efer::NXE;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::RSVD);
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::RSVD) << "no I/D without NXE or SMEP";
}

TEST_F(WalkerTest, ExecuteDisableAtAnyLevelForbidsFetches) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.entry(kLa, 3) |= pte::XD;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  EXPECT_EQ(code(kLa, AccessKind::write), 0u);
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::ID);
  EXPECT_TRUE(walk(kLa).translation.nx);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::U | pf::ID);
  pt.entry(kLa, 3) &= ~pte::XD;
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u);
}

TEST_F(WalkerTest, UserAccessNeedsUserAtEveryLevel) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  pt.entry(kLa, 4) &= ~kUS;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::U);
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::U | pf::ID);
  ctx.cpl = 0;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  EXPECT_FALSE(walk(kLa).translation.user);
}

TEST_F(WalkerTest, UserWriteNeedsWritableEverywhereWhateverWp) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.entry(kLa, 2) &= ~kRW;
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W | pf::U);
  ctx.cr0 &= ~cr0::WP;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W | pf::U);
}

TEST_F(WalkerTest, SupervisorWriteToReadOnlyFaultsOnlyWithWp) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kP);
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W);
  ctx.cr0 &= ~cr0::WP;
  WalkResult r = walk(kLa, AccessKind::write);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_FALSE(r.translation.writable);
  EXPECT_TRUE(dirty(kLa, 1));
}

TEST_F(WalkerTest, FaultingWalkSetsNoAccessedOrDirtyFlag) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kP | kUS);  // read-only user page
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W | pf::U);
  for (unsigned level = 4; level >= 1; --level) EXPECT_FALSE(accessed(kLa, level)) << level;
  EXPECT_FALSE(dirty(kLa, 1));
  EXPECT_EQ(mem.writes, 0u);
  EXPECT_EQ(stats.pte_writes, 0u);
}

TEST_F(WalkerTest, SmapBlocksSupervisorDataAccessToUserPages) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  EXPECT_EQ(code(kLa, AccessKind::read), 0u) << "SMAP off";
  ctx.cr4 |= cr4::SMAP;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P);
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W);
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u) << "SMAP is about data accesses";
  ctx.ac = true;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  EXPECT_EQ(code(kLa, AccessKind::write), 0u);
  ctx.implicit_supervisor = true;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P) << "implicit accesses ignore AC";
  ctx.implicit_supervisor = false;
  pt.entry(kLa, 1) &= ~kRW;  // with AC = 1, WP still applies to the user page
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W);
  // Supervisor pages are unaffected.
  pt.entry(kLa, 1) = 0x5000 | kP | kRW;
  ctx.ac = false;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
}

TEST_F(WalkerTest, SmepBlocksSupervisorFetchFromUserPages) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ctx.efer &= ~efer::NXE;
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u);
  ctx.cr4 |= cr4::SMEP;
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::ID);
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u) << "user fetches from user pages are fine";
  ctx.cpl = 0;
  pt.entry(kLa, 2) &= ~kUS;  // now a supervisor page
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u);
}

TEST_F(WalkerTest, GlobalNeedsLeafGAndPge) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::G);
  EXPECT_TRUE(walk(kLa).translation.global);
  ctx.cr4 &= ~cr4::PGE;
  EXPECT_FALSE(walk(kLa).translation.global);
  ctx.cr4 |= cr4::PGE;
  pt.entry(kLa, 1) &= ~pte::G;
  pt.entry(kLa, 2) |= pte::G;  // ignored in a non-leaf entry
  EXPECT_FALSE(walk(kLa).translation.global);
}

TEST_F(WalkerTest, BusErrorReportsTheEntryAddress) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  const PAddr pde_pa = pt.entry_pa(kLa, 2);
  mem.limit = pde_pa;  // the page directory is not backed by memory
  WalkResult r = walk(kLa);
  EXPECT_EQ(r.fault, FaultKind::bus_error);
  EXPECT_EQ(r.bus_error_pa, pde_pa);
}

TEST_F(WalkerTest, FiveLevelWalk) {
  FakeMemory m;
  PageTables t5(m, 5);
  const LAddr la = 0x00AB'CDEF'1234'5678ULL;  // uses bits 56:48
  t5.map(la, 0x9000, PageSize::size_4k, kUserRW);
  cfg.la57_supported = true;
  ctx.cr4 |= cr4::LA57;
  ctx.cr3 = t5.root();
  MmuStats s;
  PageWalker w(cfg, m, s);
  WalkResult r = w.walk(la, AccessKind::read, ctx);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 5u);
  EXPECT_EQ(r.translation.physical(la), 0x9678u);
  EXPECT_TRUE(t5.entry(la, 5) & pte::A);
  t5.entry(la, 5) |= pte::PS;
  EXPECT_EQ(w.walk(la, AccessKind::read, ctx).error_code, pf::P | pf::RSVD) << "PS in PML5E";
}

TEST_F(WalkerTest, Cr4La57WithoutCpuSupportWalksFourLevels) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  ctx.cr4 |= cr4::LA57;
  WalkResult r = walk(kLa);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 4u);
}

class RecordingObserver : public MmuObserver {
 public:
  void tlb_result(TlbLevel, bool, Picos) override {}
  void walk_level(unsigned level, Picos offset) override { steps.push_back({level, offset}); }
  std::vector<std::pair<unsigned, Picos>> steps;
};

TEST_F(WalkerTest, ObserverSeesEveryLevelThenZero) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW | pte::A);
  RecordingObserver obs;
  PageWalker w(cfg, mem, stats);
  w.walk(kLa, AccessKind::read, ctx, &obs, 100);
  ASSERT_EQ(obs.steps.size(), 5u);
  const Picos step = kReadLatency + kCycle;
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(obs.steps[i].first, 4 - i);
    EXPECT_EQ(obs.steps[i].second, 100 + i * step);
  }
  EXPECT_EQ(obs.steps[4].first, 0u);
}

class PagingStructureCacheTest : public WalkerTest {
 protected:
  PagingStructureCacheTest() {
    cfg.pwc.enabled = true;
    cfg.pwc.pml4e_entries = 2;
    cfg.pwc.pdpte_entries = 2;
    cfg.pwc.pde_entries = 2;
  }
};

TEST_F(PagingStructureCacheTest, HitsSkipUpperLevelReads) {
  const LAddr same_pt = kLa + 0x1000, same_pd = kLa + (1ULL << 21), same_pdpt = kLa + (1ULL << 30),
              same_pml4 = kLa + (1ULL << 39);
  for (LAddr la : {kLa, same_pt, same_pd, same_pdpt, same_pml4})
    pt.map(la, 0x5000, PageSize::size_4k, kUserRW);
  PageWalker w(cfg, mem, stats);
  EXPECT_EQ(w.walk(kLa, AccessKind::read, ctx).levels_read, 4u);
  EXPECT_EQ(stats.pwc_hits, 0u);
  WalkResult r = w.walk(same_pt, AccessKind::read, ctx);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 1u) << "PDE-cache hit";
  EXPECT_EQ(r.translation.physical(same_pt), 0x5000u + 0xABC);
  EXPECT_EQ(w.walk(same_pd, AccessKind::read, ctx).levels_read, 2u) << "PDPTE-cache hit";
  EXPECT_EQ(w.walk(same_pdpt, AccessKind::read, ctx).levels_read, 3u) << "PML4E-cache hit";
  EXPECT_EQ(w.walk(same_pml4, AccessKind::read, ctx).levels_read, 4u);
  EXPECT_EQ(stats.pwc_lookups, 5u);
  EXPECT_EQ(stats.pwc_hits, 3u);
  EXPECT_EQ(w.pde_cache().valid_entries(), 2u) << "LRU capacity 2";
}

TEST_F(PagingStructureCacheTest, CachedRightsStillApply) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW, kP | kRW);  // supervisor tables
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  PageWalker w(cfg, mem, stats);
  ASSERT_EQ(w.walk(kLa, AccessKind::read, ctx).fault, FaultKind::none);
  ctx.cpl = 3;
  WalkResult r = w.walk(kLa + 0x1000, AccessKind::read, ctx);
  EXPECT_EQ(r.levels_read, 1u);
  EXPECT_EQ(r.error_code, pf::P | pf::U);
}

TEST_F(PagingStructureCacheTest, InvalidationAndFlushForceFullWalks) {
  pt.map(kLa, 0x5000, PageSize::size_4k, kUserRW);
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  PageWalker w(cfg, mem, stats);
  w.walk(kLa, AccessKind::read, ctx);
  w.flush();
  EXPECT_EQ(w.walk(kLa + 0x1000, AccessKind::read, ctx).levels_read, 4u);
  w.invalidate(kLa);
  EXPECT_EQ(w.pml4e_cache().valid_entries(), 0u);
  EXPECT_EQ(w.pdpte_cache().valid_entries(), 0u);
  EXPECT_EQ(w.pde_cache().valid_entries(), 0u);
  EXPECT_EQ(w.walk(kLa + 0x1000, AccessKind::read, ctx).levels_read, 4u);
}

TEST_F(PagingStructureCacheTest, FaultingWalksFillNothing) {
  pt.map(kLa, 0x5000, PageSize::size_4k, 0);  // PTE not present
  pt.map(kLa + 0x1000, 0x6000, PageSize::size_4k, kUserRW);
  PageWalker w(cfg, mem, stats);
  EXPECT_EQ(w.walk(kLa, AccessKind::read, ctx).fault, FaultKind::page_fault);
  EXPECT_EQ(w.pde_cache().valid_entries(), 0u);
  EXPECT_EQ(w.walk(kLa + 0x1000, AccessKind::read, ctx).levels_read, 4u);
  // A 2M leaf PDE is a translation, not a paging-structure-cache entry.
  const LAddr la2m = 0x4060'0000;
  pt.map(la2m, 0x8000'0000, PageSize::size_2m, kUserRW);
  w.flush();
  w.walk(la2m, AccessKind::read, ctx);
  EXPECT_EQ(w.pde_cache().valid_entries(), 0u);
  EXPECT_EQ(w.pdpte_cache().valid_entries(), 1u);
}

}  // namespace
}  // namespace mmvp
