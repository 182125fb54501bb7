// Unit tests of the core's architectural state (X86Arch): control-register and EFER
// rules with the TLB invalidation each write implies (SDM Vol. 3A 4.10.4.1), #GP
// cases, fault information and CR2, handler frames and interrupt priority; and the
// core's configuration read from the parameter declarations.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hw/cpu/cpu_config.h"
#include "hw/cpu/x86_arch.h"
#include "hw/mmu/mmu.h"
#include "hw/platform/platform_params.h"

namespace mmvp {
namespace {

class RecordingTlb : public TlbMaintenance {
 public:
  void flush_all() override { log.push_back("all"); }
  void flush_non_global() override { log.push_back("non_global"); }
  void set_pcid(unsigned pcid, bool enabled) override {
    log.push_back("pcid " + std::to_string(pcid) + (enabled ? " on" : " off"));
  }
  void flush_pcid(unsigned pcid) override { log.push_back("flush pcid " + std::to_string(pcid)); }
  void invalidate_pcid(LAddr la, unsigned pcid) override {
    log.push_back("invalidate " + std::to_string(la) + " pcid " + std::to_string(pcid));
  }
  bool load_pdptes(std::uint64_t cr3) override {
    log.push_back("pdptes " + std::to_string(cr3));
    return pdptes_ok;
  }
  std::vector<std::string> log;
  bool pdptes_ok = true;
};

class X86ArchTest : public ::testing::Test {
 protected:
  X86ArchTest() : arch(config(), tlb) {}
  static X86ArchConfig config() {
    X86ArchConfig c;
    c.maxphyaddr = 40;
    c.la57_supported = false;
    return c;
  }
  // Long mode as a kernel enters it: PAE, LME, then paging.
  void enter_long_mode() {
    arch.write_cr(4, cr4::PAE | cr4::PGE);
    arch.wrmsr(msr::EFER, efer::LME | efer::NXE);
    arch.write_cr(0, cr0::PE | cr0::PG | cr0::WP);
    tlb.log.clear();
  }
  std::string halt_message(const std::function<void()>& f) {
    try {
      f();
    } catch (const CpuHalt& e) {
      return e.what();
    }
    return "";
  }
  RecordingTlb tlb;
  X86Arch arch;
};

TEST_F(X86ArchTest, EnteringLongModeSetsLmaAndFlushes) {
  arch.write_cr(4, cr4::PAE);
  arch.wrmsr(msr::EFER, efer::LME);
  EXPECT_EQ(arch.rdmsr(msr::EFER) & efer::LMA, 0u);
  arch.write_cr(0, cr0::PE | cr0::PG);
  EXPECT_NE(arch.rdmsr(msr::EFER) & efer::LMA, 0u) << "IA-32e mode active";
  EXPECT_TRUE(arch.paging().paging());
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all", "all"})) << "CR4.PAE change, CR0.PG change";
}

TEST_F(X86ArchTest, PagingNeedsPeAndLongModeNeedsPae) {
  EXPECT_NE(halt_message([&] { arch.write_cr(0, cr0::PG); }).find("PE=0 (#GP)"), std::string::npos);
  arch.wrmsr(msr::EFER, efer::LME);
  EXPECT_NE(halt_message([&] { arch.write_cr(0, cr0::PE | cr0::PG); }).find("LME=1 and PAE=0"),
            std::string::npos);
}

TEST_F(X86ArchTest, ThirtyTwoBitPagingNeedsNeitherPaeNorLme) {
  // SDM 4.1.1: CR0.PG = 1 with CR4.PAE = 0 is 32-bit paging; IA-32e mode stays off.
  arch.write_cr(3, 0x100000);
  tlb.log.clear();
  arch.write_cr(0, cr0::PE | cr0::PG);
  EXPECT_TRUE(arch.paging().paging());
  EXPECT_FALSE(arch.paging().ia32e());
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all"}));  // no PDPTEs to load
  arch.write_cr(4, cr4::PSE);                             // SDM 4.10.4.1: changing PSE flushes
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all", "all"}));
}

TEST_F(X86ArchTest, PaePagingLoadsPdptesOnPagingCr3AndCr4Changes) {
  arch.write_cr(4, cr4::PAE);
  arch.write_cr(3, 0x100020);  // paging off: nothing loaded yet
  tlb.log.clear();
  arch.write_cr(0, cr0::PE | cr0::PG);
  EXPECT_FALSE(arch.paging().ia32e());
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"pdptes 1048608", "all"}));
  tlb.log.clear();
  arch.write_cr(3, 0x200040);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"pdptes 2097216", "all"}));
  tlb.log.clear();
  arch.write_cr(4, cr4::PAE | cr4::PGE);  // PGE changes with PAE paging on: reload
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"pdptes 2097216", "all"}));
  // A PDPTE with a reserved bit: #GP, CR3 unchanged.
  tlb.pdptes_ok = false;
  EXPECT_NE(halt_message([&] { arch.write_cr(3, 0x300000); }).find("PDPTE has a reserved bit"),
            std::string::npos);
  EXPECT_EQ(arch.read_cr(3), 0x200040u);
}

TEST_F(X86ArchTest, PaeCannotBeClearedInIa32eMode) {
  enter_long_mode();
  EXPECT_NE(halt_message([&] { arch.write_cr(4, cr4::PGE); }).find("PAE cleared in IA-32e"),
            std::string::npos);
  EXPECT_TRUE(tlb.log.empty());  // IA-32e mode never loads PDPTEs
}

TEST_F(X86ArchTest, Cr3WriteFlushesNonGlobalWithPgeAndAllWithout) {
  enter_long_mode();
  arch.write_cr(3, 0x1000);
  EXPECT_EQ(arch.read_cr(3), 0x1000u);
  arch.write_cr(4, cr4::PAE);  // PGE off: a full flush, then CR3 writes flush everything
  arch.write_cr(3, 0x2000);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"non_global", "all", "all"}));
}

TEST_F(X86ArchTest, Cr3BitsAtOrAboveMaxphyaddrAreGp) {
  enter_long_mode();
  EXPECT_NE(halt_message([&] { arch.write_cr(3, 1ULL << 40); }).find("MAXPHYADDR 40 (#GP)"),
            std::string::npos);
  EXPECT_EQ(halt_message([&] { arch.write_cr(3, (1ULL << 40) - 4096); }), "");
  EXPECT_EQ(halt_message([&] { arch.write_cr(3, 1ULL << 63); }), "")
      << "bit 63 is not an address bit";
}

TEST_F(X86ArchTest, Cr4ChangesThatFlush) {
  enter_long_mode();
  arch.write_cr(4, cr4::PAE | cr4::PGE | cr4::SMAP);  // SMAP alone flushes nothing
  EXPECT_TRUE(tlb.log.empty());
  arch.write_cr(4, cr4::PAE | cr4::PGE | cr4::SMAP | cr4::SMEP);
  arch.write_cr(4, cr4::PAE | cr4::SMAP | cr4::SMEP);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all", "all"}));
}

TEST_F(X86ArchTest, La57NeedsCpuidAndCannotChangeInLongMode) {
  EXPECT_NE(halt_message([&] { arch.write_cr(4, cr4::LA57); }).find("cpu.la57 is false"),
            std::string::npos);
  X86ArchConfig c = config();
  c.la57_supported = true;
  X86Arch five(c, tlb);
  five.write_cr(4, cr4::PAE | cr4::LA57);
  five.wrmsr(msr::EFER, efer::LME);
  five.write_cr(0, cr0::PE | cr0::PG);
  EXPECT_TRUE(five.paging().la57());
  EXPECT_NE(halt_message([&] { five.write_cr(4, cr4::PAE); }).find("IA-32e mode (#GP)"),
            std::string::npos);
}

TEST_F(X86ArchTest, WpChangeFlushesAndEferRules) {
  enter_long_mode();
  arch.write_cr(0, cr0::PE | cr0::PG);  // WP cleared
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all"}));
  arch.wrmsr(msr::EFER, efer::LME);  // NXE cleared: cached XD is stale
  EXPECT_EQ(tlb.log.size(), 2u);
  EXPECT_NE(arch.rdmsr(msr::EFER) & efer::LMA, 0u) << "LMA is read-only";
  EXPECT_NE(halt_message([&] { arch.wrmsr(msr::EFER, 0); }).find("LME changed with paging on"),
            std::string::npos);
  EXPECT_NE(halt_message([&] { arch.rdmsr(0x10); }).find("not modelled"), std::string::npos);
  EXPECT_NE(halt_message([&] { arch.read_cr(1); }).find("no such control register"),
            std::string::npos);
}

TEST_F(X86ArchTest, PageFaultLoadsCr2AndGpDoesNot) {
  ExceptionInfo pf = arch.fault(0x7000, AccessKind::write, true, pf::W | pf::U, 0);
  EXPECT_EQ(pf.vector, vec::PF);
  EXPECT_EQ(pf.error_code, pf::W | pf::U);
  EXPECT_EQ(arch.read_cr(2), 0x7000u);
  ExceptionInfo gp = arch.fault(0x8000'0000'0000ULL, AccessKind::read, false, 0, 0);
  EXPECT_EQ(gp.vector, vec::GP);
  EXPECT_EQ(gp.error_code, 0u);
  EXPECT_EQ(arch.read_cr(2), 0x7000u);
  EXPECT_NE(halt_message([&] {
              arch.fault(0x7000, AccessKind::read, true, 0, 16);
            }).find("still faults after 16 handler runs"),
            std::string::npos);
}

TEST_F(X86ArchTest, HandlerFrameEntersRing0WithIfAndAcClearAndRestores) {
  arch.set_cpl(3);
  arch.set_ac(true);
  arch.set_if(true);
  unsigned seen_cpl = 9;
  bool seen_if = true, seen_ac = true;
  arch.set_exception_handler(vec::PF, [&](const ExceptionInfo&) {
    seen_cpl = arch.cpl();
    seen_if = arch.interrupts_enabled();
    seen_ac = arch.paging().ac;
    throw std::runtime_error("handler unwinds");
  });
  ExceptionInfo info;
  info.vector = vec::PF;
  EXPECT_THROW(arch.deliver_exception(info), std::runtime_error);
  EXPECT_EQ(seen_cpl, 0u);
  EXPECT_FALSE(seen_if);
  EXPECT_FALSE(seen_ac);
  EXPECT_EQ(arch.cpl(), 3u) << "IRET restores the interrupted context, also on unwinding";
  EXPECT_TRUE(arch.interrupts_enabled());
  EXPECT_TRUE(arch.paging().ac);
}

TEST_F(X86ArchTest, UnhandledAndNestedExceptionsHalt) {
  ExceptionInfo info;
  info.vector = vec::GP;
  info.cpl = 3;
  EXPECT_EQ(halt_message([&] { arch.deliver_exception(info); }),
            "unhandled #GP at linear address 0x0, error code 0x0, CPL 3");
  info.vector = vec::PF;
  arch.set_exception_handler(vec::PF, [&](const ExceptionInfo& i) { arch.deliver_exception(i); });
  EXPECT_NE(halt_message([&] { arch.deliver_exception(info); }).find("#PF nested 8 deep"),
            std::string::npos);
  EXPECT_EQ(arch.cpl(), 0u);
}

TEST_F(X86ArchTest, InterruptsHighestVectorFirstOnlyWithIf) {
  std::vector<unsigned> order;
  for (unsigned v : {0x21u, 0x25u, 0x30u})
    arch.set_irq_handler(v, [&](unsigned x) { order.push_back(x); });
  arch.raise_irq(0x21);
  arch.raise_irq(0x30);
  arch.raise_irq(0x25);
  arch.raise_irq(7);  // not an interrupt vector: ignored
  EXPECT_FALSE(arch.irq_deliverable()) << "IF = 0";
  arch.set_if(true);
  while (arch.irq_deliverable()) {
    unsigned v = arch.take_irq();
    if (v) arch.deliver_irq(v);
  }
  EXPECT_EQ(order, (std::vector<unsigned>{0x30, 0x25, 0x21}));
  arch.raise_irq(0x40);
  EXPECT_NE(halt_message([&] { arch.deliver_irq(arch.take_irq()); }).find("no handler"),
            std::string::npos);
  EXPECT_THROW(arch.set_irq_handler(3, [](unsigned) {}), CpuHalt);
  EXPECT_THROW(arch.set_exception_handler(32, [](const ExceptionInfo&) {}), CpuHalt);
}

// ---- configuration ---------------------------------------------------------------

TEST_F(X86ArchTest, SyscallNeedsIa32eAndSceThenRunsTheEntryAtCpl0) {
  SyscallFrame f;
  f.nr = 9;
  f.arg[1] = 4096;
  unsigned cpl_inside = 99;
  arch.set_syscall_handler([&](const SyscallFrame& call) {
    cpl_inside = arch.cpl();
    EXPECT_FALSE(arch.interrupts_enabled());  // IA32_FMASK clears IF
    return static_cast<std::int64_t>(call.arg[1]) + 1;
  });
  // SDM Vol. 2B SYSCALL: #UD outside IA-32e mode and with EFER.SCE = 0.
  EXPECT_NE(halt_message([&] { arch.deliver_syscall(f); }).find("(#UD)"), std::string::npos);
  enter_long_mode();
  EXPECT_NE(halt_message([&] { arch.deliver_syscall(f); }).find("EFER.SCE = 0"), std::string::npos);
  arch.wrmsr(msr::EFER, arch.rdmsr(msr::EFER) | efer::SCE);
  arch.set_cpl(3);
  arch.set_if(true);
  EXPECT_EQ(arch.deliver_syscall(f), 4097);
  EXPECT_EQ(cpl_inside, 0u);
  EXPECT_EQ(arch.cpl(), 3u);  // SYSRET
  EXPECT_TRUE(arch.interrupts_enabled());
  EXPECT_TRUE(tlb.log.empty());  // SCE flushes nothing
}

TEST_F(X86ArchTest, PcideRulesAndCr3PcidWrites) {
  // SDM 4.10.1: PCIDE needs IA-32e mode and CR3[11:0] = 0.
  EXPECT_NE(halt_message([&] { arch.write_cr(4, cr4::PCIDE); }).find("outside IA-32e"),
            std::string::npos);
  enter_long_mode();
  arch.write_cr(3, 0x1000 | 5);
  EXPECT_NE(
      halt_message([&] { arch.write_cr(4, arch.read_cr(4) | cr4::PCIDE); }).find("CR3[11:0] != 0"),
      std::string::npos);
  arch.write_cr(3, 0x1000);
  tlb.log.clear();
  arch.write_cr(4, arch.read_cr(4) | cr4::PCIDE);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"pcid 0 on"}));
  tlb.log.clear();
  // MOV to CR3: the PCID in bits 11:0; bit 63 keeps its entries and is not stored.
  arch.write_cr(3, 0x2000 | 7);
  arch.write_cr(3, 0x3000 | 9 | cr3::NOFLUSH);
  EXPECT_EQ(arch.read_cr(3), 0x3009u);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"pcid 7 on", "flush pcid 7", "pcid 9 on"}));
  tlb.log.clear();
  // INVPCID's four types and its #GP cases.
  arch.invpcid(0, 3, 0x7000);
  arch.invpcid(1, 3, 0);
  arch.invpcid(2, 0, 0);
  arch.invpcid(3, 0, 0);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"invalidate 28672 pcid 3", "flush pcid 3", "all",
                                               "non_global"}));
  EXPECT_NE(halt_message([&] { arch.invpcid(4, 0, 0); }).find("(#GP)"), std::string::npos);
  EXPECT_NE(halt_message([&] { arch.invpcid(0, 1, 0x0000800000000000ULL); }).find("non-canonical"),
            std::string::npos);
  EXPECT_NE(halt_message([&] { arch.invpcid(1, 4096, 0); }).find("above 4095"), std::string::npos);
  // Clearing PCIDE flushes everything, every PCID.
  tlb.log.clear();
  arch.write_cr(4, arch.read_cr(4) & ~cr4::PCIDE);
  EXPECT_EQ(tlb.log, (std::vector<std::string>{"all", "pcid 9 off"}));
  EXPECT_NE(halt_message([&] { arch.invpcid(1, 3, 0); }).find("CR4.PCIDE = 0"), std::string::npos);
}

TEST(CpuConfig, DefaultsAreTheDeclaredOnes) {
  const CpuConfig c = CpuConfig::defaults();
  EXPECT_EQ(c.quantum, 10'000'000u) << "sim.quantum_ns = 10000";
  EXPECT_EQ(c.cycle, 250u) << "4000 MHz";
  EXPECT_EQ(c.arch.maxphyaddr, 46u);
  const MmuConfig m = MmuConfig::defaults();
  EXPECT_EQ(m.l2_hit_cycles, 9u) << "mmu.l2_hit_cycles as declared";
  EXPECT_EQ(m.pwc.pde_entries, 32u);
}

// Every block on the core's clock derives its period once: at 3200 MHz (312.5 ps) the
// core and the MMU used to round differently (312 vs 313).
TEST(CpuConfig, CoreAndMmuShareOneCyclePeriod) {
  for (const char* mhz : {"3000", "3200", "2400", "4700", "333", "100", "10000"}) {
    Params p = platform_defaults();
    p.set("cpu.freq_mhz", mhz);
    const CpuConfig c = CpuConfig::from_params(p);
    const MmuConfig m = MmuConfig::from_params(p);
    EXPECT_EQ(c.cycle, m.cycle) << mhz << " MHz";
    for (const auto* level : {&m.dtlb, &m.itlb, &m.stlb})
      for (const TlbArrayConfig& t : *level) EXPECT_EQ(t.clock, c.cycle) << mhz << " " << t.name;
  }
  Params p = platform_defaults();
  p.set("cpu.freq_mhz", "3200");
  EXPECT_EQ(core_cycle_picos(p), 313u) << "312.5 ps rounds to the nearest";
}

}  // namespace
}  // namespace mmvp
