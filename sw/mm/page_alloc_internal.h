// The buddy allocator's internals shared by page_alloc.cpp, the per-CPU lists
// (page_pcp.cpp), compaction and the boot code (mm/internal.h).
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// alloc_flags (mm/internal.h).
inline constexpr unsigned ALLOC_WMARK_MIN = 0;
inline constexpr unsigned ALLOC_WMARK_LOW = 1;
inline constexpr unsigned ALLOC_WMARK_HIGH = 2;
inline constexpr unsigned ALLOC_WMARK_MASK = 0x3;
inline constexpr unsigned ALLOC_OOM = 0x08;
inline constexpr unsigned ALLOC_NON_BLOCK = 0x10;    // caller cannot block (GFP_ATOMIC)
inline constexpr unsigned ALLOC_MIN_RESERVE = 0x20;  // __GFP_HIGH: may dip into the min reserve
inline constexpr unsigned ALLOC_NOFRAGMENT = 0x100;  // claim only whole pageblocks
inline constexpr unsigned ALLOC_KSWAPD = 0x800;      // == __GFP_KSWAPD_RECLAIM
inline constexpr unsigned ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_OOM;

// fpi_t: FPI_TO_TAIL puts the freed block at the tail of its free list.
inline constexpr unsigned FPI_NONE = 0;
inline constexpr unsigned FPI_TO_TAIL = 1;

// __free_pages_core(): hands the 2^order pages at pfn (zone z, still PG_reserved from
// memmap_init) to the buddy allocator (FPI_TO_TAIL) and adds them to managed pages.
void __free_pages_core(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order);

// Pageblock migrate types (get_pfnblock_migratetype / set_pageblock_migratetype).
unsigned get_pageblock_migratetype(Kernel& k, std::uint64_t pfn);
void set_pageblock_migratetype(Kernel& k, std::uint64_t pfn, unsigned mt);
// pageblock_flags_init(): memblock-allocates the flags, every block MIGRATE_MOVABLE.
void pageblock_flags_init(Kernel& k);

// Free lists.
bool page_is_buddy(Kernel& k, LAddr buddy, unsigned z, unsigned order);
std::uint64_t buddy_order(Kernel& k, LAddr page);
void del_page_from_free_list(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned mt);
void __free_one_page(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order, unsigned mt,
                     unsigned fpi);
// __rmqueue(): a block of 2^order pages of migrate type mt (stealing from other types
// as Linux's fallback rules allow), taken off the free lists; 0 if none.
LAddr __rmqueue(Kernel& k, unsigned z, unsigned order, unsigned mt, unsigned alloc_flags);
bool zone_watermark_ok(Kernel& k, unsigned z, unsigned order, std::uint64_t mark,
                       unsigned highest_zoneidx, unsigned alloc_flags);
// find_suitable_fallback(): the type to take from, -1 if none, -2 if claiming is off.
int find_suitable_fallback(Kernel& k, unsigned z, unsigned order, unsigned mt, bool claimable);

// Per-CPU page lists (page_pcp.cpp).
LAddr rmqueue_pcplist(Kernel& k, unsigned z, unsigned order, unsigned mt, unsigned alloc_flags);
void free_unref_page_commit(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned mt);
void free_pcppages_bulk(Kernel& k, unsigned z, int count, unsigned pindex);
void pcp_init(Kernel& k, unsigned z);  // per_cpu_pages_init(): the boot pageset

}  // namespace mmvp::sw
