// The driver of the ISA "pattern card" (ports 0x300-0x307, see docs): it produces or
// checks the byte sequence (seed + 7 * i) & 0xFF through an ISA DMA channel and raises
// its IRQ when the controller reaches terminal count. The driver programs the channel
// through the ISA DMA API, starts the card, waits for the interrupt with interrupts
// enabled, and verifies the data.
#pragma once
#include <cstdint>

#include "sw/drivers/isa_dma.h"
#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// The card's registers (offsets from ISA_PATTERN_BASE).
inline constexpr std::uint16_t ISA_PATTERN_BASE = 0x300;
inline constexpr std::uint16_t PATTERN_CMD = 0, PATTERN_CHANNEL = 1, PATTERN_SEED = 2,
                               PATTERN_IRQ = 3, PATTERN_STATUS = 4, PATTERN_ERRORS_LO = 5,
                               PATTERN_ERRORS_HI = 6, PATTERN_COUNT = 7;
inline constexpr std::uint8_t PATTERN_CMD_RESET = 0, PATTERN_CMD_TO_MEMORY = 1,
                              PATTERN_CMD_FROM_MEMORY = 2;
inline constexpr std::uint8_t PATTERN_STATUS_BUSY = 1, PATTERN_STATUS_DONE = 2,
                              PATTERN_STATUS_DATA_ERROR = 4;
inline constexpr unsigned ISA_PATTERN_DEFAULT_IRQ = 5;
inline constexpr unsigned ISA_IRQ_VECTOR_BASE = 0x20;  // IRQ n -> vector 0x20 + n

// Byte i of a transfer seeded with s.
inline std::uint8_t isa_pattern_byte(std::uint8_t seed, std::uint64_t i) {
  return static_cast<std::uint8_t>(seed + 7 * i);
}

// The card's struct device (ISA: 24-bit DMA mask), for dma_alloc_coherent.
LAddr isa_pattern_device();

// Probes the controller and the card, sets the device up and registers the IRQ
// handler for `irq`. 0, or -ENODEV (-19) when the i8237 does not answer.
int isa_pattern_probe(Kernel& k, unsigned irq = ISA_PATTERN_DEFAULT_IRQ);

struct PatternTransfer {
  unsigned chan = 1;        // 0-3 (bytes) or 5-7 (words: bytes must be even)
  LAddr buf = 0;            // linear address of the buffer
  std::uint32_t bytes = 0;  // 1..65536 (8-bit) or 2..131072 (16-bit)
  bool to_memory = true;    // device -> memory (DMA_MODE_READ) or memory -> device (WRITE)
  std::uint8_t seed = 0;
};

struct PatternResult {
  int error = 0;                    // -EBUSY / -EINVAL from starting; 0 otherwise
  bool completed = false;           // the IRQ came before the timeout
  bool tc = false;                  // the controller reported terminal count
  std::uint8_t status = 0;          // the card's STATUS read in the IRQ handler
  unsigned residue = 0;             // get_dma_residue after completion
  std::uint32_t device_errors = 0;  // memory -> device: bytes the card found wrong
  std::uint64_t mismatches = 0;     // device -> memory: buffer bytes not matching
  std::uint64_t cycles = 0;         // from start to the IRQ seen
  bool ok() const {
    return !error && completed && tc && residue == 0 && device_errors == 0 && mismatches == 0 &&
           !(status & PATTERN_STATUS_DATA_ERROR);
  }
};

// Claims the channel, fills the buffer with the pattern (memory -> device), programs
// the controller and starts the card. `caller` is recorded for the DMA validator.
int isa_pattern_start(Kernel& k, const PatternTransfer& t,
                      const char* caller = __builtin_FUNCTION());
// True once the card's IRQ has been handled for the running transfer.
bool isa_pattern_done(Kernel& k);
// Waits for the IRQ (interrupts enabled, cycles charged), then checks the data,
// releases the channel and returns what happened.
PatternResult isa_pattern_wait(Kernel& k, const PatternTransfer& t);
// Both, for a transfer nothing else happens during.
PatternResult isa_pattern_transfer(Kernel& k, const PatternTransfer& t,
                                   const char* caller = __builtin_FUNCTION());

}  // namespace mmvp::sw
