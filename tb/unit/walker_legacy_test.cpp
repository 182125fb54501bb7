// Unit tests of the page walks outside IA-32e mode: 32-bit paging (SDM Vol. 3A 4.3) and
// PAE paging (4.4), rule by rule: entry formats, 4-MByte pages with PSE-36, the PDPTE
// registers and their reserved bits, reserved-bit faults, access rights (WP, SMEP,
// SMAP), XD under PAE only, error codes and A/D updates on 4-byte entries.
#include <gtest/gtest.h>

#include "hw/mmu/page_walker.h"
#include "tb/unit/paging_fixture.h"

namespace mmvp {
namespace {

using namespace mmvp::test;

// 32-bit paging structures in FakeMemory (8-byte words: a 4-byte entry is one half).
class Tables32 {
 public:
  explicit Tables32(FakeMemory& mem) : mem_(mem) {}
  static constexpr PAddr kPd = 0x100000;
  std::uint32_t get(PAddr pa) const {
    auto it = mem_.words.find(pa & ~PAddr{7});
    const std::uint64_t w = it == mem_.words.end() ? 0 : it->second;
    return static_cast<std::uint32_t>(w >> (8 * (pa & 4)));
  }
  void set(PAddr pa, std::uint32_t v) {
    std::uint64_t& w = mem_.words[pa & ~PAddr{7}];
    const unsigned half = 8 * (pa & 4);
    w = (w & ~(0xFFFFFFFFull << half)) | (std::uint64_t{v} << half);
  }
  PAddr pde_pa(LAddr la) const { return kPd + ((la >> 22) & 0x3FF) * 4; }
  PAddr pte_pa(LAddr la) const {
    return (get(pde_pa(la)) & 0xFFFFF000u) + ((la >> 12) & 0x3FF) * 4;
  }
  void map4k(LAddr la, PAddr pa, std::uint32_t flags, std::uint32_t pde_flags = kUserRW) {
    if (!(get(pde_pa(la)) & kP)) {
      set(pde_pa(la), static_cast<std::uint32_t>(next_) | pde_flags);
      next_ += 0x1000;
    }
    set(pte_pa(la), static_cast<std::uint32_t>(pa) | flags);
  }
  void map4m(LAddr la, std::uint32_t pde) {
    set(pde_pa(la), pde | static_cast<std::uint32_t>(pte::PS));
  }

 private:
  FakeMemory& mem_;
  PAddr next_ = 0x200000;
};

class Walker32Test : public ::testing::Test {
 protected:
  Walker32Test() {
    cfg.maxphyaddr = 40;
    cfg.cycle = kCycle;
    cfg.walk_step_cycles = 1;
    ctx.cr0 = cr0::PE | cr0::PG | cr0::WP;
    ctx.cr4 = cr4::PSE | cr4::PGE;
    ctx.cr3 = Tables32::kPd;
  }
  WalkResult walk(LAddr la, AccessKind k = AccessKind::read) {
    PageWalker w(cfg, mem, stats);
    return w.walk(la, k, ctx);
  }
  std::uint32_t code(LAddr la, AccessKind k) { return walk(la, k).error_code; }
  MmuConfig cfg;
  FakeMemory mem;
  MmuStats stats;
  Tables32 pt{mem};
  PagingContext ctx;
};

constexpr LAddr kLa = 0x8048'1234;  // PDE 0x201, PTE 0x081

TEST_F(Walker32Test, FourKilobytePageReadsTwoFourByteEntriesAndSetsAccessedAndDirty) {
  pt.map4k(kLa, 0x0BAD'C000, kUserRW | pte::G);
  pt.map4k(kLa + 0x1000, 0x0123'4000, kUserRW);  // the neighbour shares the 8-byte word
  WalkResult r = walk(kLa, AccessKind::write);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 2u);
  EXPECT_EQ(r.translation.physical(kLa), 0x0BAD'C234u);
  EXPECT_EQ(r.translation.size, PageSize::size_4k);
  EXPECT_TRUE(r.translation.global);
  EXPECT_TRUE(r.translation.dirty);
  EXPECT_FALSE(r.translation.nx);
  EXPECT_TRUE(pt.get(pt.pde_pa(kLa)) & pte::A);
  EXPECT_EQ(pt.get(pt.pte_pa(kLa)) & (pte::A | pte::D), pte::A | pte::D);
  // The other half of the word is untouched by the A/D write.
  EXPECT_EQ(pt.get(pt.pte_pa(kLa + 0x1000)), 0x0123'4000u | kUserRW);
  WalkResult n = walk(kLa + 0x1000);
  ASSERT_EQ(n.fault, FaultKind::none);
  EXPECT_EQ(n.translation.physical(kLa + 0x1000), 0x0123'4234u);
}

TEST_F(Walker32Test, FourMegabytePageTakesBits39To32FromPde20To13) {
  // PSE-36: PDE bits 20:13 = 0x12 give physical-address bits 39:32.
  pt.map4m(kLa, 0x0800'0000u | (0x12u << 13) | kUserRW);
  const LAddr upper = (kLa & ~0x3FFFFFull) | 0x2A'BCDE;  // the upper 2 MB half
  WalkResult r = walk(upper);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 1u);
  EXPECT_EQ(r.translation.physical(upper), 0x12'082A'BCDEull);
  // Held as the 2 MB half that contains the address.
  EXPECT_EQ(r.translation.size, PageSize::size_2m);
  EXPECT_EQ(r.translation.vpn, upper >> 21);
  WalkResult lo = walk(kLa);
  EXPECT_EQ(lo.translation.physical(kLa), 0x12'0808'1234ull);
}

TEST_F(Walker32Test, PsIsIgnoredWithoutCr4Pse) {
  ctx.cr4 &= ~cr4::PSE;
  // The PDE names a page table at 0x300000 whatever its PS bit.
  pt.set(pt.pde_pa(kLa), 0x0030'0000u | static_cast<std::uint32_t>(pte::PS) | kUserRW);
  pt.set(0x300000 + ((kLa >> 12) & 0x3FF) * 4, 0x0ABC'D000u | kUserRW);
  WalkResult r = walk(kLa);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 2u);
  EXPECT_EQ(r.translation.physical(kLa), 0x0ABC'D234u);
}

TEST_F(Walker32Test, ReservedBitsOfAFourMegabytePde) {
  pt.map4m(kLa, 0x0800'0000u | (1u << 21) | kUserRW);  // bit 21 is always reserved
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::RSVD);
  // With MAXPHYADDR 36, PDE bits 20:17 would be PA bits 39:36: reserved.
  cfg.maxphyaddr = 36;
  pt.map4m(kLa, 0x0800'0000u | (0x10u << 13) | kUserRW);
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::RSVD | pf::W);
  pt.map4m(kLa, 0x0800'0000u | (0x0Fu << 13) | kUserRW);  // bits 16:13: PA 35:32, fine
  WalkResult r = walk(kLa);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.translation.physical(kLa), 0xF'0808'1234ull);
}

TEST_F(Walker32Test, NotPresentEntriesGiveTheAccessBitsOnly) {
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::W | pf::U);
  pt.map4k(kLa, 0x5000, 0);  // PTE not present
  EXPECT_EQ(code(kLa, AccessKind::read), pf::U);
}

TEST_F(Walker32Test, AccessRightsCombineOverBothLevels) {
  pt.map4k(kLa, 0x5000, kUserRW, kP | kRW);  // PDE supervisor
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P | pf::U);
  ctx.cpl = 0;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  // Read-only PTE: a supervisor write faults with WP = 1 only.
  pt.map4k(kLa + 0x1000, 0x6000, kP | kUS);
  EXPECT_EQ(code(kLa + 0x1000, AccessKind::write), pf::P | pf::W);
  ctx.cr0 &= ~cr0::WP;
  EXPECT_EQ(code(kLa + 0x1000, AccessKind::write), 0u);
}

TEST_F(Walker32Test, NoExecuteDisableAndNoIdBitWithoutSmep) {
  // 32-bit entries have no XD: a fetch from any present page is allowed, and with
  // CR4.PAE = 0 the I/D bit is reported only under SMEP (SDM 4.7), whatever EFER.NXE.
  ctx.efer = efer::NXE;
  pt.map4k(kLa, 0x5000, kP | kRW);
  EXPECT_EQ(code(kLa, AccessKind::fetch), 0u);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::fetch), pf::P | pf::U);
  ctx.cpl = 0;
  ctx.cr4 |= cr4::SMEP;
  pt.map4k(kLa + 0x1000, 0x6000, kUserRW);
  EXPECT_EQ(code(kLa + 0x1000, AccessKind::fetch), pf::P | pf::ID);
}

TEST_F(Walker32Test, SmapBlocksSupervisorDataAccessToUserPagesUnlessAc) {
  ctx.cr4 |= cr4::SMAP;
  pt.map4k(kLa, 0x5000, kUserRW);
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P);
  ctx.ac = true;
  EXPECT_EQ(code(kLa, AccessKind::read), 0u);
  ctx.implicit_supervisor = true;  // implicit accesses ignore AC
  EXPECT_EQ(code(kLa, AccessKind::read), pf::P);
}

TEST_F(Walker32Test, FaultingWalkSetsNoAccessedFlag) {
  pt.map4k(kLa, 0x5000, kP | kUS);
  ctx.cpl = 3;
  EXPECT_EQ(code(kLa, AccessKind::write), pf::P | pf::W | pf::U);
  EXPECT_FALSE(pt.get(pt.pde_pa(kLa)) & pte::A);
  EXPECT_FALSE(pt.get(pt.pte_pa(kLa)) & pte::A);
}

// PAE paging: a PDPT of four 8-byte entries at CR3[31:5], then 8-byte PDEs and PTEs.
class WalkerPaeTest : public ::testing::Test {
 protected:
  static constexpr PAddr kPdpt = 0x100020;  // 32-byte aligned, not page aligned
  WalkerPaeTest() : w(cfg_with(), mem, stats) {
    ctx.cr0 = cr0::PE | cr0::PG | cr0::WP;
    ctx.cr4 = cr4::PAE | cr4::PGE;
    ctx.efer = efer::NXE;
    ctx.cr3 = kPdpt;
  }
  static MmuConfig cfg_with() {
    MmuConfig c;
    c.maxphyaddr = 36;
    c.cycle = kCycle;
    c.walk_step_cycles = 1;
    return c;
  }
  // PDPTE i -> PD at 0x200000 + i * 4 KB; PDE j of PD i -> PT at 0x300000 + ...
  void pdpte(unsigned i, std::uint64_t v) { mem.words[kPdpt + 8 * i] = v; }
  PAddr pde_pa(LAddr la) const {
    return 0x200000 + ((la >> 30) & 3) * 0x1000 + ((la >> 21) & 0x1FF) * 8;
  }
  void map4k(LAddr la, PAddr pa, std::uint64_t flags, std::uint64_t pde = kUserRW) {
    const PAddr pt = 0x400000 + ((la >> 21) & 0x7FF) * 0x1000;
    mem.words[pde_pa(la)] = pt | pde;
    mem.words[pt + ((la >> 12) & 0x1FF) * 8] = pa | flags;
  }
  bool load() {
    for (unsigned i = 0; i < 4; ++i)
      if (!mem.words.count(kPdpt + 8 * i)) pdpte(i, (0x200000 + 0x1000 * i) | kP);
    return w.load_pdptes(ctx.cr3);
  }
  WalkResult walk(LAddr la, AccessKind k = AccessKind::read) { return w.walk(la, k, ctx); }
  std::uint32_t code(LAddr la, AccessKind k) { return walk(la, k).error_code; }
  FakeMemory mem;
  MmuStats stats;
  MmuConfig cfg = cfg_with();
  PageWalker w;
  PagingContext ctx;
};

TEST_F(WalkerPaeTest, PdpteReservedBitsFailTheLoad) {
  // Table 4-8: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved in a present PDPTE.
  for (std::uint64_t bad : std::initializer_list<std::uint64_t>{
           pte::RW, pte::US, 1ull << 5, 1ull << 8, 1ull << 36, 1ull << 63}) {
    pdpte(1, 0x201000 | kP | bad);
    EXPECT_FALSE(load()) << std::hex << bad;
  }
  pdpte(1, 0x201000 | (1ull << 36) | pte::RW);  // not present: not checked
  EXPECT_TRUE(load());
  pdpte(1, 0x201000 | kP | pte::PWT | pte::PCD | (1ull << 9));  // PWT, PCD, ignored 11:9
  EXPECT_TRUE(load());
  EXPECT_EQ(w.pdpte(1) & pte::ADDR_MASK, 0x201000u);
}

TEST_F(WalkerPaeTest, FourKilobyteAndTwoMegabytePagesBelowThePdpteRegisters) {
  ASSERT_TRUE(load());
  const LAddr la = 0xC012'3456;  // PDPTE 3
  map4k(la, 0x8'7654'3000ull, kUserRW);
  WalkResult r = walk(la, AccessKind::write);
  ASSERT_EQ(r.fault, FaultKind::none);
  EXPECT_EQ(r.levels_read, 2u);  // the PDPTE is a register, not read
  EXPECT_EQ(r.translation.physical(la), 0x8'7654'3456ull);
  EXPECT_TRUE(r.translation.dirty);
  const LAddr big = 0x4060'1234;  // PDPTE 1, a 2 MB page
  mem.words[pde_pa(big)] = 0x0A00'0000 | pte::PS | kUserRW;
  WalkResult b = walk(big);
  ASSERT_EQ(b.fault, FaultKind::none);
  EXPECT_EQ(b.levels_read, 1u);
  EXPECT_EQ(b.translation.size, PageSize::size_2m);
  EXPECT_EQ(b.translation.physical(big), 0x0A00'0000ull + (big & 0x1FFFFF));
  EXPECT_TRUE(mem.words[pde_pa(big)] & pte::A);
}

TEST_F(WalkerPaeTest, PdpteRegistersAreNotRereadUntilReloaded) {
  ASSERT_TRUE(load());
  const LAddr la = 0x0000'5000;
  map4k(la, 0x9000, kUserRW);
  pdpte(0, 0);  // the table changes in memory; the register keeps the old PDPTE
  EXPECT_EQ(walk(la).fault, FaultKind::none);
  ASSERT_TRUE(w.load_pdptes(ctx.cr3));
  WalkResult r = walk(la);  // not present now: #PF with P = 0
  EXPECT_EQ(r.fault, FaultKind::page_fault);
  EXPECT_EQ(r.error_code, 0u);
}

TEST_F(WalkerPaeTest, ExecuteDisableNeedsNxeAndIsReservedWithout) {
  ASSERT_TRUE(load());
  const LAddr la = 0x0040'0000;
  map4k(la, 0x9000, kUserRW | pte::XD);
  EXPECT_EQ(code(la, AccessKind::read), 0u);
  EXPECT_EQ(code(la, AccessKind::fetch), pf::P | pf::ID);
  EXPECT_TRUE(walk(la).translation.nx);
  ctx.efer = 0;
  EXPECT_EQ(code(la, AccessKind::read), pf::P | pf::RSVD);
}

TEST_F(WalkerPaeTest, ReservedBitsOfPdesAndPtes) {
  ASSERT_TRUE(load());
  const LAddr la = 0x0080'0000;
  map4k(la, 0x9000 | (1ull << 40), kUserRW);  // above MAXPHYADDR 36
  EXPECT_EQ(code(la, AccessKind::read), pf::P | pf::RSVD);
  map4k(la, 0x9000 | (1ull << 55), kUserRW);  // bits 62:52 are reserved under PAE
  EXPECT_EQ(code(la, AccessKind::read), pf::P | pf::RSVD);
  mem.words[pde_pa(la)] = 0x0A00'0000 | pte::PS | kUserRW | (1ull << 13);  // 2 MB: 20:13
  EXPECT_EQ(code(la, AccessKind::write), pf::P | pf::RSVD | pf::W);
}

TEST_F(WalkerPaeTest, RightsAndSmepAsUnderFourLevelPaging) {
  ASSERT_TRUE(load());
  const LAddr la = 0x00C0'0000;
  map4k(la, 0x9000, kP | kUS, kP | kRW | kUS);  // read-only page
  ctx.cpl = 3;
  EXPECT_EQ(code(la, AccessKind::write), pf::P | pf::W | pf::U);
  ctx.cpl = 0;
  ctx.cr4 |= cr4::SMEP;
  EXPECT_EQ(code(la, AccessKind::fetch), pf::P | pf::ID);
  EXPECT_FALSE(mem.words[pde_pa(la)] & pte::A);  // faulting walks set no A
}

}  // namespace
}  // namespace mmvp

namespace mmvp {
namespace {

using namespace mmvp::test;

// Through the MMU: a 32-bit walk fills the TLB and the next access hits; a linear
// address wider than 32 bits outside IA-32e mode is #GP.
TEST(MmuLegacyPaging, ThirtyTwoBitTranslationsAreCachedAndWideAddressesAreGp) {
  MmuConfig c;
  c.dtlb = {tlb_array("l1_4k", 8, 2, 1), tlb_array("l1_2m", 4, 0, 2)};
  c.itlb = {tlb_array("l1_4k", 8, 2, 1)};
  c.stlb = {tlb_array("l2_4k", 32, 4, 3)};
  c.maxphyaddr = 40;
  c.cycle = kCycle;
  c.l1_hit_cycles = 1;
  c.l2_hit_cycles = 9;
  c.walk_step_cycles = 1;
  FakeMemory mem;
  Mmu mmu(c, mem);
  Tables32 pt(mem);
  pt.map4k(kLa, 0x0BAD'C000, kUserRW);
  PagingContext ctx;
  ctx.cr0 = cr0::PE | cr0::PG;
  ctx.cr3 = Tables32::kPd;
  TranslateResult first = mmu.translate(kLa, AccessKind::read, ctx);
  ASSERT_EQ(first.fault, FaultKind::none);
  EXPECT_EQ(first.pa, 0x0BAD'C234u);
  const unsigned reads = mem.reads;
  TranslateResult again = mmu.translate(kLa + 4, AccessKind::read, ctx);
  EXPECT_EQ(again.pa, 0x0BAD'C238u);
  EXPECT_EQ(mem.reads, reads);  // a TLB hit
  EXPECT_EQ(mmu.translate(0x1'0000'1000ull, AccessKind::read, ctx).fault,
            FaultKind::general_protection);
}

}  // namespace
}  // namespace mmvp
