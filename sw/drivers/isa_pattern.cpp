// The pattern card's driver, written like a Linux ISA driver (e.g. drivers/block/
// floppy.c's DMA setup under claim_dma_lock, and sound/isa's use of the DMA helpers).
#include "sw/drivers/isa_pattern.h"

#include "sw/drivers/dma_debug.h"
#include "sw/kernel/dma_mapping.h"

namespace mmvp::sw {
namespace {

// The driver's private data (like a card's struct snd_card private_data), in the DMA
// slot: the struct device, then the transfer state the IRQ handler shares.
namespace isa_pattern_priv {
inline constexpr Embedded dev{0, device::kSize};              // struct device
inline constexpr Field<std::uint32_t> irq{dev.end()};         // ISA IRQ line
inline constexpr Field<std::uint32_t> chan{irq.offset + 4};   // channel of the running transfer
inline constexpr Field<std::uint32_t> done{chan.offset + 4};  // set by the IRQ handler
inline constexpr Field<std::uint8_t> irq_status{done.offset + 4};  // card STATUS at the IRQ
inline constexpr Field<std::uint8_t> tc{irq_status.offset + 1};    // controller TC bit at the IRQ
inline constexpr Field<std::uint64_t> start_cycles{irq_status.offset + 4};
inline constexpr Field<std::uint64_t> irq_cycles{start_cycles.offset + 8};
inline constexpr Field<std::uint64_t> irqs{irq_cycles.offset + 8};  // interrupts handled
inline constexpr unsigned kSize = irqs.offset + 8;
}  // namespace isa_pattern_priv
static_assert(dma_slot::isa_pattern + isa_pattern_priv::kSize <= dma_slot::slot_end,
              "isa_pattern data outgrows the DMA slot");

// This driver's state, in its part of the DMA slot.
LAddr state() {
  return dma_slot::at(dma_slot::isa_pattern);
}

void card_out(Kernel& k, std::uint16_t reg, std::uint8_t v) {
  k.cpu.out(ISA_PATTERN_BASE + reg, 1, v);
}
std::uint8_t card_in(Kernel& k, std::uint16_t reg) {
  return static_cast<std::uint8_t>(k.cpu.in(ISA_PATTERN_BASE + reg, 1));
}

// The interrupt handler: records the card's and the controller's state, masks the
// channel (the transfer is over: its pages stop being busy) and wakes the waiter.
void isa_pattern_interrupt(Kernel& k) {
  RoutineScope r(k, Routine::irq);
  unsigned long saved = irq_enter(k);
  const unsigned chan = k.mem.get(state(), isa_pattern_priv::chan);
  k.mem.set(state(), isa_pattern_priv::irq_status, card_in(k, PATTERN_STATUS));
  if (chan < MAX_DMA_CHANNELS) {
    const std::uint8_t dma_status = read_dma_status(k, chan);
    k.mem.set(state(), isa_pattern_priv::tc, (dma_status >> (chan & 3)) & 1);
    disable_dma(k, chan);
  }
  k.mem.set(state(), isa_pattern_priv::irq_cycles, k.cpu.cycles());
  k.mem.set(state(), isa_pattern_priv::irqs, k.mem.get(state(), isa_pattern_priv::irqs) + 1);
  k.mem.set(state(), isa_pattern_priv::done, 1);
  irq_exit(k, saved);
}

void fill_pattern(Kernel& k, LAddr buf, std::uint32_t bytes, std::uint8_t seed) {
  std::uint64_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w = 0;
    for (unsigned b = 0; b < 8; ++b)
      w |= static_cast<std::uint64_t>(isa_pattern_byte(seed, i + b)) << (8 * b);
    k.mem.w64(buf + i, w);
  }
  for (; i < bytes; ++i) k.mem.w8(buf + i, isa_pattern_byte(seed, i));
}

std::uint64_t count_mismatches(Kernel& k, LAddr buf, std::uint32_t bytes, std::uint8_t seed) {
  std::uint64_t bad = 0, i = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w = k.mem.r64(buf + i);
    for (unsigned b = 0; b < 8; ++b)
      bad += static_cast<std::uint8_t>(w >> (8 * b)) != isa_pattern_byte(seed, i + b);
  }
  for (; i < bytes; ++i) bad += k.mem.r8(buf + i) != isa_pattern_byte(seed, i);
  return bad;
}

}  // namespace

LAddr isa_pattern_device() {
  return state() + isa_pattern_priv::dev;
}

int isa_pattern_probe(Kernel& k, unsigned irq) {
  RoutineScope r(k, Routine::dma);
  // The controller: channel 1's address register must read back what was written.
  unsigned long flags = claim_dma_lock(k);
  disable_dma(k, 1);
  clear_dma_ff(k, 1);
  k.cpu.out(IO_DMA1_BASE + 2, 1, 0xA5);
  k.cpu.out(IO_DMA1_BASE + 2, 1, 0x5A);
  clear_dma_ff(k, 1);
  unsigned lo = k.cpu.in(IO_DMA1_BASE + 2, 1), hi = k.cpu.in(IO_DMA1_BASE + 2, 1);
  release_dma_lock(k, flags);
  if (lo != 0xA5 || hi != 0x5A) {
    k.printk("isa_pattern: no i8237 DMA controller answers at port 0x00");
    return -19;  // -ENODEV
  }
  card_out(k, PATTERN_CMD, PATTERN_CMD_RESET);
  device_initialize(k, isa_pattern_device(), "isa_pattern");
  dma_set_mask_and_coherent(k, isa_pattern_device(), DMA_BIT_MASK(24));  // ISA: 24 bits
  k.mem.set(state(), isa_pattern_priv::irq, irq);
  k.mem.set(state(), isa_pattern_priv::chan, ~0U);
  k.mem.set(state(), isa_pattern_priv::done, 0);
  k.mem.set(state(), isa_pattern_priv::irqs, 0);
  // request_irq(): the IDT entry for the ISA line's vector.
  k.cpu.set_irq_handler(ISA_IRQ_VECTOR_BASE + irq, [&k](unsigned) { isa_pattern_interrupt(k); });
  k.printk("isa_pattern: card at port 0x300, irq " + std::to_string(irq));
  return 0;
}

int isa_pattern_start(Kernel& k, const PatternTransfer& t, const char* caller) {
  RoutineScope r(k, Routine::dma);
  const bool wide = dma_channel_16bit(t.chan);
  if (t.chan >= MAX_DMA_CHANNELS || t.chan == 4 || t.bytes == 0 ||
      t.bytes > (wide ? 0x20000U : 0x10000U) || (wide && (t.bytes & 1)))
    return -22;  // -EINVAL
  if (int err = request_dma(k, t.chan, "isa_pattern")) return err;
  if (!t.to_memory) fill_pattern(k, t.buf, t.bytes, t.seed);
  card_out(k, PATTERN_CMD, PATTERN_CMD_RESET);
  k.mem.set(state(), isa_pattern_priv::chan, t.chan);
  k.mem.set(state(), isa_pattern_priv::done, 0);
  k.mem.set(state(), isa_pattern_priv::start_cycles, k.cpu.cycles());

  unsigned long flags = claim_dma_lock(k);
  disable_dma(k, t.chan);
  clear_dma_ff(k, t.chan);
  set_dma_mode(k, t.chan, t.to_memory ? DMA_MODE_READ : DMA_MODE_WRITE);
  set_dma_addr(k, t.chan, isa_virt_to_bus(t.buf), t.buf, caller);
  set_dma_count(k, t.chan, t.bytes);
  enable_dma(k, t.chan);
  release_dma_lock(k, flags);

  card_out(k, PATTERN_CHANNEL, static_cast<std::uint8_t>(t.chan));
  card_out(k, PATTERN_SEED, t.seed);
  card_out(k, PATTERN_IRQ, static_cast<std::uint8_t>(k.mem.get(state(), isa_pattern_priv::irq)));
  card_out(k, PATTERN_CMD, t.to_memory ? PATTERN_CMD_TO_MEMORY : PATTERN_CMD_FROM_MEMORY);
  return 0;
}

bool isa_pattern_done(Kernel& k) {
  return k.mem.get(state(), isa_pattern_priv::done) != 0;
}

PatternResult isa_pattern_wait(Kernel& k, const PatternTransfer& t) {
  RoutineScope r(k, Routine::dma);
  PatternResult res;
  // Idle with interrupts on until the IRQ handler says done (like wait_event with the
  // CPU in HLT between ticks), with a deadline far beyond any ISA rate: 20000 cycles
  // per byte (150 KB/s at 3 GHz) plus 10 M.
  constexpr std::uint64_t kPollCycles = 10000;
  const std::uint64_t start = k.mem.get(state(), isa_pattern_priv::start_cycles);
  const std::uint64_t deadline = start + 20000ULL * t.bytes + 10000000ULL;
  unsigned long flags = local_irq_save(k);
  local_irq_enable(k);
  while (!isa_pattern_done(k) && k.cpu.cycles() < deadline) k.cpu.charge(kPollCycles);
  local_irq_restore(k, flags);
  res.completed = isa_pattern_done(k);
  if (!res.completed) {
    // Stop the card and the channel: the transfer is abandoned.
    card_out(k, PATTERN_CMD, PATTERN_CMD_RESET);
    unsigned long f = claim_dma_lock(k);
    disable_dma(k, t.chan);
    release_dma_lock(k, f);
    res.status = card_in(k, PATTERN_STATUS);
  } else {
    res.status = k.mem.get(state(), isa_pattern_priv::irq_status);
    res.tc = k.mem.get(state(), isa_pattern_priv::tc) != 0;
    res.cycles = k.mem.get(state(), isa_pattern_priv::irq_cycles) - start;
  }
  unsigned long f = claim_dma_lock(k);
  clear_dma_ff(k, t.chan);
  res.residue = get_dma_residue(k, t.chan);
  release_dma_lock(k, f);
  if (t.to_memory)
    res.mismatches = count_mismatches(k, t.buf, t.bytes, t.seed);
  else
    res.device_errors = card_in(k, PATTERN_ERRORS_LO) | card_in(k, PATTERN_ERRORS_HI) << 8;
  k.mem.set(state(), isa_pattern_priv::chan, ~0U);
  free_dma(k, t.chan);
  return res;
}

PatternResult isa_pattern_transfer(Kernel& k, const PatternTransfer& t, const char* caller) {
  PatternResult res;
  res.error = isa_pattern_start(k, t, caller);
  if (res.error) return res;
  return isa_pattern_wait(k, t);
}

}  // namespace mmvp::sw
