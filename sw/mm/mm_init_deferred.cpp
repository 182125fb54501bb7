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
  constexpr std::uint64_t kMaxOrderPages = 1ULL << MAX_ORDER;
  for_each_free_mem_range(k, [&](PAddr start, PAddr end) {
    std::uint64_t s = std::max(first, (start + PAGE_SIZE - 1) >> PAGE_SHIFT);
    const std::uint64_t e = std::min(end_pfn, end >> PAGE_SHIFT);
    while (s < e) {
      const std::uint64_t block_end = std::min(e, (s + kMaxOrderPages) & ~(kMaxOrderPages - 1));
      fn(s, block_end);
      s = block_end;
    }
    return false;
  });
}

// Which blocks run in detail when fast-forwarding (kernel.memmap_fast_forward): the
// first kRateBlocks, whose second half measures the cycles a page costs; and the last
// ones, enough struct pages to pass twice the last-level cache through (and at least
// kRateBlocks), so that the caches, TLBs and DRAM rows end as a detailed run leaves
// them. The blocks between are fast-forwarded and charged at the measured rate. A node
// too small to leave a stretch as long as the detailed ones runs wholly in detail.
constexpr std::uint64_t kRateBlocks = 64;

struct FastForwardPlan {
  std::uint64_t begin = 0, end = 0;  // block indices [begin, end) are fast-forwarded
};

FastForwardPlan plan_fast_forward(std::uint64_t blocks, std::uint64_t llc_bytes) {
  const std::uint64_t block_memmap = (1ULL << MAX_ORDER) * page::kSize;
  const std::uint64_t tail =
      std::max(kRateBlocks, (2 * llc_bytes + block_memmap - 1) / block_memmap);
  if (blocks < 2 * (kRateBlocks + tail)) return {};
  return {kRateBlocks, blocks - tail};
}

}  // namespace

void page_alloc_init_late(Kernel& k, bool fast_forward) {
  const std::uint64_t first = k.mem.get(NODE_DATA, pgdat::first_deferred_pfn);
  if (first == kNoDeferredPfn) return;
  RoutineScope rs(k, Routine::deferred_init_memmap);
  const std::uint64_t c0 = k.cpu.cycles();
  k.mem.set(NODE_DATA, pgdat::first_deferred_pfn, kNoDeferredPfn);
  FastForwardPlan ff;
  if (fast_forward) {
    std::uint64_t blocks = 0;
    for_each_deferred_block(k, first, [&](std::uint64_t, std::uint64_t) { ++blocks; });
    ff = plan_fast_forward(blocks, k.cpu.cpuid().last_level_cache_bytes);
  }
  // deferred_init_memmap(): each MAX_ORDER-aligned block initialised
  // (deferred_init_pages: not reserved) and then freed (deferred_free_pages). The
  // pageblocks are MIGRATE_MOVABLE already (pageblock_flags_init).
  std::uint64_t freed = 0, index = 0;
  std::uint64_t rate_c0 = 0, rate_cycles = 0, rate_pages = 0, ff_pages = 0, ff_cycles = 0;
  for_each_deferred_block(k, first, [&](std::uint64_t s, std::uint64_t e) {
    if (ff.begin < ff.end) {
      if (index == ff.begin / 2) rate_c0 = k.cpu.cycles();
      if (index == ff.begin) k.cpu.set_fast_forward(true);
      if (index == ff.end) {
        k.cpu.set_fast_forward(false);
        // The cycles the measured blocks took per page, for every fast-forwarded page.
        const long double per_page = static_cast<long double>(rate_cycles) / rate_pages;
        ff_cycles = static_cast<std::uint64_t>(per_page * ff_pages + 0.5L);
        k.cpu.charge(ff_cycles);
      }
    }
    for (std::uint64_t pfn = s; pfn < e; ++pfn) init_single_page(k, pfn, pfn_zone(pfn), false);
    // Linux frees a partial block page by page; the largest aligned blocks, as
    // memblock_free_all frees them, leave the same free lists in the same order.
    freed += free_pages_memory(k, s, e);
    if (index >= ff.begin / 2 && index < ff.begin) rate_pages += e - s;
    if (index >= ff.begin && index < ff.end) ff_pages += e - s;
    if (index + 1 == ff.begin) rate_cycles = k.cpu.cycles() - rate_c0;
    ++index;
  });
  k.mem.set(MM_GLOBALS, mm_globals::memmap_ff_pages, ff_pages);
  k.mem.set(MM_GLOBALS, mm_globals::memmap_ff_cycles, ff_cycles);
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
