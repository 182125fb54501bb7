// The ISA DMA API (kernel/dma.c, arch/x86/include/asm/dma.h): channel table in the
// DMA .data slot, register programming through port I/O as Linux's inline helpers do
// it, and the validator's hooks.
#include "sw/drivers/isa_dma.h"

#include "sw/drivers/dma_debug.h"

namespace mmvp::sw {
namespace {

static_assert(dma_chan::kSize * MAX_DMA_CHANNELS <= dma_slot::dma_debug - dma_slot::dma_chan_busy,
              "dma_chan table outgrows its part of the DMA slot");

LAddr chan_addr(unsigned dmanr) {
  return dma_slot::at(dma_slot::dma_chan_busy) + dma_chan::kSize * dmanr;
}

// dma_outb / dma_inb: the 8237 sits on the ISA bus (outb_p in Linux).
void dma_outb(Kernel& k, std::uint8_t value, std::uint16_t port) {
  k.cpu.out(port, 1, value);
}
std::uint8_t dma_inb(Kernel& k, std::uint16_t port) {
  return static_cast<std::uint8_t>(k.cpu.in(port, 1));
}

}  // namespace

void isa_dma_init(Kernel& k) {
  k.mem.zero(dma_slot::at(dma_slot::dma_chan_busy), dma_chan::kSize * MAX_DMA_CHANNELS);
  // dma_chan_busy[4] = { 1, "cascade" }: channel 4 links the two controllers.
  k.mem.set(chan_addr(4), dma_chan::lock, 1);
  k.mem.write_string(chan_addr(4) + dma_chan::device_id, "cascade", dma_chan::kNameLen);
  k.mem.w32(dma_slot::at(dma_slot::irq_flags),
            0);  // the kernel runs with interrupts off until it enables them
  dma_debug_init(k);
}

int request_dma(Kernel& k, unsigned dmanr, const char* device_id) {
  if (dmanr >= MAX_DMA_CHANNELS) return -22;  // -EINVAL
  LAddr c = chan_addr(dmanr);
  if (k.mem.get(c, dma_chan::lock)) return -16;  // -EBUSY (xchg(&lock, 1) != 0)
  k.mem.set(c, dma_chan::lock, 1);
  k.mem.write_string(c + dma_chan::device_id, device_id, dma_chan::kNameLen);
  return 0;
}

void free_dma(Kernel& k, unsigned dmanr) {
  if (dmanr >= MAX_DMA_CHANNELS) {
    k.printk("Trying to free DMA" + std::to_string(dmanr));
    return;
  }
  LAddr c = chan_addr(dmanr);
  if (!k.mem.get(c, dma_chan::lock)) {
    k.printk("Trying to free free DMA" + std::to_string(dmanr));
    return;
  }
  dma_debug_disable(k, dmanr);
  k.mem.set(c, dma_chan::lock, 0);
  k.mem.w8(c + dma_chan::device_id, 0);
}

bool dma_channel_busy(Kernel& k, unsigned dmanr) {
  return dmanr < MAX_DMA_CHANNELS && k.mem.get(chan_addr(dmanr), dma_chan::lock) != 0;
}

std::string dma_channel_owner(Kernel& k, unsigned dmanr) {
  return k.mem.read_string(chan_addr(dmanr) + dma_chan::device_id, dma_chan::kNameLen);
}

unsigned long local_irq_save(Kernel& k) {
  unsigned long flags = k.mem.r32(dma_slot::at(dma_slot::irq_flags));
  if (flags) local_irq_disable(k);
  return flags;
}
void local_irq_restore(Kernel& k, unsigned long flags) {
  if (flags)
    local_irq_enable(k);
  else
    local_irq_disable(k);
}
void local_irq_enable(Kernel& k) {
  k.mem.w32(dma_slot::at(dma_slot::irq_flags), 1);
  k.cpu.set_if(true);  // STI: a pending IRQ is taken now
}
void local_irq_disable(Kernel& k) {
  k.cpu.set_if(false);  // CLI
  k.mem.w32(dma_slot::at(dma_slot::irq_flags), 0);
}
unsigned long irq_enter(Kernel& k) {
  unsigned long saved = k.mem.r32(dma_slot::at(dma_slot::irq_flags));
  k.mem.w32(dma_slot::at(dma_slot::irq_flags), 0);
  return saved;
}
void irq_exit(Kernel& k, unsigned long saved) {
  k.mem.w32(dma_slot::at(dma_slot::irq_flags), static_cast<std::uint32_t>(saved));
}

unsigned long claim_dma_lock(Kernel& k) {
  return local_irq_save(k);  // spin_lock_irqsave(&dma_spin_lock, flags)
}
void release_dma_lock(Kernel& k, unsigned long flags) {
  local_irq_restore(k, flags);
}

void enable_dma(Kernel& k, unsigned dmanr) {
  dma_debug_enable(k, dmanr);  // check, then mark the pages busy, before DREQ is honoured
  if (dmanr <= 3)
    dma_outb(k, static_cast<std::uint8_t>(dmanr), DMA1_MASK_REG);
  else
    dma_outb(k, static_cast<std::uint8_t>(dmanr & 3), DMA2_MASK_REG);
}

void disable_dma(Kernel& k, unsigned dmanr) {
  if (dmanr <= 3)
    dma_outb(k, static_cast<std::uint8_t>(dmanr | 4), DMA1_MASK_REG);
  else
    dma_outb(k, static_cast<std::uint8_t>((dmanr & 3) | 4), DMA2_MASK_REG);
  dma_debug_disable(k, dmanr);
}

void clear_dma_ff(Kernel& k, unsigned dmanr) {
  dma_outb(k, 0, dmanr <= 3 ? DMA1_CLEAR_FF_REG : DMA2_CLEAR_FF_REG);
}

void set_dma_mode(Kernel& k, unsigned dmanr, std::uint8_t mode) {
  dma_debug_set_mode(k, dmanr, mode);
  if (dmanr <= 3)
    dma_outb(k, static_cast<std::uint8_t>(mode | dmanr), DMA1_MODE_REG);
  else
    dma_outb(k, static_cast<std::uint8_t>(mode | (dmanr & 3)), DMA2_MODE_REG);
}

void set_dma_page(Kernel& k, unsigned dmanr, std::uint8_t pagenr) {
  if (dmanr >= MAX_DMA_CHANNELS || dmanr == 4) return;
  // The 16-bit controller takes address bit 16 from its word address: page bit 0 unused.
  dma_outb(k, dmanr > 4 ? static_cast<std::uint8_t>(pagenr & 0xfe) : pagenr, DMA_PAGE[dmanr]);
}

void set_dma_addr(Kernel& k, unsigned dmanr, PAddr a, LAddr buf, const char* caller) {
  dma_debug_set_addr(k, dmanr, a, buf, caller);
  set_dma_page(k, dmanr, static_cast<std::uint8_t>(a >> 16));
  if (dmanr <= 3) {
    const std::uint16_t port = static_cast<std::uint16_t>(((dmanr & 3) << 1) + IO_DMA1_BASE);
    dma_outb(k, a & 0xff, port);
    dma_outb(k, (a >> 8) & 0xff, port);
  } else {
    const std::uint16_t port = static_cast<std::uint16_t>(((dmanr & 3) << 2) + IO_DMA2_BASE);
    dma_outb(k, (a >> 1) & 0xff, port);
    dma_outb(k, (a >> 9) & 0xff, port);
  }
}

void set_dma_count(Kernel& k, unsigned dmanr, std::uint32_t count) {
  dma_debug_set_count(k, dmanr, count);
  count--;
  if (dmanr <= 3) {
    const std::uint16_t port = static_cast<std::uint16_t>(((dmanr & 3) << 1) + 1 + IO_DMA1_BASE);
    dma_outb(k, count & 0xff, port);
    dma_outb(k, (count >> 8) & 0xff, port);
  } else {
    const std::uint16_t port = static_cast<std::uint16_t>(((dmanr & 3) << 2) + 2 + IO_DMA2_BASE);
    dma_outb(k, (count >> 1) & 0xff, port);
    dma_outb(k, (count >> 9) & 0xff, port);
  }
}

unsigned get_dma_residue(Kernel& k, unsigned dmanr) {
  const std::uint16_t port = static_cast<std::uint16_t>(
      dmanr <= 3 ? ((dmanr & 3) << 1) + 1 + IO_DMA1_BASE : ((dmanr & 3) << 2) + 2 + IO_DMA2_BASE);
  // An unsigned short gives the 16-bit wrap-around: 0xFFFF after TC reads as 0.
  std::uint16_t count = static_cast<std::uint16_t>(1 + dma_inb(k, port));
  count = static_cast<std::uint16_t>(count + (dma_inb(k, port) << 8));
  return dmanr <= 3 ? count : static_cast<unsigned>(count) << 1;
}

std::uint8_t read_dma_status(Kernel& k, unsigned dmanr) {
  return dma_inb(k, dmanr <= 3 ? DMA1_STAT_REG : DMA2_STAT_REG);
}

}  // namespace mmvp::sw
