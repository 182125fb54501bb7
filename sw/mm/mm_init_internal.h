// What mm_init.cpp (boot-time memmap and memblock_free_all) shares with
// mm_init_deferred.cpp (CONFIG_DEFERRED_STRUCT_PAGE_INIT).
#pragma once
#include <cstdint>
#include <functional>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// pgdat->first_deferred_pfn when nothing is deferred (ULONG_MAX).
inline constexpr std::uint64_t kNoDeferredPfn = ~0ULL;
// PAGES_PER_SECTION: 128 MB sections (SECTION_SIZE_BITS 27 on x86-64).
inline constexpr std::uint64_t PAGES_PER_SECTION = 1ULL << (27 - 12);

// __init_single_page(): the whole 64-byte struct page written once (mm_zero_struct_page
// folded in): zone, _refcount 1, _mapcount -1, empty lru, the rest zero; PG_reserved
// too for a page memblock still holds (__SetPageReserved).
void init_single_page(Kernel& k, std::uint64_t pfn, unsigned zone, bool reserved);
// The zone whose span holds pfn (holes below the first zone count as ZONE_DMA).
unsigned pfn_zone(std::uint64_t pfn);
// __free_pages_memory(): [start_pfn, end_pfn) into the buddy allocator as the largest
// naturally aligned blocks (never across a zone boundary: those are 4 MB aligned).
// Returns the pages freed.
std::uint64_t free_pages_memory(Kernel& k, std::uint64_t start_pfn, std::uint64_t end_pfn);
// Calls fn(start, end) for each part of [start_pfn, end_pfn) that memblock.memory does
// not cover (a hole), lowest first.
void for_each_hole(Kernel& k, std::uint64_t start_pfn, std::uint64_t end_pfn,
                   const std::function<void(std::uint64_t, std::uint64_t)>& fn);

// The first pfn defer_init() leaves for later: the first section boundary after one
// section of the node's last zone [lo, hi), or kNoDeferredPfn.
std::uint64_t first_deferred_pfn(std::uint64_t lo, std::uint64_t hi);
// memmap_init_reserved_pages() for the deferred range: struct pages of memblock.reserved
// regions at or above first_deferred are initialised (PG_reserved) now, since the
// deferred pass only covers free memory.
void init_deferred_reserved_pages(Kernel& k, std::uint64_t first_deferred);

}  // namespace mmvp::sw
