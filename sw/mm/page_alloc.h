// The buddy page allocator (mm/page_alloc.c): per-zone free_area[order] lists of
// struct pages in vmemmap, split and merge with the buddy at pfn ^ (1 << order),
// Linux's zonelist fallback and watermarks, migrate types with pageblock stealing, the
// per-CPU lists for small orders, direct compaction and the OOM killer on failure. Implemented in
// sw/mm/page_alloc.cpp.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// Returns the struct page (vmemmap address) of 2^order contiguous frames, or 0 when no
// allowed zone has a free block above its watermark (the caller sees NULL).
LAddr alloc_pages(Kernel& k, gfp_t gfp, unsigned order);
LAddr alloc_page(Kernel& k, gfp_t gfp);
void __free_pages(Kernel& k, LAddr page, unsigned order);
// split_page(): an order-N allocation becomes 2^N order-0 pages, each freed alone.
void split_page(Kernel& k, LAddr page, unsigned order);
// Direct-map addresses (page_address()).
LAddr __get_free_pages(Kernel& k, gfp_t gfp, unsigned order);
LAddr get_zeroed_page(Kernel& k, gfp_t gfp);
void free_pages(Kernel& k, LAddr addr, unsigned order);
void free_page(Kernel& k, LAddr addr);

// drain_all_pages(): every page on the per-CPU lists back to the buddy lists.
void drain_all_pages(Kernel& k);
// zone_pcp_update(): batch, high_min and high_max from the zone's size and watermarks.
void zone_pcp_update(Kernel& k, unsigned z);
// Pages waiting on the zone's per-CPU lists (pcp->count).
std::uint64_t zone_pcp_count(Kernel& k, unsigned z);
// Free pages with the per-CPU lists' pages: what an allocation or a free changes one
// for one (NR_FREE_PAGES moves by whole batches as the lists fill and drain).
std::uint64_t zone_free_and_pcp_pages(Kernel& k, zone_type z);
std::uint64_t nr_free_and_pcp_pages(Kernel& k);

// The zone a page belongs to (from page->flags).
zone_type page_zonenum(Kernel& k, LAddr page);
// Free pages (all orders) of a zone, and of all zones.
std::uint64_t zone_free_pages(Kernel& k, zone_type z);
std::uint64_t nr_free_pages(Kernel& k);

}  // namespace mmvp::sw
