// Linux's ISA DMA API for the PC's two i8237 controllers (arch/x86/include/asm/dma.h,
// kernel/dma.c): the channel table (request_dma / free_dma), the DMA spinlock (one
// CPU: interrupts off), and the register helpers that program a channel through port
// I/O exactly as Linux's inline functions do. Every set_dma_* / enable_dma /
// disable_dma also feeds the DMA validator (sw/drivers/dma_debug.h).
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"

namespace mmvp::sw {

// Our .data slot (layout::DMA, 4 KB), shared by the ISA DMA code: its parts.
namespace dma_slot {
inline constexpr unsigned dma_chan_busy = 0x000;  // struct dma_chan[8]
inline constexpr unsigned dma_debug = 0x100;      // dma_debug.cpp's records
inline constexpr unsigned dma_api = 0x3C0;        // dma_debug_map.cpp: mapping list
inline constexpr unsigned irq_flags = 0x3F8;      // u32: RFLAGS.IF mirror
inline constexpr unsigned isa_pattern = 0x400;    // isa_pattern.cpp's state
inline constexpr unsigned slot_end = 0x1000;
// The address of a part (one of the offsets above) of this kernel's slot.
inline LAddr at(unsigned part) {
  return layout::DMA + part;
}
}  // namespace dma_slot

// struct dma_chan (kernel/dma.c) with the owner's name inline instead of a pointer.
namespace dma_chan {
inline constexpr Field<std::uint32_t> lock{0};  // 1 while requested
inline constexpr unsigned kNameLen = 24;
inline constexpr Embedded device_id{8, kNameLen};  // the owner's name
inline constexpr unsigned kSize = 32;
}  // namespace dma_chan

inline constexpr unsigned MAX_DMA_CHANNELS = 8;
// The highest address ISA DMA reaches: 16 MB (MAX_DMA_ADDRESS is its direct-map va).
inline constexpr PAddr MAX_DMA_PHYS = 16ULL << 20;
inline LAddr MAX_DMA_ADDRESS() {
  return PAGE_OFFSET + MAX_DMA_PHYS;
}

// 8237 DMA controller ports (arch/x86/include/asm/dma.h).
inline constexpr std::uint16_t IO_DMA1_BASE = 0x00;  // 8-bit slave DMA, channels 0..3
inline constexpr std::uint16_t IO_DMA2_BASE = 0xC0;  // 16-bit master DMA, channels 4..7
inline constexpr std::uint16_t DMA1_CMD_REG = 0x08, DMA1_STAT_REG = 0x08, DMA1_REQ_REG = 0x09,
                               DMA1_MASK_REG = 0x0A, DMA1_MODE_REG = 0x0B, DMA1_CLEAR_FF_REG = 0x0C,
                               DMA1_RESET_REG = 0x0D, DMA1_CLR_MASK_REG = 0x0E,
                               DMA1_MASK_ALL_REG = 0x0F;
inline constexpr std::uint16_t DMA2_CMD_REG = 0xD0, DMA2_STAT_REG = 0xD0, DMA2_REQ_REG = 0xD2,
                               DMA2_MASK_REG = 0xD4, DMA2_MODE_REG = 0xD6, DMA2_CLEAR_FF_REG = 0xD8,
                               DMA2_RESET_REG = 0xDA, DMA2_CLR_MASK_REG = 0xDC,
                               DMA2_MASK_ALL_REG = 0xDE;
// Page registers (DMA_PAGE_0..7; 4 is the cascade, 0x8F the refresh page).
inline constexpr std::uint16_t DMA_PAGE[MAX_DMA_CHANNELS] = {0x87, 0x83, 0x81, 0x82,
                                                             0x8F, 0x8B, 0x89, 0x8A};

// Modes (set_dma_mode).
// Linux names the direction from the CPU's side: READ is a device read into memory
// (the 8237's "write transfer"), WRITE a memory write out to the device.
inline constexpr std::uint8_t DMA_MODE_READ = 0x44;     // I/O -> memory, single, increment
inline constexpr std::uint8_t DMA_MODE_WRITE = 0x48;    // memory -> I/O, single, increment
inline constexpr std::uint8_t DMA_MODE_CASCADE = 0xC0;  // pass thru DREQ -> HRQ
inline constexpr std::uint8_t DMA_AUTOINIT = 0x10;

// Channels 5..7 move 16-bit words and may not cross a 128 KB boundary; 0..3 bytes, 64 KB.
inline bool dma_channel_16bit(unsigned dmanr) {
  return dmanr > 3;
}

// Sets the channel table up: channel 4 is the cascade ("cascade", busy), the others free.
void isa_dma_init(Kernel& k);

// request_dma / free_dma (kernel/dma.c): -EINVAL for a channel out of range, -EBUSY if
// already requested; 0 on success.
int request_dma(Kernel& k, unsigned dmanr, const char* device_id);
void free_dma(Kernel& k, unsigned dmanr);
bool dma_channel_busy(Kernel& k, unsigned dmanr);
// The device_id request_dma was given for a busy channel ("cascade" for 4).
std::string dma_channel_owner(Kernel& k, unsigned dmanr);

// claim_dma_lock / release_dma_lock: with one CPU, the spinlock is interrupts off
// (spin_lock_irqsave); returns the previous interrupt state to restore.
unsigned long claim_dma_lock(Kernel& k);
void release_dma_lock(Kernel& k, unsigned long flags);

// The register helpers (call with the DMA lock held).
void enable_dma(Kernel& k, unsigned dmanr);
void disable_dma(Kernel& k, unsigned dmanr);
void clear_dma_ff(Kernel& k, unsigned dmanr);
void set_dma_mode(Kernel& k, unsigned dmanr, std::uint8_t mode);
void set_dma_page(Kernel& k, unsigned dmanr, std::uint8_t pagenr);
// `a` is the full physical (bus) address the driver means; only 24 bits reach the
// controller. `buf` is the linear address the driver took it from (0: its direct-map
// address) and `caller` the function setting the transfer up, both for the validator.
void set_dma_addr(Kernel& k, unsigned dmanr, PAddr a, LAddr buf = 0,
                  const char* caller = __builtin_FUNCTION());
void set_dma_count(Kernel& k, unsigned dmanr, std::uint32_t count);
// Bytes left to transfer (0 once terminal count is reached).
unsigned get_dma_residue(Kernel& k, unsigned dmanr);
// The controller's status register: bits 0-3 TC reached, 4-7 DREQ pending, for
// channels 0-3 (dmanr < 4) or 4-7. Reading clears the TC bits.
std::uint8_t read_dma_status(Kernel& k, unsigned dmanr);

// isa_virt_to_bus(): the bus address of a direct-map address (virt_to_phys).
inline PAddr isa_virt_to_bus(LAddr va) {
  return va - PAGE_OFFSET;
}

// Interrupt state. The core has no PUSHF in its interface, so the kernel keeps a
// mirror of RFLAGS.IF in .data, written wherever it executes STI/CLI and saved and
// cleared on IRQ entry like the interrupt gate does (local_irq_save & co.).
unsigned long local_irq_save(Kernel& k);
void local_irq_restore(Kernel& k, unsigned long flags);
void local_irq_enable(Kernel& k);
void local_irq_disable(Kernel& k);
// Brackets an IRQ handler body (irq_enter / irq_exit): IF was cleared by the gate.
unsigned long irq_enter(Kernel& k);
void irq_exit(Kernel& k, unsigned long saved);

}  // namespace mmvp::sw
