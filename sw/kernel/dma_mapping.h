// The DMA mapping API (include/linux/dma-mapping.h, kernel/dma/direct.c, mm/dmapool.c)
// for devices that see part of physical memory: a struct device with its DMA masks in
// guest memory; dma_alloc_coherent / dma_free_coherent picking the zone the mask allows
// (ZONE_DMA for masks up to 24 bits, ZONE_DMA32 up to 32, retrying lower when the page
// is out of reach, never a higher zone); streaming mappings (dma_map_single/sg, sync)
// checked against the mask (dma_capable) and recorded for dma-debug; and dma_pool for
// small coherent blocks that must not cross a boundary. There is no IOMMU and no
// swiotlb bounce buffer: a buffer the mask cannot reach is DMA_MAPPING_ERROR, as on a
// machine without swiotlb (x86-64 enables it only above 4 GB of RAM).
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

// enum dma_data_direction.
enum dma_data_direction : unsigned {
  DMA_BIDIRECTIONAL = 0,
  DMA_TO_DEVICE = 1,
  DMA_FROM_DEVICE = 2,
  DMA_NONE = 3
};
inline constexpr PAddr DMA_MAPPING_ERROR = ~PAddr{0};

// Streaming mappings (sw/kernel/dma_streaming.cpp). `caller` is the driver function,
// for dma-debug's "Mapped at:".
PAddr dma_map_single(Kernel& k, LAddr dev, LAddr ptr, std::uint64_t size, dma_data_direction dir,
                     const char* caller = "dma_map_single");
void dma_unmap_single(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size, dma_data_direction dir);
// dma_mapping_error(): 1 for DMA_MAPPING_ERROR; tells dma-debug the driver checked.
int dma_mapping_error(Kernel& k, LAddr dev, PAddr addr);
void dma_sync_single_for_cpu(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size,
                             dma_data_direction dir);
void dma_sync_single_for_device(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size,
                                dma_data_direction dir);

// struct scatterlist (CONFIG_NEED_SG_DMA_LENGTH): the page with SG_CHAIN/SG_END in
// page_link's low bits, offset and length in it, and the mapping.
namespace scatterlist {
inline constexpr Field<std::uint64_t> page_link{0};
inline constexpr Field<std::uint32_t> offset{8};
inline constexpr Field<std::uint32_t> length{12};
inline constexpr Field<PAddr> dma_address{16};
inline constexpr Field<std::uint32_t> dma_length{24};
inline constexpr unsigned kSize = 32;
inline constexpr std::uint64_t SG_END = 0x2;
}  // namespace scatterlist
void sg_init_table(Kernel& k, LAddr sgl, unsigned nents);
void sg_set_buf(Kernel& k, LAddr sg, LAddr buf, std::uint32_t length);
// dma_map_sg(): the number of entries mapped (nents: dma-direct merges nothing), 0 on
// failure with nothing left mapped. dma_unmap_sg takes the nents given to dma_map_sg.
int dma_map_sg(Kernel& k, LAddr dev, LAddr sgl, unsigned nents, dma_data_direction dir,
               const char* caller = "dma_map_sg");
void dma_unmap_sg(Kernel& k, LAddr dev, LAddr sgl, unsigned nents, dma_data_direction dir);
// Mappings dma-debug holds (debug_dma_mapping_error's hash, here a list).
std::uint64_t dma_debug_nr_mappings(Kernel& k);
void dma_debug_mappings_init(Kernel& k);

// DMA pools (sw/kernel/dmapool.c): blocks of `size` bytes, `align` aligned, never
// crossing a `boundary` (a power of two, 0: none), carved from coherent pages.
LAddr dma_pool_create(Kernel& k, const char* name, LAddr dev, std::uint64_t size,
                      std::uint64_t align, std::uint64_t boundary);
LAddr dma_pool_alloc(Kernel& k, LAddr pool, gfp_t gfp, PAddr* handle);
void dma_pool_free(Kernel& k, LAddr pool, LAddr vaddr, PAddr dma);
void dma_pool_destroy(Kernel& k, LAddr pool);
// struct dma_pool's counters (the pools sysfs file: active blocks, blocks, pages).
struct DmaPoolInfo {
  std::uint64_t nr_active = 0, nr_blocks = 0, nr_pages = 0, size = 0, allocation = 0, boundary = 0;
};
DmaPoolInfo dma_pool_info(Kernel& k, LAddr pool);

}  // namespace mmvp::sw
