// The ISA "pattern card", the pure core: a DMA test device at I/O ports 0x300-0x307.
// Device-to-memory it produces the byte sequence (seed + 7 * i) & 0xFF; memory-to-
// device it checks every byte it receives against that sequence and counts the
// mismatches. It asks for one transfer at a time (DREQ) and completes on the
// controller's terminal count, raising its ISA IRQ. The SystemC shell
// (isa_device_module.h) paces the requests and talks to the DMA controller.
#pragma once
#include <cstdint>

namespace mmvp {

class IsaPatternDevice {
 public:
  // Register offsets from 0x300.
  static constexpr unsigned CMD = 0, CHANNEL = 1, SEED = 2, IRQ = 3, STATUS = 4, ERRORS_LO = 5,
                            ERRORS_HI = 6, COUNT = 7;
  static constexpr unsigned kWindowBytes = 8;
  enum Command : std::uint8_t { kStop = 0, kToMemory = 1, kFromMemory = 2 };
  static constexpr std::uint8_t STATUS_BUSY = 1, STATUS_DONE = 2, STATUS_ERROR = 4;

  // Register access at `offset` (0-7). A read of STATUS acknowledges the interrupt.
  std::uint8_t read(unsigned offset);
  void write(unsigned offset, std::uint8_t value);

  // The pattern byte at index i for a seed.
  static std::uint8_t pattern(std::uint8_t seed, std::uint64_t i) {
    return static_cast<std::uint8_t>(seed + 7 * i);
  }

  // STATUS without acknowledging the interrupt.
  std::uint8_t status() const {
    return static_cast<std::uint8_t>((busy_ ? STATUS_BUSY : 0) | (done_ ? STATUS_DONE : 0) |
                                     (error_ ? STATUS_ERROR : 0));
  }

  // DREQ is wanted while a transfer runs and has not reached TC.
  bool busy() const { return busy_; }
  bool done() const { return done_; }
  unsigned channel() const { return channel_; }
  unsigned width() const { return channel_ >= 4 ? 2 : 1; }  // bytes per DMA cycle
  unsigned irq_line() const { return irq_; }
  Command command() const { return cmd_; }
  // The IRQ output: set at completion, cleared by a STATUS read or a CMD write.
  bool irq_asserted() const { return irq_asserted_; }

  // DACK with data moving device -> memory: the next `width()` pattern bytes,
  // little-endian. When no device-to-memory transfer runs the card does not drive the
  // bus: all ones (0xFF / 0xFFFF), counted as a protocol error.
  std::uint16_t supply();
  // DACK with data moving memory -> device: checks the bytes against the pattern.
  void accept(std::uint16_t data);
  // DACK of a verify cycle: no data; the byte index still advances.
  void verify_cycle();
  // The controller signalled EOP (terminal count) with this cycle's DACK.
  void terminal_count();

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t errors() const { return errors_; }
  // Protocol errors: DACKs that arrived while idle or in the wrong direction, writes of
  // invalid commands or channels.
  std::uint64_t protocol_errors() const { return protocol_errors_; }

 private:
  void start(Command c);

  Command cmd_ = kStop;
  std::uint8_t channel_ = 1, seed_ = 0, irq_ = 5;
  bool busy_ = false, done_ = false, error_ = false, irq_asserted_ = false;
  std::uint64_t index_ = 0;   // byte index into the pattern for this transfer
  std::uint64_t bytes_ = 0;   // bytes moved in this transfer
  std::uint64_t errors_ = 0;  // mismatching bytes in this transfer
  std::uint64_t protocol_errors_ = 0;
};

}  // namespace mmvp
