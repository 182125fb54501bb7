// The ISA DMA validator, in the spirit of Linux's CONFIG_DMA_API_DEBUG
// (kernel/dma/debug.c): the ISA DMA API records, per channel, the full physical
// address a driver programs, the byte count, the linear address it came from and the
// function that set it up; enable_dma checks them; __free_pages of a page a transfer
// is still using is caught through PG_dma_busy. Violations are printed, counted per
// class in guest memory, and with the fatal switch the first one panics.
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

enum dma_violation : unsigned {
  DMA_ABOVE_16MB = 0,       // the transfer reaches at or above 16 MB: truncated to 24 bits
  DMA_CROSSES_64K = 1,      // an 8-bit channel's transfer crosses a 64 KB page
  DMA_CROSSES_128K = 2,     // a 16-bit channel's transfer crosses a 128 KB page
  DMA_NOT_CONTIGUOUS = 3,   // vmalloc buffer, free pages, a short slab object, two allocations
  DMA_FREED_IN_FLIGHT = 4,  // pages given back to the buddy allocator while in flight
  // The streaming DMA API (dma_map_*, dma_unmap_*, dma_sync_*; kernel/dma/debug.c).
  DMA_MAP_OVERFLOW = 5,        // the device's mask cannot reach the buffer: DMA_MAPPING_ERROR
  DMA_UNMAP_NOT_MAPPED = 6,    // unmap of an address that is not mapped
  DMA_UNMAP_WRONG_SIZE = 7,    // unmap with another size than the map
  DMA_UNMAP_WRONG_TYPE = 8,    // unmapped with another function (single vs scatter-gather)
  DMA_UNMAP_WRONG_DIR = 9,     // unmap with another direction than the map
  DMA_SG_WRONG_COUNT = 10,     // dma_unmap_sg with another nents than dma_map_sg got
  DMA_MAP_ERR_UNCHECKED = 11,  // unmapped without dma_mapping_error() having been called
  DMA_SYNC_NOT_MAPPED = 12,    // sync of an address that is not mapped
  DMA_SYNC_OUT_OF_RANGE = 13,  // sync beyond the mapping
  DMA_SYNC_WRONG_DIR = 14,     // sync against the mapping's direction
  NR_DMA_VIOLATIONS = 15
};
const char* dma_violation_name(unsigned cls);

// A violation of the DMA API found by sw/kernel/dma_debug_map.cpp: printed as
// err_printk does ("DMA-API: <driver> <device>: <message>", then "Mapped at:" and the
// mapping's caller when there is one), counted in its class, fatal when asked.
void dma_debug_api_error(Kernel& k, unsigned cls, const std::string& device,
                         const std::string& message, const std::string& mapped_at);

// Zeroes the records and counters (isa_dma_init calls it).
void dma_debug_init(Kernel& k);
// `dma.violations_fatal`: the first violation panics the kernel.
void dma_debug_set_fatal(Kernel& k, bool fatal);
std::uint64_t dma_debug_violations(Kernel& k, unsigned cls);
std::uint64_t dma_debug_checked(Kernel& k);  // transfers checked at enable_dma

// Hooks of the ISA DMA API (sw/drivers/isa_dma.cpp).
void dma_debug_set_addr(Kernel& k, unsigned dmanr, PAddr phys, LAddr linear, const char* caller);
void dma_debug_set_count(Kernel& k, unsigned dmanr, std::uint32_t bytes);
void dma_debug_set_mode(Kernel& k, unsigned dmanr, std::uint8_t mode);
// Checks the channel's transfer and marks its pages PG_dma_busy.
void dma_debug_enable(Kernel& k, unsigned dmanr);
// The transfer is over (terminal count seen, or the channel masked): PG_dma_busy off.
void dma_debug_disable(Kernel& k, unsigned dmanr);

// Called by __free_pages (mm/page_alloc.c's free path) for a block whose head has
// PG_dma_busy: reports the violation, clears PG_dma_busy on the block's pages so the
// free proceeds, and returns the head's flags without it.
std::uint64_t dma_debug_freed_in_flight(Kernel& k, LAddr page, unsigned order);

}  // namespace mmvp::sw
