// dma_alloc_coherent for the direct mapping (kernel/dma/direct.c): the zone comes from
// the coherent mask (dma_direct_optimal_gfp_mask), the pages are checked against it
// (dma_coherent_ok) and, when they do not fit, freed and taken again from the next
// lower zone (__dma_direct_alloc_pages); never from a higher one, so an exhausted
// ZONE_DMA gives NULL.
#include "sw/kernel/dma_mapping.h"

#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab_internal.h"

namespace mmvp::sw {
namespace {

// The zone modifier for a mask (dma_direct_optimal_gfp_mask; zone_dma_bits = 24).
gfp_t gfp_for_mask(std::uint64_t mask) {
  if (mask <= DMA_BIT_MASK(24)) return GFP_DMA;
  if (mask <= DMA_BIT_MASK(32)) return GFP_DMA32;
  return 0;
}

}  // namespace

void device_initialize(Kernel& k, LAddr dev, const char* name) {
  k.mem.zero(dev, device::kSize);
  k.mem.write_string(dev + device::init_name, name, device::kNameLen);
  // The default for a device that did not set one (32 bits, like a PCI device).
  k.mem.set(dev, device::dma_mask, DMA_BIT_MASK(32));
  k.mem.set(dev, device::coherent_dma_mask, DMA_BIT_MASK(32));
}

int dma_set_mask_and_coherent(Kernel& k, LAddr dev, std::uint64_t mask) {
  if (mask < DMA_BIT_MASK(24)) return -5;  // dma_direct_supported(): -EIO
  k.mem.set(dev, device::dma_mask, mask);
  k.mem.set(dev, device::coherent_dma_mask, mask);
  return 0;
}

std::uint64_t dma_get_coherent_mask(Kernel& k, LAddr dev) {
  return k.mem.get(dev, device::coherent_dma_mask);
}

LAddr dma_alloc_coherent(Kernel& k, LAddr dev, std::uint64_t size, PAddr* dma_handle, gfp_t gfp) {
  RoutineScope r(k, Routine::dma);
  *dma_handle = 0;
  if (size == 0) return 0;
  const std::uint64_t mask = dma_get_coherent_mask(k, dev);
  // The caller's zone modifiers are ignored (dma_alloc_attrs strips them).
  gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM);
  gfp |= gfp_for_mask(mask) | __GFP_ZERO;
  const unsigned order = get_order(size);
  for (;;) {
    LAddr pg = alloc_pages(k, gfp, order);
    if (!pg) return 0;
    const PAddr phys = page::page_to_pfn(pg) << PAGE_SHIFT;
    if (phys + (PAGE_SIZE << order) - 1 <= mask) {  // dma_coherent_ok()
      *dma_handle = phys;                           // phys_to_dma(): no offset on x86
      return page::page_to_virt(pg);
    }
    __free_pages(k, pg, order);
    // A mask between the zones' limits: the next lower zone is within it.
    if (!(gfp & (__GFP_DMA32 | __GFP_DMA)) && mask < DMA_BIT_MASK(64)) {
      gfp |= __GFP_DMA32;
    } else if (!(gfp & __GFP_DMA)) {
      gfp = (gfp & ~__GFP_DMA32) | __GFP_DMA;
    } else {
      return 0;
    }
  }
}

void dma_free_coherent(Kernel& k, LAddr dev, std::uint64_t size, LAddr cpu_addr, PAddr dma_handle) {
  (void)dev;
  (void)dma_handle;
  if (!cpu_addr) return;
  RoutineScope r(k, Routine::dma);
  __free_pages(k, page::virt_to_page(cpu_addr), get_order(size));
}

}  // namespace mmvp::sw
