// CONFIG_DEFERRED_STRUCT_PAGE_INIT (mm/mm_init.c): the boot initialises the struct
// pages of the low zones and of the first section of the node's last zone; the rest
// wait for page_alloc_init_late(), whose deferred_init_memmap() initialises and frees
// them a MAX_ORDER block at a time, so each block's struct pages are written once and
// are still in the cache when the free touches them again. On a large node most of
// those blocks may be fast-forwarded (kernel.memmap_fast_forward): the same stores,
// functionally, with the time of the blocks measured in detail.
#include <algorithm>
#include <cstdio>

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mm_init_internal.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc_internal.h"

namespace mmvp::sw {

std::uint64_t first_deferred_pfn(std::uint64_t lo, std::uint64_t hi) {
  // defer_init(): true once nr_initialised > PAGES_PER_SECTION at a section boundary.
  const std::uint64_t pfn =
      (lo + PAGES_PER_SECTION + PAGES_PER_SECTION - 1) & ~(PAGES_PER_SECTION - 1);
  return pfn < hi ? pfn : kNoDeferredPfn;
}

void init_deferred_reserved_pages(Kernel& k, std::uint64_t first_deferred) {
  // reserve_bootmem_region() -> init_reserved_page(): __init_single_page, then
  // __SetPageReserved, for reserved pfns that early_page_initialised() says are not.
  const std::uint64_t end_pfn = max_pfn(k);
  const unsigned n = memblock_region_count(k, MemblockType::reserved);
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::reserved, i, &base, &size);
    const std::uint64_t s = std::max(first_deferred, base >> PAGE_SHIFT);
    const std::uint64_t e = std::min(end_pfn, (base + size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    for (std::uint64_t pfn = s; pfn < e; ++pfn) init_single_page(k, pfn, pfn_zone(pfn), true);
  }
}

namespace {

// deferred_init_memmap()'s blocks: the free ranges from first_deferred_pfn to max_pfn,
// cut at MAX_ORDER boundaries (deferred_init_maxorder).
template <typename Fn>
void for_each_deferred_block(Kernel& k, std::uint64_t first, Fn&& fn) {
  const std::uint64_t end_pfn = max_pfn(k);
  for_each_free_mem_range(k, [&](PAddr start, PAddr end) {
    for_each_max_order_block(std::max(first, (start + PAGE_SIZE - 1) >> PAGE_SHIFT),
                             std::min(end_pfn, end >> PAGE_SHIFT), fn);
    return false;
  });
}

}  // namespace

void page_alloc_init_late(Kernel& k, bool fast_forward) {
  const std::uint64_t first = k.mem.get(NODE_DATA, pgdat::first_deferred_pfn);
  if (first == kNoDeferredPfn) return;
  RoutineScope rs(k, Routine::deferred_init_memmap);
  const std::uint64_t c0 = k.cpu.cycles();
  k.mem.set(NODE_DATA, pgdat::first_deferred_pfn, kNoDeferredPfn);
  // deferred_init_memmap(): each MAX_ORDER-aligned block initialised
  // (deferred_init_pages: not reserved) and then freed (deferred_free_pages). The
  // pageblocks are MIGRATE_MOVABLE already (pageblock_flags_init).
  std::uint64_t freed = 0;
  run_memmap_blocks(
      k, fast_forward, [&](auto&& fn) { for_each_deferred_block(k, first, fn); },
      [&](std::uint64_t s, std::uint64_t e) {
        for (std::uint64_t pfn = s; pfn < e; ++pfn) init_single_page(k, pfn, pfn_zone(pfn), false);
        // Linux frees a partial block page by page; the largest aligned blocks, as
        // memblock_free_all frees them, leave the same free lists in the same order.
        freed += free_pages_memory(k, s, e);
      });
  k.mem.add(MM_GLOBALS, mm_globals::totalram_pages, freed);
  // jiffies_to_msecs(jiffies - start): simulated time, from the TSC and its frequency
  // (CPUID.16H, as tsc_khz would have it).
  const unsigned mhz = k.cpu.cpuid().base_mhz;
  char line[80];
  std::snprintf(line, sizeof line, "node 0 deferred pages initialised in %llums",
                static_cast<unsigned long long>(mhz ? (k.cpu.cycles() - c0) / (mhz * 1000ULL) : 0));
  k.printk(line);
}

}  // namespace mmvp::sw
