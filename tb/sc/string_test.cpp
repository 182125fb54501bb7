// The core's string instructions (REP STOS, REP MOVS) on the platform: values through
// DMI across page boundaries, a page fault in the middle of a string resumed where it
// stopped, one translation per page part, and the fast-string cost: start-up plus
// every line at the string's throughput when the lines are cached, and whole lines
// written without a read for ownership.
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

using test::platform_params;

struct Counters {
  std::uint64_t ops, bytes, stores, loads, faults, dtlb, cycles;
};

Counters counters(Platform& platform) {
  StatsReport r;
  platform.report(r);
  return {r.u64("cpu.string_ops"), r.u64("cpu.string_bytes"), r.u64("cpu.stores"),
          r.u64("cpu.loads"),      r.u64("cpu.page_faults"),  r.u64("mmu.dtlb.lookups"),
          r.u64("cpu.cycles")};
}

TEST(Strings, RepStosFillsAcrossPagesFaultingEachInAndResuming) {
  Params p = platform_params();
  Platform platform("top", p);
  Counters before{}, after{};
  std::uint64_t first = 0, last = 0, edge_lo = 0, edge_hi = 0, beyond = 0;
  test::run_user_program(platform, "strings", [&](CpuPort& cpu) {
    const LAddr buf = 0x10000000;  // three pages, none mapped yet
    before = counters(platform);
    cpu.rep_stos(buf + 8, 0x1122334455667788ULL, 8, (3 * 4096 - 16) / 8);
    after = counters(platform);
    first = cpu.load(buf + 8, 8);
    edge_lo = cpu.load(buf + 4088, 8);
    edge_hi = cpu.load(buf + 4096, 8);
    last = cpu.load(buf + 3 * 4096 - 16, 8);
    beyond = cpu.load(buf + 3 * 4096 - 8, 8);
  });
  EXPECT_EQ(first, 0x1122334455667788ULL);
  EXPECT_EQ(edge_lo, 0x1122334455667788ULL);
  EXPECT_EQ(edge_hi, 0x1122334455667788ULL);
  EXPECT_EQ(last, 0x1122334455667788ULL);
  EXPECT_EQ(beyond, 0u);  // the string ended where its count said
  // Every page faulted in once, mid-string; the string resumed on it. The fault handler
  // cleared each new page with a string of its own (clear_page), and perhaps a new
  // page table too.
  EXPECT_EQ(after.faults - before.faults, 3u);
  EXPECT_GE(after.ops - before.ops, 1u + 3u);
  EXPECT_GE(after.bytes - before.bytes, 3 * 4096 - 16u + 3 * 4096u);
  EXPECT_EQ((after.bytes - before.bytes - (3 * 4096 - 16u)) % 4096, 0u);
  // Its elements count as stores (the fault handler's own stores come on top).
  EXPECT_GE(after.stores - before.stores, (3 * 4096 - 16) / 8u);
}

TEST(Strings, RepMovsCopiesAndCostsPerLineNotPerElement) {
  Params p = platform_params();
  Platform platform("top", p);
  Counters c0{}, c1{};
  std::uint64_t mismatches = 0;
  test::run_user_program(platform, "strings", [&](CpuPort& cpu) {
    const LAddr src = 0x20000000, dst = 0x20010000;
    for (unsigned i = 0; i < 4096 / 8; ++i) cpu.store(src + 8 * i, 8, i * 0x0101010101ULL + 7);
    cpu.rep_stos(dst, 0, 8, 512);  // dst faulted in and cached
    c0 = counters(platform);
    cpu.rep_movs(dst, src, 1, 4096);
    c1 = counters(platform);
    for (unsigned i = 0; i < 4096 / 8; ++i)
      mismatches += cpu.load(dst + 8 * i, 8) != i * 0x0101010101ULL + 7;
  });
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(c1.faults, c0.faults);
  EXPECT_EQ(c1.loads - c0.loads, 4096u);  // 4096 one-byte elements read and written
  EXPECT_EQ(c1.stores - c0.stores, 4096u);
  EXPECT_EQ(c1.dtlb - c0.dtlb, 2u);  // one translation of each page, not one per element
  // Both pages are in the first-level cache: start-up (35) plus 64 lines at 32 bytes a
  // cycle (128), and no stall.
  EXPECT_EQ(c1.cycles - c0.cycles, 35u + 64u * 2u);
}

// Fast strings write whole lines without reading them for ownership: a REP STOS over
// a page no cache holds reads nothing from DRAM, where single stores fetch every line.
TEST(Strings, WholeLinesAreWrittenWithoutAReadForOwnership) {
  Params p = platform_params();
  Platform platform("top", p);
  std::uint64_t string_reads = 1, string_misses = 0, store_reads = 0;
  test::run_user_program(platform, "strings", [&](CpuPort& cpu) {
    const LAddr a = 0x30000000, b = 0x30001000;
    cpu.store(a, 1, 1);  // both pages faulted in, their translations cached
    cpu.store(b, 1, 1);
    cpu.wbinvd();  // and no line of them in any cache
    auto stat = [&](const char* name) {
      StatsReport r;
      platform.report(r);
      return r.u64(name);
    };
    const std::uint64_t reads0 = stat("dram.reads"), misses0 = stat("cache.l1d.misses");
    cpu.rep_stos(a, 0xab, 1, 4096);
    string_reads = stat("dram.reads") - reads0;
    string_misses = stat("cache.l1d.misses") - misses0;
    const std::uint64_t reads1 = stat("dram.reads");
    for (unsigned i = 0; i < 512; ++i) cpu.store(b + 8 * i, 8, 0);
    store_reads = stat("dram.reads") - reads1;
  });
  EXPECT_EQ(string_reads, 0u);
  EXPECT_EQ(string_misses, 64u);  // every line missed, and was allocated in place
  EXPECT_EQ(store_reads, 64u);    // single stores read each line first
}

TEST(Strings, MisalignedOrOddElementsHaltTheCore) {
  Params p = platform_params();
  Platform platform("top", p);
  std::string error;
  platform.run([&](CpuPort& cpu) {
    try {
      cpu.rep_stos(0x100004, 0, 8, 4);
    } catch (const CpuHalt& e) {
      error = e.what();
    }
  });
  EXPECT_NE(error.find("not aligned"), std::string::npos) << error;
}

}  // namespace
}  // namespace mmvp
