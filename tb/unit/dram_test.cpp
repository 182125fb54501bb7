// DRAM pure cores: sparse backing and bank/row timing.
#include <gtest/gtest.h>

#include <cstring>

#include "hw/mem/dram_timing.h"
#include "hw/mem/sparse_memory.h"

namespace mmvp {
namespace {

TEST(SparseMemory, ReadsZeroWithoutAllocating) {
  SparseMemory m(64ULL << 30);  // 64 GB on any host
  std::uint64_t v = 123;
  m.read((64ULL << 30) - 8, &v, 8);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(m.frames_allocated(), 0u);
  EXPECT_EQ(m.host_bytes(), 0u);
}

TEST(SparseMemory, AllocatesOnFirstWriteOnly) {
  SparseMemory m(64ULL << 30);
  std::uint64_t v = 0x1122334455667788ULL;
  m.write(40ULL << 30, &v, 8);
  m.write((40ULL << 30) + 8, &v, 8);  // same frame
  EXPECT_EQ(m.frames_allocated(), 1u);
  std::uint64_t r = 0;
  m.read(40ULL << 30, &r, 8);
  EXPECT_EQ(r, v);
}

TEST(SparseMemory, WriteStraddlingFramesLandsInBoth) {
  SparseMemory m(1ULL << 30);
  std::uint8_t buf[16];
  for (int i = 0; i < 16; ++i) buf[i] = static_cast<std::uint8_t>(i + 1);
  m.write(4096 - 8, buf, 16);
  EXPECT_EQ(m.frames_allocated(), 2u);
  std::uint8_t out[16] = {};
  m.read(4096 - 8, out, 16);
  EXPECT_EQ(std::memcmp(buf, out, 16), 0);
  EXPECT_EQ(m.frame_for_read(1)[7], 16);
}

TEST(SparseMemory, FrameForReadOfUnwrittenFrameIsZeros) {
  SparseMemory m(1ULL << 30);
  const std::uint8_t* f = m.frame_for_read(12345);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(f[i], 0);
  EXPECT_FALSE(m.allocated(12345));
}

class DramTimingTest : public ::testing::Test {
 protected:
  DramTimingConfig cfg() {
    DramTimingConfig c;
    c.banks = 4;
    c.row_bytes = 1024;
    c.t_cl = 10000;
    c.t_rcd = 20000;
    c.t_rp = 30000;
    c.t_burst = 1000;
    c.t_wr = 5000;
    return c;
  }
};

TEST_F(DramTimingTest, FirstAccessToABankIsARowMiss) {
  DramTiming t(cfg());
  auto r = t.access(0, 64, false, 0);
  EXPECT_EQ(r.outcome, RowOutcome::miss);
  EXPECT_EQ(r.latency, 20000u + 10000u + 1000u);
  EXPECT_EQ(t.stats().row_misses, 1u);
}

TEST_F(DramTimingTest, SameRowIsAHit) {
  DramTiming t(cfg());
  t.access(0, 64, false, 0);
  auto r = t.access(512, 64, false, 1000000);
  EXPECT_EQ(r.outcome, RowOutcome::hit);
  EXPECT_EQ(r.latency, 10000u + 1000u);
  EXPECT_EQ(t.stats().row_hits, 1u);
}

TEST_F(DramTimingTest, OtherRowSameBankIsAConflict) {
  DramTiming t(cfg());
  t.access(0, 64, false, 0);
  // Row size 1 KB x 4 banks: offset 4096 is bank 0, row 1.
  EXPECT_EQ(t.bank_of(4096), 0u);
  EXPECT_EQ(t.row_of(4096), 1u);
  auto r = t.access(4096, 64, false, 1000000);
  EXPECT_EQ(r.outcome, RowOutcome::conflict);
  EXPECT_EQ(r.latency, 30000u + 20000u + 10000u + 1000u);
  EXPECT_EQ(t.stats().row_conflicts, 1u);
  EXPECT_EQ(t.open_row(0), 1u);
}

TEST_F(DramTimingTest, ConsecutiveRowsInterleaveAcrossBanks) {
  DramTiming t(cfg());
  EXPECT_EQ(t.bank_of(0), 0u);
  EXPECT_EQ(t.bank_of(1024), 1u);
  EXPECT_EQ(t.bank_of(3072), 3u);
  EXPECT_EQ(t.open_row(2), DramTiming::kNoRow);
}

TEST_F(DramTimingTest, BusyBankDelaysTheNextAccess) {
  DramTiming t(cfg());
  t.access(0, 64, false, 0);               // bank 0 busy until 20000 + 1000
  auto r = t.access(64, 64, false, 5000);  // hit, but waits for the bank
  EXPECT_EQ(r.outcome, RowOutcome::hit);
  EXPECT_EQ(r.latency, (21000u - 5000u) + 10000u + 1000u);
  EXPECT_EQ(t.stats().bank_wait_picos, 16000u);
  // A different bank does not wait.
  auto r2 = t.access(1024, 64, false, 5000);
  EXPECT_EQ(r2.latency, 31000u);
}

TEST_F(DramTimingTest, LongAccessesTakeOneBurstPer64Bytes) {
  DramTiming t(cfg());
  auto r = t.access(0, 256, true, 0);
  EXPECT_EQ(r.latency, 20000u + 10000u + 4 * 1000u);
  EXPECT_EQ(t.stats().writes, 1u);
  EXPECT_EQ(t.stats().bytes_written, 256u);
}

TEST_F(DramTimingTest, ReportNamesEveryCounter) {
  DramTiming t(cfg());
  t.access(0, 64, false, 0);
  StatsReport r;
  t.report(r, "dram");
  EXPECT_EQ(r.u64("dram.reads"), 1u);
  EXPECT_EQ(r.u64("dram.row_misses"), 1u);
  EXPECT_NE(r.find("dram.row_hit_rate"), nullptr);
}

}  // namespace
}  // namespace mmvp
