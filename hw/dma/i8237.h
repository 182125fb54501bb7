// The PC's ISA DMA controllers, the pure core: two Intel 8237A chips (DMA1: 8-bit
// channels 0-3; DMA2: 16-bit channels 4-7, channel 4 the cascade from DMA1) and the
// 74LS612 page registers, decoded at the PC's I/O ports (0x00-0x0F, 0xC0-0xDF,
// 0x80-0x8F). Register semantics follow the Intel 8237A datasheet (order 231466):
// the byte-pointer flip-flop, base/current address and count, mode, mask, request,
// status (TC bits cleared by a status read), command, master clear. The SystemC shell
// (i8237_module.h) decides when a channel is serviced and performs the bus cycles;
// transfer() does the register side of one DMA cycle.
#pragma once
#include <array>
#include <cstdint>

#include "hw/common/params.h"
#include "hw/common/types.h"

namespace mmvp {

// Declares dma.* (controller timing, the pattern card's pace).
void declare_dma_params(Params& p);

enum class DmaTransfer : std::uint8_t { verify = 0, write = 1, read = 2, illegal = 3 };
enum class DmaMode : std::uint8_t { demand = 0, single = 1, block = 2, cascade = 3 };

// One 8237A: four channels, registers addressed by A3-A0.
class I8237 {
 public:
  // Register offsets (datasheet Table 2, "Software Commands", and Table 3).
  static constexpr unsigned STATUS_COMMAND = 0x8;  // r: status, w: command
  static constexpr unsigned REQUEST = 0x9;
  static constexpr unsigned SINGLE_MASK = 0xA;
  static constexpr unsigned MODE = 0xB;
  static constexpr unsigned CLEAR_FF = 0xC;
  static constexpr unsigned MASTER_CLEAR = 0xD;  // r: temporary register
  static constexpr unsigned CLEAR_MASK = 0xE;
  static constexpr unsigned WRITE_MASK = 0xF;

  // Command register bits.
  static constexpr std::uint8_t CMD_DISABLE = 1 << 2;   // controller disable
  static constexpr std::uint8_t CMD_ROTATING = 1 << 4;  // rotating priority

  struct Channel {
    std::uint16_t base_address = 0, base_count = 0;
    std::uint16_t address = 0, count = 0;  // current registers
    std::uint8_t mode = 0;                 // bits 7:2 of the last mode write
    DmaTransfer transfer() const { return static_cast<DmaTransfer>((mode >> 2) & 3); }
    bool autoinit() const { return (mode & 0x10) != 0; }
    bool decrement() const { return (mode & 0x20) != 0; }
    DmaMode service_mode() const { return static_cast<DmaMode>(mode >> 6); }
  };

  // What one DMA cycle did on the register side.
  struct Cycle {
    std::uint16_t address = 0;  // the current address used by this cycle
    DmaTransfer transfer = DmaTransfer::verify;
    bool tc = false;        // the count rolled from 0 to 0xFFFF (EOP)
    bool reloaded = false;  // auto-initialise restored base address and count
  };

  I8237() { master_clear(); }

  // Register access; `reg` is A3-A0.
  std::uint8_t read(unsigned reg);
  void write(unsigned reg, std::uint8_t value);

  // Hardware reset / master clear (datasheet: "clears the Command, Status, Request,
  // Temporary, and Internal First/Last Flip-Flop registers and sets the Mask register").
  void master_clear();

  // DREQ inputs (hardware), one bit per channel; they show in status bits 7:4.
  void set_dreq(unsigned ch, bool level);
  bool dreq(unsigned ch) const { return (dreq_ >> ch) & 1; }
  bool soft_request(unsigned ch) const { return (request_ >> ch) & 1; }
  bool masked(unsigned ch) const { return (mask_ >> ch) & 1; }
  bool enabled() const { return (command_ & CMD_DISABLE) == 0; }

  // A channel that asks for the bus now: a hardware DREQ on an unmasked channel, or
  // a software request (datasheet: software requests are not maskable), in a mode
  // other than cascade. The highest-priority one, or -1. Fixed priority: channel 0
  // highest; rotating: the channel serviced last becomes lowest.
  // `cascade_in` carries the HRQ of a chip below, as DREQ bits of cascade channels
  // (only cascade-mode channels take it; a cascade channel has no DREQ of its own).
  int pending(std::uint8_t cascade_in = 0) const;
  // The chip below was granted the bus through cascade channel `ch` (priority rotates).
  void cascade_granted(unsigned ch) { last_ch_ = static_cast<std::uint8_t>(ch & 3); }
  // Performs the register side of one transfer on `ch`: the address steps by one
  // (up or down, 16 bits, the page never changes) and the count decrements; at TC
  // the status bit is set, the software request cleared and, unless auto-initialise,
  // the channel masked.
  Cycle transfer(unsigned ch);

  const Channel& channel(unsigned ch) const { return ch_[ch & 3]; }
  std::uint8_t command() const { return command_; }
  std::uint8_t mask() const { return mask_; }
  std::uint8_t request() const { return request_; }
  bool flip_flop() const { return flip_flop_; }
  // Status without the clear-on-read side effect.
  std::uint8_t peek_status() const;

 private:
  std::uint8_t byte_of(std::uint16_t reg);
  void set_byte(std::uint16_t& a, std::uint16_t& b);

  std::array<Channel, 4> ch_{};
  std::uint8_t command_ = 0, status_tc_ = 0, request_ = 0, mask_ = 0xF, dreq_ = 0;
  std::uint8_t temporary_ = 0;
  bool flip_flop_ = false;    // false: next access is the low byte
  std::uint8_t last_ch_ = 3;  // for rotating priority
};

// The PC pair plus page registers, on I/O ports. Channels 0-7: 0-3 on DMA1, 4-7 on
// DMA2 (16-bit; channel 4 is the cascade input from DMA1).
class IsaDma {
 public:
  struct BusCycle {
    unsigned channel = 0;
    std::uint32_t bus_address = 0;  // 24-bit physical address
    unsigned width = 1;             // bytes: 1 (DMA1) or 2 (DMA2)
    DmaTransfer transfer = DmaTransfer::verify;
    bool tc = false;
    bool reloaded = false;
  };

  // The page register port of each channel (ch4: 0x8F, the refresh page).
  static constexpr std::array<std::uint16_t, 8> kPagePort = {0x87, 0x83, 0x81, 0x82,
                                                             0x8F, 0x8B, 0x89, 0x8A};

  // Power-on state left by the firmware, as a PC BIOS leaves it: both chips master-
  // cleared (all channels masked), DMA2 channel 4 in cascade mode and unmasked so DMA1
  // can reach the bus.
  IsaDma();

  // True when `port` belongs to the controllers or the page registers.
  static bool claims(std::uint16_t port);
  std::uint8_t io_read(std::uint16_t port);
  void io_write(std::uint16_t port, std::uint8_t value);

  void set_dreq(unsigned channel, bool level);
  // The highest-priority channel requesting service with a path to the bus, or -1.
  // DMA1 channels get the bus through DMA2 channel 4 (cascade), so they need that
  // channel unmasked and in cascade mode, and DMA2 enabled.
  int pending() const;
  // One transfer on `channel` (the shell calls it for the channel pending() chose).
  BusCycle transfer(unsigned channel);
  // The 24-bit bus address the channel's next transfer would use.
  std::uint32_t bus_address(unsigned channel) const;

  I8237& chip(unsigned channel) { return channel < 4 ? dma1_ : dma2_; }
  const I8237& chip(unsigned channel) const { return channel < 4 ? dma1_ : dma2_; }
  std::uint8_t page(unsigned channel) const { return pages_[kPagePort[channel & 7] - 0x80]; }

 private:
  I8237 dma1_, dma2_;
  std::array<std::uint8_t, 16> pages_{};  // 0x80-0x8F (unused ones are scratch, as on a PC)
};

}  // namespace mmvp
