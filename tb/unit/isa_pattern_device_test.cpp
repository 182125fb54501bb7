// The ISA pattern card, pure core: registers, the pattern, checking, completion.
#include "hw/dma/isa_pattern_device.h"

#include <gtest/gtest.h>

namespace mmvp {
namespace {

using D = IsaPatternDevice;

TEST(IsaPatternDevice, ResetStateAndRegisterReadBack) {
  D d;
  EXPECT_EQ(d.read(D::STATUS), 0);
  EXPECT_EQ(d.channel(), 1u);
  EXPECT_EQ(d.irq_line(), 5u);
  d.write(D::CHANNEL, 6);
  d.write(D::SEED, 0x5A);
  d.write(D::IRQ, 10);
  EXPECT_EQ(d.read(D::CHANNEL), 6);
  EXPECT_EQ(d.read(D::SEED), 0x5A);
  EXPECT_EQ(d.read(D::IRQ), 10);
  EXPECT_EQ(d.width(), 2u);
}

TEST(IsaPatternDevice, RejectsInvalidWrites) {
  D d;
  d.write(D::CHANNEL, 4);  // the cascade has no ISA DREQ line
  d.write(D::CHANNEL, 8);
  d.write(D::IRQ, 16);
  d.write(D::CMD, 3);
  EXPECT_EQ(d.channel(), 1u);
  EXPECT_EQ(d.irq_line(), 5u);
  EXPECT_FALSE(d.busy());
  EXPECT_EQ(d.protocol_errors(), 4u);
}

TEST(IsaPatternDevice, ProducesTheSequenceBytewise) {
  D d;
  d.write(D::SEED, 250);
  d.write(D::CMD, D::kToMemory);
  EXPECT_EQ(d.read(D::STATUS), D::STATUS_BUSY);
  for (unsigned i = 0; i < 300; ++i) EXPECT_EQ(d.supply(), (250 + 7 * i) & 0xFF) << i;
  EXPECT_EQ(d.read(D::COUNT), 300 & 0xFF);
  d.terminal_count();
  EXPECT_TRUE(d.irq_asserted());
  EXPECT_EQ(d.read(D::STATUS), D::STATUS_DONE);
  EXPECT_FALSE(d.irq_asserted()) << "a STATUS read acknowledges";
}

TEST(IsaPatternDevice, SixteenBitWordsAreConsecutiveBytesLittleEndian) {
  D d;
  d.write(D::CHANNEL, 5);
  d.write(D::SEED, 3);
  d.write(D::CMD, D::kToMemory);
  EXPECT_EQ(d.supply(), (10 << 8) | 3);
  EXPECT_EQ(d.supply(), (24 << 8) | 17);
  EXPECT_EQ(d.bytes(), 4u);
}

TEST(IsaPatternDevice, ChecksBytesFromMemoryAndCountsMismatches) {
  D d;
  d.write(D::SEED, 0x10);
  d.write(D::CMD, D::kFromMemory);
  d.accept(0x10);
  d.accept(0x17);
  d.accept(0x00);  // expected 0x1E
  d.accept(0x25);
  EXPECT_EQ(d.errors(), 1u);
  EXPECT_EQ(d.read(D::STATUS), D::STATUS_BUSY | D::STATUS_ERROR);
  EXPECT_EQ(d.read(D::ERRORS_LO), 1);
  EXPECT_EQ(d.read(D::ERRORS_HI), 0);
  d.write(D::CMD, D::kStop);
  EXPECT_EQ(d.read(D::STATUS), 0) << "a command resets status and the error count";
  EXPECT_EQ(d.read(D::ERRORS_LO), 0);
}

TEST(IsaPatternDevice, WordChecksBothBytes) {
  D d;
  d.write(D::CHANNEL, 7);
  d.write(D::CMD, D::kFromMemory);
  d.accept(0xFFFF);  // expected 0x0700: both bytes wrong
  EXPECT_EQ(d.errors(), 2u);
}

TEST(IsaPatternDevice, WrongDirectionIsAProtocolErrorAndFloatsTheBus) {
  D d;
  EXPECT_EQ(d.supply(), 0xFF) << "idle card does not drive the bus";
  d.write(D::CMD, D::kFromMemory);
  EXPECT_EQ(d.supply(), 0xFF);
  d.write(D::CMD, D::kToMemory);
  d.accept(0);
  EXPECT_EQ(d.protocol_errors(), 3u);
  EXPECT_EQ(d.bytes(), 0u);
}

TEST(IsaPatternDevice, CommandClearsAPendingInterrupt) {
  D d;
  d.write(D::CMD, D::kToMemory);
  d.terminal_count();
  EXPECT_TRUE(d.irq_asserted());
  d.write(D::CMD, D::kToMemory);
  EXPECT_FALSE(d.irq_asserted());
  EXPECT_TRUE(d.busy());
  EXPECT_FALSE(d.done());
}

}  // namespace
}  // namespace mmvp
