// The DMA mapping API's coherent allocations (include/linux/dma-mapping.h,
// kernel/dma/direct.c) for devices that see part of physical memory: a struct device
// with its DMA masks in guest memory, and dma_alloc_coherent / dma_free_coherent
// picking the zone the mask allows (ZONE_DMA for 24-bit ISA masks, ZONE_DMA32 for
// 32-bit ones) with no fallback to a higher zone.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// struct device (include/linux/device.h), the part DMA mapping reads; the name is
// inline (Linux: init_name / kobject name).
namespace device {
inline constexpr unsigned kNameLen = 32;
inline constexpr Embedded init_name{0, kNameLen};    // char[32]
inline constexpr Field<std::uint64_t> dma_mask{32};  // streaming DMA mask (Linux: u64 *)
inline constexpr Field<std::uint64_t> coherent_dma_mask{40};
inline constexpr unsigned kSize = 48;
}  // namespace device

inline constexpr std::uint64_t DMA_BIT_MASK(unsigned n) {
  return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

// device_initialize() of the fields above at `dev` (a struct device in guest memory).
void device_initialize(Kernel& k, LAddr dev, const char* name);
// dma_set_mask_and_coherent(): 0, or -EIO for a mask too small for any zone (< 24 bits).
int dma_set_mask_and_coherent(Kernel& k, LAddr dev, std::uint64_t mask);
std::uint64_t dma_get_coherent_mask(Kernel& k, LAddr dev);

// Zeroed memory the device can reach: the direct-map address, and its bus address in
// *dma_handle. 0 (NULL) when the zone the mask allows is exhausted.
LAddr dma_alloc_coherent(Kernel& k, LAddr dev, std::uint64_t size, PAddr* dma_handle, gfp_t gfp);
void dma_free_coherent(Kernel& k, LAddr dev, std::uint64_t size, LAddr cpu_addr, PAddr dma_handle);

}  // namespace mmvp::sw
