// Two ways the core runs kernel loops over many struct pages fast, on the platform:
// store_burst, a structure's member stores in one call, timed and counted as the
// separate stores are; and fast-forward (set_fast_forward), functional accesses that
// move the values and warm the TLBs but touch no cache, count nothing and take no time.
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

using test::platform_params;

struct Counters {
  std::uint64_t stores, l1d, walks, cycles;
};

Counters counters(Platform& platform) {
  StatsReport r;
  platform.report(r);
  return {r.u64("cpu.stores"), r.u64("cache.l1d.accesses_data"), r.u64("mmu.walker.walks"),
          r.u64("cpu.cycles")};
}

TEST(FastForward, StoreBurstCostsAndCountsWhatItsSeparateStoresDo) {
  Params p = platform_params();
  Platform platform("top", p);
  const LAddr buf = 0x10000000;
  std::uint64_t image[8];
  for (unsigned i = 0; i < 8; ++i) image[i] = 0x0101010101010101ULL * (i + 1);
  std::uint64_t separate_cycles = 0, burst_cycles = 0, separate_stores = 0, burst_stores = 0;
  std::uint64_t values[8] = {};
  test::run_user_program(platform, "ff", [&](CpuPort& cpu) {
    cpu.load(buf, 8);  // the page faulted in and in the TLB
    // The same line cold each time, after a WBINVD that wrote back that line alone (so
    // DRAM has the same row open).
    auto separate = [&] {
      for (unsigned i = 0; i < 8; ++i) cpu.store(buf + 64 + 8 * i, 8, image[i]);
    };
    separate();
    cpu.wbinvd();
    cpu.store_burst(buf + 64, image, 64);
    cpu.wbinvd();
    Counters c2 = counters(platform);
    separate();
    Counters c3 = counters(platform);
    cpu.wbinvd();
    Counters c0 = counters(platform);
    cpu.store_burst(buf + 64, image, 64);
    Counters c1 = counters(platform);
    burst_cycles = c1.cycles - c0.cycles;
    separate_cycles = c3.cycles - c2.cycles;
    burst_stores = c1.stores - c0.stores;
    separate_stores = c3.stores - c2.stores;
    EXPECT_EQ(c1.l1d - c0.l1d, 1u);  // one access for the line
    EXPECT_EQ(c3.l1d - c2.l1d, 8u);
    cpu.store_burst(buf + 4096 - 12, image, 12);  // a 12-byte tail: two stores
    EXPECT_EQ(counters(platform).stores - c1.stores, 2u);
    for (unsigned i = 0; i < 8; ++i) values[i] = cpu.load(buf + 64 + 8 * i, 8);
    EXPECT_THROW(cpu.store_burst(buf + 4096 - 8, image, 16), CpuHalt);  // across a page
    EXPECT_THROW(cpu.store_burst(buf, image, 65), CpuHalt);
  });
  EXPECT_GT(separate_cycles, 100u);  // a miss to DRAM
  EXPECT_EQ(burst_cycles, separate_cycles);
  EXPECT_EQ(burst_stores, 8u);
  EXPECT_EQ(separate_stores, 8u);
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(values[i], image[i]) << i;
}

TEST(FastForward, AccessesMoveValuesAndWarmTheTlbWithoutCachesOrTime) {
  Params p = platform_params();
  Platform platform("top", p);
  const LAddr buf = 0x20000000;
  Counters before{}, during{}, after{};
  std::uint64_t loaded = 0, burst_word = 0, string_word = 0;
  test::run_user_program(platform, "ff", [&](CpuPort& cpu) {
    for (unsigned i = 0; i < 4; ++i) cpu.store(buf + 4096 * i, 8, 0);  // mapped, in the TLB
    cpu.wbinvd();
    // Other pages push the four out of the first-level DTLB and the STLB.
    for (unsigned i = 0; i < 2048; ++i) cpu.load(0x30000000 + 4096ULL * i, 8);
    before = counters(platform);
    cpu.set_fast_forward(true);
    for (unsigned i = 0; i < 4; ++i) cpu.store(buf + 4096 * i + 8, 8, 0xabc0 + i);
    const std::uint64_t image[2] = {0x1234, 0x5678};
    cpu.store_burst(buf + 128, image, 16);
    loaded = cpu.load(buf + 4096 * 3 + 8, 8);
    cpu.touch(buf, 64, AccessKind::read, false);
    cpu.retire(1000);
    // Strings across the page boundary: a fill, then a copy of it.
    cpu.rep_stos(buf + 4096 - 16, 0x77, 8, 4);
    cpu.rep_movs(buf + 2 * 4096 - 16, buf + 4096 - 16, 8, 4);
    string_word = cpu.load(buf + 2 * 4096 + 8, 8);
    EXPECT_THROW(cpu.load(0x7ff000000000, 8), CpuHalt);  // not mapped: no fault handling
    cpu.set_fast_forward(false);
    during = counters(platform);
    // Back in detail: the TLB holds the four pages (no walk), the caches do not.
    burst_word = cpu.load(buf + 136, 8);
    for (unsigned i = 1; i < 4; ++i) cpu.load(buf + 4096 * i + 8, 8);
    after = counters(platform);
  });
  EXPECT_EQ(loaded, 0xabc3u);
  EXPECT_EQ(burst_word, 0x5678u);
  EXPECT_EQ(string_word, 0x77u);
  EXPECT_EQ(during.cycles, before.cycles);
  EXPECT_EQ(during.stores, before.stores);
  EXPECT_EQ(during.l1d, before.l1d);
  EXPECT_GE(during.walks - before.walks, 4u);  // the four pages (and the faulting attempt)
  EXPECT_EQ(after.walks, during.walks);
  EXPECT_EQ(after.l1d - during.l1d, 4u);
  EXPECT_GT(after.cycles - during.cycles, 4 * 100u);  // four misses to DRAM
}

}  // namespace
}  // namespace mmvp
