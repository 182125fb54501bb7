// The i8237 pair, pure core: the byte-pointer flip-flop, every register, addressing
// and wrap of 8- and 16-bit channels, terminal count, auto-initialise, masks, status.
#include "hw/dma/i8237.h"

#include <gtest/gtest.h>

namespace mmvp {
namespace {

// Programs a channel the way Linux does (clear_dma_ff, set_dma_mode, page, address,
// count N-1); `address` is in bytes for 8-bit channels, in words for 16-bit ones.
void program(IsaDma& d, unsigned ch, std::uint8_t mode, std::uint8_t page, std::uint16_t address,
             std::uint16_t count) {
  bool dma2 = ch >= 4;
  auto port = [&](unsigned reg) -> std::uint16_t {
    return static_cast<std::uint16_t>(dma2 ? 0xC0 + 2 * reg : reg);
  };
  unsigned c = ch & 3;
  d.io_write(port(I8237::SINGLE_MASK), static_cast<std::uint8_t>(4 | c));
  d.io_write(port(I8237::CLEAR_FF), 0);
  d.io_write(port(I8237::MODE), static_cast<std::uint8_t>(mode | c));
  d.io_write(IsaDma::kPagePort[ch], page);
  d.io_write(port(2 * c), address & 0xFF);
  d.io_write(port(2 * c), address >> 8);
  d.io_write(port(2 * c + 1), count & 0xFF);
  d.io_write(port(2 * c + 1), count >> 8);
  d.io_write(port(I8237::SINGLE_MASK), static_cast<std::uint8_t>(c));
}

constexpr std::uint8_t kWrite = 0x44;  // single, write-to-memory (Linux DMA_MODE_READ)
constexpr std::uint8_t kRead = 0x48;   // single, read-from-memory (DMA_MODE_WRITE)

TEST(I8237, FlipFlopSelectsLowThenHighByte) {
  I8237 c;
  c.write(I8237::CLEAR_FF, 0);
  c.write(2, 0x34);  // channel 1 address
  EXPECT_TRUE(c.flip_flop());
  c.write(2, 0x12);
  EXPECT_FALSE(c.flip_flop());
  EXPECT_EQ(c.channel(1).base_address, 0x1234);
  EXPECT_EQ(c.channel(1).address, 0x1234);
  EXPECT_EQ(c.read(2), 0x34);
  EXPECT_EQ(c.read(2), 0x12);
  // A stray access leaves the flip-flop at "high": a clear puts it back.
  c.read(3);
  EXPECT_TRUE(c.flip_flop());
  c.write(I8237::CLEAR_FF, 0);
  c.write(3, 0xCD);
  c.write(3, 0xAB);
  EXPECT_EQ(c.channel(1).base_count, 0xABCD);
  EXPECT_EQ(c.channel(1).count, 0xABCD);
}

TEST(I8237, ReadsReturnCurrentNotBaseRegisters) {
  I8237 c;
  c.write(0, 0x10);
  c.write(0, 0x00);
  c.write(1, 0x02);
  c.write(1, 0x00);
  c.write(I8237::MODE, 0x48);  // channel 0 read-from-memory
  c.transfer(0);
  EXPECT_EQ(c.channel(0).base_address, 0x0010);
  EXPECT_EQ(c.read(0), 0x11);
  EXPECT_EQ(c.read(0), 0x00);
  EXPECT_EQ(c.read(1), 0x01);
  EXPECT_EQ(c.read(1), 0x00);
}

TEST(I8237, ModeFieldsDecode) {
  I8237 c;
  c.write(I8237::MODE, 0x97);  // 10 0 1 01 11: block, increment, autoinit, write, channel 3
  const auto& ch = c.channel(3);
  EXPECT_EQ(ch.service_mode(), DmaMode::block);
  EXPECT_TRUE(ch.autoinit());
  EXPECT_FALSE(ch.decrement());
  EXPECT_EQ(ch.transfer(), DmaTransfer::write);
  c.write(I8237::MODE, 0x68);  // single, decrement, read, channel 0
  EXPECT_EQ(c.channel(0).service_mode(), DmaMode::single);
  EXPECT_TRUE(c.channel(0).decrement());
  EXPECT_EQ(c.channel(0).transfer(), DmaTransfer::read);
  EXPECT_EQ(c.channel(3).mode, 0x94) << "other channels keep their mode";
}

TEST(I8237, MasksRequestsAndMasterClear) {
  I8237 c;
  EXPECT_EQ(c.mask(), 0xF) << "reset masks every channel";
  c.write(I8237::CLEAR_MASK, 0);
  EXPECT_EQ(c.mask(), 0);
  c.write(I8237::SINGLE_MASK, 4 | 2);
  EXPECT_EQ(c.mask(), 0x4);
  c.write(I8237::SINGLE_MASK, 2);
  EXPECT_EQ(c.mask(), 0);
  c.write(I8237::WRITE_MASK, 0x0A);
  EXPECT_EQ(c.mask(), 0x0A);
  c.write(I8237::REQUEST, 4 | 1);
  EXPECT_EQ(c.request(), 0x2);
  c.write(I8237::STATUS_COMMAND, 0x10);
  c.write(I8237::CLEAR_FF, 0);
  c.write(0, 1);  // flip-flop now high
  c.write(I8237::MODE, 0x48);
  c.write(I8237::MASTER_CLEAR, 0);
  EXPECT_EQ(c.mask(), 0xF);
  EXPECT_EQ(c.request(), 0);
  EXPECT_EQ(c.command(), 0);
  EXPECT_FALSE(c.flip_flop());
  EXPECT_EQ(c.channel(0).mode, 0x48) << "master clear leaves the mode registers";
  EXPECT_EQ(c.read(I8237::WRITE_MASK), 0xFF) << "write-only registers read as a floating bus";
}

TEST(I8237, PendingHonoursMaskSoftwareRequestDisableAndPriority) {
  I8237 c;
  c.set_dreq(2, true);
  EXPECT_EQ(c.pending(), -1) << "masked";
  EXPECT_EQ(c.peek_status() >> 4, 0x4) << "status shows the request anyway";
  c.write(I8237::SINGLE_MASK, 2);
  EXPECT_EQ(c.pending(), 2);
  c.set_dreq(1, true);
  c.write(I8237::SINGLE_MASK, 1);
  EXPECT_EQ(c.pending(), 1) << "fixed priority: lower channel first";
  c.write(I8237::STATUS_COMMAND, I8237::CMD_ROTATING);
  c.transfer(1);
  EXPECT_EQ(c.pending(), 2) << "rotating: the serviced channel becomes lowest";
  c.write(I8237::STATUS_COMMAND, I8237::CMD_DISABLE);
  EXPECT_EQ(c.pending(), -1);
  c.write(I8237::STATUS_COMMAND, 0);
  c.set_dreq(1, false);
  c.set_dreq(2, false);
  c.write(I8237::REQUEST, 4 | 3);  // software request: not maskable
  EXPECT_TRUE(c.masked(3));
  EXPECT_EQ(c.pending(), 3);
  c.write(I8237::MODE, 0xC3);  // cascade channel: no DREQ of its own
  EXPECT_EQ(c.pending(), -1);
}

TEST(I8237, CountHoldsNMinusOneAndTcMasksTheChannel) {
  IsaDma d;
  program(d, 1, kWrite, 0x12, 0x3400, 3);  // 4 bytes
  std::vector<std::uint32_t> addrs;
  bool tc = false;
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(tc);
    IsaDma::BusCycle b = d.transfer(1);
    addrs.push_back(b.bus_address);
    EXPECT_EQ(b.width, 1u);
    EXPECT_EQ(b.transfer, DmaTransfer::write);
    tc = b.tc;
  }
  EXPECT_TRUE(tc) << "TC on the 4th transfer";
  EXPECT_EQ(addrs, (std::vector<std::uint32_t>{0x123400, 0x123401, 0x123402, 0x123403}));
  EXPECT_TRUE(d.chip(1).masked(1));
  EXPECT_EQ(d.chip(1).channel(1).count, 0xFFFF);
  // Status: TC bit, cleared by the read (datasheet: bits 0-3 cleared on Status Read).
  EXPECT_EQ(d.io_read(0x08) & 0x0F, 0x02);
  EXPECT_EQ(d.io_read(0x08) & 0x0F, 0x00);
}

TEST(I8237, AutoInitReloadsBaseAndStaysUnmasked) {
  IsaDma d;
  program(d, 2, kWrite | 0x10, 0x01, 0x0100, 1);
  d.transfer(2);
  IsaDma::BusCycle b = d.transfer(2);
  EXPECT_TRUE(b.tc);
  EXPECT_TRUE(b.reloaded);
  EXPECT_FALSE(d.chip(2).masked(2));
  EXPECT_EQ(d.chip(2).channel(2).address, 0x0100);
  EXPECT_EQ(d.chip(2).channel(2).count, 1);
  EXPECT_EQ(d.transfer(2).bus_address, 0x010100u);
  EXPECT_EQ(d.io_read(0x08) & 0x0F, 0x04);
}

TEST(I8237, EightBitAddressWrapsInside64KPage) {
  IsaDma d;
  program(d, 1, kWrite, 0x05, 0xFFFE, 3);
  EXPECT_EQ(d.transfer(1).bus_address, 0x05FFFEu);
  EXPECT_EQ(d.transfer(1).bus_address, 0x05FFFFu);
  EXPECT_EQ(d.transfer(1).bus_address, 0x050000u) << "the page register never increments";
  EXPECT_EQ(d.transfer(1).bus_address, 0x050001u);
  EXPECT_EQ(d.page(1), 0x05);
}

TEST(I8237, DecrementWrapsDownInsideThePage) {
  IsaDma d;
  program(d, 3, kRead | 0x20, 0x07, 0x0001, 2);
  EXPECT_EQ(d.transfer(3).bus_address, 0x070001u);
  EXPECT_EQ(d.transfer(3).bus_address, 0x070000u);
  IsaDma::BusCycle b = d.transfer(3);
  EXPECT_EQ(b.bus_address, 0x07FFFFu);
  EXPECT_EQ(b.transfer, DmaTransfer::read);
  EXPECT_TRUE(b.tc);
}

TEST(I8237, SixteenBitChannelsAddressWordsAndWrapAt128K) {
  IsaDma d;
  // Linux: set_dma_addr(5, 0x23FFFC) writes page 0x23 and (addr >> 1) & 0xFFFF.
  program(d, 5, kWrite, 0x23, static_cast<std::uint16_t>((0x23FFFC >> 1) & 0xFFFF), 3);
  IsaDma::BusCycle b = d.transfer(5);
  EXPECT_EQ(b.width, 2u);
  EXPECT_EQ(b.bus_address, 0x23FFFCu);
  EXPECT_EQ(d.transfer(5).bus_address, 0x23FFFEu);
  EXPECT_EQ(d.transfer(5).bus_address, 0x220000u) << "wraps to the start of the 128 KB page";
  EXPECT_TRUE(d.transfer(5).tc) << "count 3 = 4 words";
  EXPECT_EQ(d.io_read(0xD0) & 0x0F, 0x02) << "TC of channel 5 is bit 1 of DMA2's status";
}

TEST(I8237, Dma2RegistersSitAtTwiceTheOffset) {
  IsaDma d;
  d.io_write(0xD8, 0);     // clear flip-flop
  d.io_write(0xC8, 0x78);  // channel 6 address (0xC0 + 4 * 2)
  d.io_write(0xC8, 0x56);
  d.io_write(0xCA, 0x10);  // channel 6 count
  d.io_write(0xCA, 0x00);
  d.io_write(0xD6, 0x4A);  // mode: channel 6 read
  d.io_write(0x89, 0x42);  // page of channel 6
  EXPECT_EQ(d.chip(6).channel(6).address, 0x5678);
  EXPECT_EQ(d.chip(6).channel(6).count, 0x0010);
  EXPECT_EQ(d.chip(6).channel(6).transfer(), DmaTransfer::read);
  EXPECT_EQ(d.bus_address(6), (0x42u & 0xFE) << 16 | 0x5678u << 1);
  EXPECT_EQ(d.io_read(0xC8), 0x78);
  EXPECT_EQ(d.io_read(0xC8), 0x56);
  d.io_write(0xDE, 0x0F);  // write all masks
  EXPECT_EQ(d.chip(4).mask(), 0x0F);
  d.io_write(0xDC, 0);  // clear all masks
  EXPECT_EQ(d.chip(4).mask(), 0x00);
  d.io_write(0xD4, 4 | 3);  // single mask channel 7
  EXPECT_TRUE(d.chip(7).masked(3));
  d.io_write(0xD2, 4 | 2);  // software request channel 6
  EXPECT_EQ(d.chip(6).request(), 0x4);
  d.io_write(0xDA, 0);  // master clear
  EXPECT_EQ(d.chip(4).mask(), 0x0F);
  EXPECT_EQ(d.io_read(0x8F), 0) << "page registers are not part of the 8237";
  EXPECT_EQ(d.io_read(0x89), 0x42);
}

TEST(I8237, Dma1ReachesTheBusOnlyThroughTheCascade) {
  IsaDma d;
  program(d, 1, kWrite, 0, 0, 9);
  d.set_dreq(1, true);
  EXPECT_EQ(d.pending(), 1) << "firmware left channel 4 cascading and unmasked";
  d.io_write(0xD4, 4 | 0);  // mask channel 4
  EXPECT_EQ(d.pending(), -1);
  d.io_write(0xD4, 0);
  program(d, 5, kWrite, 0, 0, 9);
  d.set_dreq(5, true);
  EXPECT_EQ(d.pending(), 1) << "channel 4 outranks 5 under fixed priority";
  d.set_dreq(1, false);
  EXPECT_EQ(d.pending(), 5);
}

TEST(I8237, VerifyAndPagePortMap) {
  IsaDma d;
  program(d, 0, 0x40, 0x09, 0x0000, 0);  // verify
  IsaDma::BusCycle b = d.transfer(0);
  EXPECT_EQ(b.transfer, DmaTransfer::verify);
  EXPECT_TRUE(b.tc);
  const std::uint16_t ports[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
  for (unsigned ch = 0; ch < 8; ++ch) {
    d.io_write(ports[ch], static_cast<std::uint8_t>(0x10 + ch));
    EXPECT_EQ(d.page(ch), 0x10 + ch) << ch;
  }
  EXPECT_TRUE(IsaDma::claims(0x00) && IsaDma::claims(0x8F) && IsaDma::claims(0xDF));
  EXPECT_FALSE(IsaDma::claims(0x10) || IsaDma::claims(0x90) || IsaDma::claims(0xE0));
}

}  // namespace
}  // namespace mmvp
