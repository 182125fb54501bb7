#include "hw/dma/i8237.h"

namespace mmvp {

void declare_dma_params(Params& p) {
  p.declare({"dma.device_bytes_per_s", ParamType::integer, "500000",
             "pace of the ISA pattern card (ports 0x300-0x307): it raises DREQ once per byte "
             "(8-bit channel) or word (16-bit channel, two byte-times) at this many bytes per "
             "second",
             1, 1000000000});
  p.declare({"dma.cycle_ns", ParamType::integer, "800",
             "time the 8237A holds the bus for one transfer (states S1-S4 at 5 MHz, 8237A "
             "datasheet), on top of the memory access latency; a request first waits a quarter "
             "of it (S0, one DMA clock) for the bus grant",
             0, 100000});
  p.declare({"dma.io_latency_ns", ParamType::integer, "1000",
             "one ISA I/O-port access to the DMA controllers, page registers or the pattern "
             "card (an ISA bus I/O cycle)",
             0, 100000});
}

// ---- one 8237A ----------------------------------------------------------------------

void I8237::master_clear() {
  command_ = status_tc_ = request_ = temporary_ = 0;
  flip_flop_ = false;
  mask_ = 0xF;
  last_ch_ = 3;
}

std::uint8_t I8237::byte_of(std::uint16_t reg) {
  // Datasheet: the First/Last flip-flop selects the low byte, then the high byte, and
  // toggles on every access to an address or count register.
  std::uint8_t v =
      flip_flop_ ? static_cast<std::uint8_t>(reg >> 8) : static_cast<std::uint8_t>(reg);
  flip_flop_ = !flip_flop_;
  return v;
}

std::uint8_t I8237::peek_status() const {
  return static_cast<std::uint8_t>(status_tc_ | ((dreq_ | request_) & 0xF) << 4);
}

std::uint8_t I8237::read(unsigned reg) {
  reg &= 0xF;
  if (reg < 8) {
    // Reads return the current (not base) address and count.
    const Channel& c = ch_[reg >> 1];
    return byte_of((reg & 1) ? c.count : c.address);
  }
  switch (reg) {
    case STATUS_COMMAND: {
      // Datasheet, Status Register: bits 0-3 "are cleared upon Reset and on each
      // Status Read".
      std::uint8_t s = peek_status();
      status_tc_ = 0;
      return s;
    }
    case MASTER_CLEAR:
      return temporary_;  // memory-to-memory is not modelled: always 0
    default:
      return 0xFF;  // write-only registers: the data bus floats
  }
}

void I8237::write(unsigned reg, std::uint8_t value) {
  reg &= 0xF;
  if (reg < 8) {
    // A write goes to the base and the current register together.
    Channel& c = ch_[reg >> 1];
    std::uint16_t& base = (reg & 1) ? c.base_count : c.base_address;
    std::uint16_t& cur = (reg & 1) ? c.count : c.address;
    if (flip_flop_)
      base = static_cast<std::uint16_t>((base & 0x00FF) | value << 8);
    else
      base = static_cast<std::uint16_t>((base & 0xFF00) | value);
    cur = base;
    flip_flop_ = !flip_flop_;
    return;
  }
  unsigned ch = value & 3;
  std::uint8_t bit = static_cast<std::uint8_t>(1u << ch);
  switch (reg) {
    case STATUS_COMMAND:
      command_ = value;
      break;
    case REQUEST:
      request_ = (value & 4) ? (request_ | bit) : (request_ & ~bit);
      break;
    case SINGLE_MASK:
      mask_ = (value & 4) ? (mask_ | bit) : (mask_ & ~bit);
      break;
    case MODE:
      ch_[ch].mode = value & 0xFC;
      break;
    case CLEAR_FF:
      flip_flop_ = false;
      break;
    case MASTER_CLEAR:
      master_clear();
      break;
    case CLEAR_MASK:
      mask_ = 0;
      break;
    case WRITE_MASK:
      mask_ = value & 0xF;
      break;
  }
}

void I8237::set_dreq(unsigned ch, bool level) {
  std::uint8_t bit = static_cast<std::uint8_t>(1u << (ch & 3));
  dreq_ = level ? (dreq_ | bit) : (dreq_ & ~bit);
}

int I8237::pending(std::uint8_t cascade_in) const {
  if (!enabled()) return -1;
  std::uint8_t cascade = 0;
  for (unsigned c = 0; c < 4; ++c)
    if (ch_[c].service_mode() == DmaMode::cascade) cascade |= 1u << c;
  std::uint8_t hw = ((dreq_ & ~cascade) | (cascade_in & cascade)) & ~mask_;
  std::uint8_t want = (hw | (request_ & ~cascade)) & 0xF;
  if (!want) return -1;
  // Datasheet, Priority: fixed, channel 0 highest; or rotating, where the channel just
  // serviced becomes the lowest.
  unsigned first = (command_ & CMD_ROTATING) ? (last_ch_ + 1u) & 3 : 0;
  for (unsigned i = 0; i < 4; ++i) {
    unsigned c = (first + i) & 3;
    if (want & (1u << c)) return static_cast<int>(c);
  }
  return -1;
}

I8237::Cycle I8237::transfer(unsigned ch) {
  ch &= 3;
  Channel& c = ch_[ch];
  Cycle cy;
  cy.address = c.address;
  cy.transfer = c.transfer();
  // The address register is 16 bits: it wraps without carrying into the page.
  c.address = static_cast<std::uint16_t>(c.decrement() ? c.address - 1 : c.address + 1);
  // Datasheet, Current Word Count: "When the value in the register goes from zero to
  // FFFFH, a TC will be generated" -- so the register holds N-1 for N transfers.
  cy.tc = c.count == 0;
  c.count = static_cast<std::uint16_t>(c.count - 1);
  last_ch_ = static_cast<std::uint8_t>(ch);
  if (cy.tc) {
    std::uint8_t bit = static_cast<std::uint8_t>(1u << ch);
    status_tc_ |= bit;
    request_ &= ~bit;  // a software request is cleared by TC
    if (c.autoinit()) {
      c.address = c.base_address;
      c.count = c.base_count;
      cy.reloaded = true;
    } else {
      mask_ |= bit;  // EOP masks a channel that does not auto-initialise
    }
  }
  return cy;
}

// ---- the PC pair and page registers -------------------------------------------------

IsaDma::IsaDma() {
  // What a PC BIOS leaves: DMA2 channel 4 in cascade mode (0xC0) and unmasked.
  dma2_.write(I8237::MODE, 0xC0);
  dma2_.write(I8237::SINGLE_MASK, 0x00);
}

bool IsaDma::claims(std::uint16_t port) {
  return port < 0x10 || (port >= 0x80 && port < 0x90) || (port >= 0xC0 && port < 0xE0);
}

std::uint8_t IsaDma::io_read(std::uint16_t port) {
  if (port < 0x10) return dma1_.read(port);
  if (port >= 0x80 && port < 0x90) return pages_[port - 0x80];
  // DMA2's A3-A0 are the bus's A4-A1: every register sits at twice its offset (A0
  // is not decoded, so the odd ports alias the even ones).
  if (port >= 0xC0 && port < 0xE0) return dma2_.read((port - 0xC0) >> 1);
  return 0xFF;
}

void IsaDma::io_write(std::uint16_t port, std::uint8_t value) {
  if (port < 0x10)
    dma1_.write(port, value);
  else if (port >= 0x80 && port < 0x90)
    pages_[port - 0x80] = value;
  else if (port >= 0xC0 && port < 0xE0)
    dma2_.write((port - 0xC0) >> 1, value);
}

void IsaDma::set_dreq(unsigned channel, bool level) {
  chip(channel & 7).set_dreq(channel & 3, level);
}

int IsaDma::pending() const {
  int c1 = dma1_.pending();
  int c2 = dma2_.pending(c1 >= 0 ? 1 : 0);
  if (c2 < 0) return -1;
  return c2 == 0 ? c1 : 4 + c2;
}

std::uint32_t IsaDma::bus_address(unsigned channel) const {
  channel &= 7;
  std::uint32_t a = chip(channel).channel(channel).address;
  std::uint32_t p = page(channel);
  // 16-bit channels: A16 comes from the address register (shifted one left), so page
  // bit 0 is unused and the address wraps inside a 128 KB page.
  return channel < 4 ? (p << 16 | a) : ((p & 0xFE) << 16 | a << 1);
}

IsaDma::BusCycle IsaDma::transfer(unsigned channel) {
  channel &= 7;
  BusCycle b;
  b.channel = channel;
  b.bus_address = bus_address(channel);
  b.width = channel < 4 ? 1 : 2;
  if (channel < 4) dma2_.cascade_granted(0);
  I8237::Cycle c = chip(channel).transfer(channel & 3);
  b.transfer = c.transfer;
  b.tc = c.tc;
  b.reloaded = c.reloaded;
  return b;
}

}  // namespace mmvp
