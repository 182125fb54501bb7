// The HPET pure core: capabilities, main counter against simulated time, enable and
// halt, 32-bit halves, rejected accesses.
#include "hw/timer/hpet.h"

#include <gtest/gtest.h>

namespace mmvp {
namespace {

constexpr Picos kMs = 1000000000;  // one millisecond in picoseconds

TEST(Hpet, CapabilitiesCarryThePeriodInFemtoseconds) {
  Hpet h(14318180);
  EXPECT_EQ(h.period_fs(), 69841279u);  // what Linux reads on a PC: 0x0429b17f
  std::uint64_t cap = 0;
  ASSERT_TRUE(h.read(Hpet::GCAP_ID, 8, 0, cap));
  EXPECT_EQ(cap >> 32, 69841279u);
  EXPECT_EQ(cap & 0xff, 1u) << "REV_ID";
  EXPECT_NE(cap & (1u << 13), 0u) << "COUNT_SIZE_CAP: 64-bit counter";
  EXPECT_EQ((cap >> 16) & 0xffff, 0x8086u);
  std::uint64_t hi = 0;
  ASSERT_TRUE(h.read(Hpet::GCAP_ID + 4, 4, 0, hi));
  EXPECT_EQ(hi, 69841279u);
}

TEST(Hpet, CounterIsHaltedUntilEnabled) {
  Hpet h(14318180);
  std::uint64_t v = 1;
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER, 8, 5 * kMs, v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(h.enabled());
}

TEST(Hpet, CounterCountsPeriodsSinceEnable) {
  Hpet h(14318180);
  ASSERT_TRUE(h.write(Hpet::GEN_CONF, 8, Hpet::ENABLE_CNF, 2 * kMs));
  EXPECT_TRUE(h.enabled());
  std::uint64_t v = 0;
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER, 8, 3 * kMs, v));
  EXPECT_EQ(v, 14318u);  // 1e12 fs / 69841279 fs = 14318.2
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER, 8, 2 * kMs + 1000 * kMs, v));
  EXPECT_EQ(v, 14318179u);  // one second: 1e15 / 69841279 = 14318179.94
}

TEST(Hpet, HaltFreezesAndEnableResumes) {
  Hpet h(25000000);  // 40 ns period: 25 counts per microsecond
  EXPECT_EQ(h.period_fs(), 40000000u);
  const Picos us = 1000000;
  h.write(Hpet::GEN_CONF, 8, Hpet::ENABLE_CNF, 0);
  h.write(Hpet::GEN_CONF, 8, 0, 10 * us);
  EXPECT_EQ(h.main_counter(10 * us), 250u);
  EXPECT_EQ(h.main_counter(50 * us), 250u) << "halted";
  h.write(Hpet::GEN_CONF, 8, Hpet::ENABLE_CNF, 60 * us);
  EXPECT_EQ(h.main_counter(64 * us), 350u);
}

TEST(Hpet, ThirtyTwoBitHalvesReadAndWriteTheCounter) {
  Hpet h(25000000);
  ASSERT_TRUE(h.write(Hpet::MAIN_COUNTER + 4, 4, 0x12345678, 0));
  ASSERT_TRUE(h.write(Hpet::MAIN_COUNTER, 4, 0x9abcdef0, 0));
  std::uint64_t lo = 0, hi = 0, all = 0;
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER, 4, 0, lo));
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER + 4, 4, 0, hi));
  ASSERT_TRUE(h.read(Hpet::MAIN_COUNTER, 8, 0, all));
  EXPECT_EQ(lo, 0x9abcdef0u);
  EXPECT_EQ(hi, 0x12345678u);
  EXPECT_EQ(all, 0x123456789abcdef0u);
  h.write(Hpet::GEN_CONF, 4, Hpet::ENABLE_CNF, 0);
  EXPECT_EQ(h.main_counter(1000000), 0x123456789abcdef0u + 25);
}

TEST(Hpet, ReservedBitsAndOtherRegistersReadZero) {
  Hpet h(14318180);
  h.write(Hpet::GEN_CONF, 8, ~0ULL, 0);
  std::uint64_t v = 0;
  h.read(Hpet::GEN_CONF, 8, 0, v);
  EXPECT_EQ(v, Hpet::ENABLE_CNF | Hpet::LEG_RT_CNF);
  std::uint64_t cap_before = h.capabilities();
  h.write(Hpet::GCAP_ID, 8, 0, 0);  // read-only
  EXPECT_EQ(h.capabilities(), cap_before);
  for (std::uint64_t off : {0x008ULL, 0x020ULL, 0x100ULL, 0x108ULL, 0x3f8ULL}) {
    v = 99;
    h.write(off, 8, 0xffff, 0);
    ASSERT_TRUE(h.read(off, 8, kMs, v)) << off;
    EXPECT_EQ(v, 0u) << off;
  }
}

TEST(Hpet, RejectsOddSizesMisalignmentAndOffsetsOutsideTheWindow) {
  Hpet h(14318180);
  std::uint64_t v = 0;
  EXPECT_FALSE(h.read(Hpet::MAIN_COUNTER, 2, 0, v));
  EXPECT_FALSE(h.read(Hpet::MAIN_COUNTER, 1, 0, v));
  EXPECT_FALSE(h.read(Hpet::MAIN_COUNTER + 2, 4, 0, v));
  EXPECT_FALSE(h.read(Hpet::MAIN_COUNTER + 4, 8, 0, v));
  EXPECT_FALSE(h.read(Hpet::kWindowBytes, 4, 0, v));
  EXPECT_FALSE(h.write(Hpet::GEN_CONF, 2, Hpet::ENABLE_CNF, 0));
  EXPECT_FALSE(h.enabled()) << "a rejected write changes nothing";
  EXPECT_TRUE(h.read(Hpet::kWindowBytes - 4, 4, 0, v));
}

TEST(Hpet, PeriodAboveHundredNanosecondsIsAConfigError) {
  EXPECT_THROW(Hpet(9999999), ConfigError);
  EXPECT_THROW(Hpet(0), ConfigError);
  EXPECT_NO_THROW(Hpet(10000000));
}

TEST(Hpet, ParametersDeclareDefaultsAndValidate) {
  Params p;
  declare_hpet_params(p);
  HpetConfig c = HpetConfig::from_params(p);
  EXPECT_EQ(c.frequency_hz, 14318180u);
  p.set("timer.hpet_hz", "100000000");
  EXPECT_EQ(HpetConfig::from_params(p).frequency_hz, 100000000u);
  EXPECT_THROW(p.set("timer.hpet_hz", "1000"), ConfigError);
}

}  // namespace
}  // namespace mmvp
