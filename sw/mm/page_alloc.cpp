// The buddy allocator (mm/page_alloc.c): free_area[order] lists of struct pages per
// zone, threaded through page->lru; a free block's head has PG_buddy and its order in
// page->private. Allocation walks the node's zonelist (NORMAL -> DMA32 -> DMA, never
// above gfp_zone()), checks each zone's watermark, takes the smallest free block of
// sufficient order and splits it (__rmqueue_smallest / expand); freeing merges with
// the buddy at pfn ^ (1 << order) while it is free, of the same order and zone
// (__free_one_page).
#include "sw/mm/page_alloc.h"

#include <cstdio>

#include "sw/drivers/dma_debug.h"
#include "sw/kernel/printk.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc_internal.h"

namespace mmvp::sw {
namespace {

// alloc_flags (mm/internal.h).
constexpr unsigned ALLOC_WMARK_MIN = WMARK_MIN;
constexpr unsigned ALLOC_WMARK_LOW = WMARK_LOW;
constexpr unsigned ALLOC_WMARK_MASK = 0x3;
constexpr unsigned ALLOC_OOM = 0x08;
constexpr unsigned ALLOC_NON_BLOCK = 0x10;    // caller cannot block (GFP_ATOMIC)
constexpr unsigned ALLOC_MIN_RESERVE = 0x20;  // __GFP_HIGH: may dip into the min reserve
constexpr unsigned ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_OOM;

// Flags that must be clear on a page being freed (PAGE_FLAGS_CHECK_AT_FREE).
constexpr std::uint64_t kFlagsCheckAtFree =
    page::PG_reserved | page::PG_buddy | page::PG_slab | page::PG_dma_busy;
constexpr std::uint64_t kZoneMask = 3ULL << page::ZONE_SHIFT;

std::uint64_t zone_bits(unsigned z) {
  return static_cast<std::uint64_t>(z) << page::ZONE_SHIFT;
}

void mod_zone_free_pages(Kernel& k, unsigned z, std::int64_t delta) {
  k.mem.add(zone_addr(z), zone::nr_free_pages, static_cast<std::uint64_t>(delta));
}

// set_buddy_order(): the head of a free block of 2^order pages in zone z (__SetPageBuddy
// with set_page_private); the flags word holds only the zone and PG_buddy then.
void set_buddy_order(Kernel& k, LAddr page, unsigned z, unsigned order) {
  k.mem.set(page, page::flags, zone_bits(z) | page::PG_buddy);
  k.mem.set(page, page::private_, order);
}
// __ClearPageBuddy + set_page_private(page, 0).
void clear_buddy(Kernel& k, LAddr page, unsigned z) {
  k.mem.set(page, page::flags, zone_bits(z));
  k.mem.set(page, page::private_, 0);
}
// buddy_order(): the order of a free block's head.
std::uint64_t buddy_order(Kernel& k, LAddr page) {
  return k.mem.get(page, page::private_);
}
// page_is_buddy(): buddy heads a free block of this order in this zone.
bool page_is_buddy(Kernel& k, LAddr buddy, unsigned z, unsigned order) {
  const std::uint64_t flags = k.mem.get(buddy, page::flags);
  if (!(flags & page::PG_buddy) || (flags & kZoneMask) != zone_bits(z)) return false;
  return buddy_order(k, buddy) == order;
}

// add_to_free_list(): page becomes a free block head.
void add_to_free_list(Kernel& k, LAddr page, unsigned z, unsigned order) {
  set_buddy_order(k, page, z, order);
  LAddr area = free_area_addr(z, order);
  list::add(k.mem, page + page::lru, area + free_area::free_list);
  k.mem.add(area, free_area::nr_free, 1);
}

// del_page_from_free_list(): unlinks a free block head and clears PG_buddy/private.
void del_page_from_free_list(Kernel& k, LAddr page, unsigned z, unsigned order) {
  list::del(k.mem, page + page::lru);
  clear_buddy(k, page, z);
  k.mem.add(free_area_addr(z, order), free_area::nr_free, ~0ULL);  // -1
}

// __free_one_page(): merge with free buddies up to MAX_ORDER, then list the result.
void __free_one_page(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order) {
  const std::uint64_t end_pfn = max_pfn(k);
  while (order < MAX_ORDER) {
    std::uint64_t buddy_pfn = pfn ^ (1ULL << order);  // __find_buddy_pfn
    if (buddy_pfn >= end_pfn) break;
    LAddr buddy = page::pfn_to_page(buddy_pfn);
    if (!page_is_buddy(k, buddy, z, order)) break;
    del_page_from_free_list(k, buddy, z, order);
    pfn &= buddy_pfn;  // the combined block starts at the lower of the two
    ++order;
  }
  add_to_free_list(k, page::pfn_to_page(pfn), z, order);
}

// expand(): split a block of order `high` down to `low`, listing the upper halves.
void expand(Kernel& k, std::uint64_t pfn, unsigned z, unsigned low, unsigned high) {
  while (high > low) {
    --high;
    add_to_free_list(k, page::pfn_to_page(pfn + (1ULL << high)), z, high);
  }
}

// __rmqueue_smallest(): the first block of the smallest order >= order; 0 if none.
LAddr __rmqueue_smallest(Kernel& k, unsigned z, unsigned order) {
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o) {
    LAddr head = free_area_addr(z, o) + free_area::free_list;
    LAddr first = k.mem.get(head, list::next);
    if (first == head) continue;
    LAddr page = first - page::lru;
    del_page_from_free_list(k, page, z, o);
    expand(k, page::page_to_pfn(page), z, order, o);
    return page;
  }
  return 0;
}

// __zone_watermark_ok().
bool zone_watermark_ok(Kernel& k, unsigned z, unsigned order, std::uint64_t mark,
                       unsigned highest_zoneidx, unsigned alloc_flags) {
  auto free_pages = static_cast<std::int64_t>(k.mem.get(zone_addr(z), zone::nr_free_pages));
  auto min = static_cast<std::int64_t>(mark);
  free_pages -= (1LL << order) - 1;  // __zone_watermark_unusable_free()
  if (alloc_flags & ALLOC_RESERVES) {
    if (alloc_flags & ALLOC_MIN_RESERVE) {
      min -= min / 2;                                     // __GFP_HIGH: half of the min reserve
      if (alloc_flags & ALLOC_NON_BLOCK) min -= min / 4;  // atomic: a quarter more
    }
    if (alloc_flags & ALLOC_OOM) min -= min / 2;
  }
  auto reserve =
      static_cast<std::int64_t>(k.mem.get(zone_addr(z), zone::lowmem_reserve(highest_zoneidx)));
  if (free_pages <= min + reserve) return false;
  if (order == 0) return true;
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o)
    if (k.mem.get(free_area_addr(z, o), free_area::nr_free)) return true;
  return false;
}

// get_page_from_freelist(): the zonelist scan.
LAddr get_page_from_freelist(Kernel& k, unsigned order, unsigned highest_zoneidx,
                             unsigned alloc_flags) {
  for (LAddr zref = NODE_DATA + pgdat::node_zonelists;; zref += zoneref::kSize) {
    LAddr zone = k.mem.get(zref, zoneref::zone);
    if (!zone) return 0;
    auto z = static_cast<unsigned>(k.mem.get(zref, zoneref::zone_idx));
    if (z > highest_zoneidx) continue;
    std::uint64_t mark =
        zone_wmark(k, z, static_cast<zone_watermarks>(alloc_flags & ALLOC_WMARK_MASK));
    if (!zone_watermark_ok(k, z, order, mark, highest_zoneidx, alloc_flags)) continue;
    LAddr page = __rmqueue_smallest(k, z, order);
    if (page) {
      mod_zone_free_pages(k, z, -(1LL << order));
      return page;
    }
  }
}

// gfp_to_alloc_flags(): the slow path's flags.
unsigned gfp_to_alloc_flags(gfp_t gfp) {
  unsigned flags = ALLOC_WMARK_MIN;
  if (gfp & __GFP_HIGH) flags |= ALLOC_MIN_RESERVE;
  if (!(gfp & __GFP_DIRECT_RECLAIM)) flags |= ALLOC_NON_BLOCK;
  return flags;
}

// prep_new_page(): refcount 1, compound head order, cleared if __GFP_ZERO.
void prep_new_page(Kernel& k, LAddr page, unsigned z, unsigned order, gfp_t gfp) {
  k.mem.set(page, page::flags, zone_bits(z) | (order ? page::PG_head : 0));
  k.mem.set(page, page::refcount, 1);
  k.mem.set(page, page::compound_order, static_cast<std::uint8_t>(order));
  if (gfp & __GFP_ZERO) k.mem.zero(page::page_to_virt(page), PAGE_SIZE << order);
}

// bad_page(): prints the report and stops the kernel.
[[noreturn]] void bad_page(Kernel& k, LAddr page, std::uint64_t flags, std::int32_t refcount,
                           const char* reason) {
  char line[160];
  std::uint64_t pfn = page::page_to_pfn(page);
  std::snprintf(line, sizeof line, "BUG: Bad page state in process swapper  pfn:%05llx",
                static_cast<unsigned long long>(pfn));
  std::string first = line;
  k.printk(line);
  std::snprintf(line, sizeof line,
                "page:%016llx refcount:%d mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%llx",
                static_cast<unsigned long long>(page), refcount,
                static_cast<unsigned long long>(pfn));
  k.printk(line);
  k.printk("flags: " + hex(flags) + "(zone:" + zone_names[flags >> page::ZONE_SHIFT] + ")");
  k.printk(std::string("page dumped because: ") + reason);
  k.panic(first + ": " + reason);
}

}  // namespace

LAddr alloc_pages(Kernel& k, gfp_t gfp, unsigned order) {
  RoutineScope rs(k, Routine::alloc_pages);
  if (order > MAX_ORDER) return 0;  // __alloc_pages: WARN_ON_ONCE and NULL
  unsigned highest = gfp_zone(gfp);
  // Fast path with the low watermark, then the slow path's flags (min watermark,
  // reserves for __GFP_HIGH/atomic). Reclaim and compaction are not modelled.
  LAddr page = get_page_from_freelist(k, order, highest, ALLOC_WMARK_LOW);
  if (!page) page = get_page_from_freelist(k, order, highest, gfp_to_alloc_flags(gfp));
  if (!page) {
    if (!(gfp & __GFP_NOWARN)) {
      char line[96];
      std::snprintf(line, sizeof line, "swapper: page allocation failure: order:%u, mode:0x%x",
                    order, gfp);
      k.printk(line);
    }
    DPRINTF(Buddy, "buddy", "alloc_pages order {} gfp {:#x}: failed", order, gfp);
    return 0;
  }
  const zone_type z = page_zonenum(k, page);
  prep_new_page(k, page, z, order, gfp);
  DPRINTF(Buddy, "buddy", "alloc_pages order {} gfp {:#x} -> pfn {:#x} ({})", order, gfp,
          page::page_to_pfn(page), zone_names[z]);
  return page;
}

LAddr alloc_page(Kernel& k, gfp_t gfp) {
  return alloc_pages(k, gfp, 0);
}

namespace {
// The free path below the routine marker (__free_pages_core calls it during boot).
void free_the_page(Kernel& k, LAddr page, unsigned order) {
  std::uint64_t flags = k.mem.get(page, page::flags);
  auto refcount = static_cast<std::int32_t>(k.mem.get(page, page::refcount));
  if (flags & page::PG_buddy) bad_page(k, page, flags, refcount, "page already free (PageBuddy)");
  if (refcount <= 0) bad_page(k, page, flags, refcount, "nonzero _refcount expected at free");
  if (refcount > 1) {  // put_page_testzero(): not the last reference
    k.mem.set(page, page::refcount, static_cast<std::uint32_t>(refcount - 1));
    return;
  }
  if (flags & page::PG_dma_busy) flags = dma_debug_freed_in_flight(k, page, order);
  if (flags & kFlagsCheckAtFree)
    bad_page(k, page, flags, refcount, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
  if ((flags & page::PG_head) && k.mem.get(page, page::compound_order) != order)
    bad_page(k, page, flags, refcount, "freed with an order other than its compound order");
  // free_pages_prepare(): refcount 0, every flag but the zone cleared (PG_head,
  // PG_vmalloc), the compound order forgotten.
  auto z = static_cast<unsigned>(flags >> page::ZONE_SHIFT);
  k.mem.set(page, page::refcount, 0);
  if (flags & ~kZoneMask) k.mem.set(page, page::flags, zone_bits(z));
  if (flags & page::PG_head) k.mem.set(page, page::compound_order, 0);
  DPRINTF(Buddy, "buddy", "free pfn {:#x} order {} ({})", page::page_to_pfn(page), order,
          zone_names[z]);
  __free_one_page(k, page::page_to_pfn(page), z, order);
  mod_zone_free_pages(k, z, 1LL << order);
}

}  // namespace

void __free_pages(Kernel& k, LAddr page, unsigned order) {
  RoutineScope rs(k, Routine::free_pages);
  free_the_page(k, page, order);
}

void split_page(Kernel& k, LAddr page, unsigned order) {
  const std::uint64_t zone = k.mem.get(page, page::flags) & kZoneMask;
  k.mem.set(page, page::flags, zone);
  k.mem.set(page, page::compound_order, 0);
  for (std::uint64_t i = 1; i < (1ULL << order); ++i) {
    const LAddr tail = page + i * page::kSize;
    k.mem.set(tail, page::flags, zone);
    k.mem.set(tail, page::refcount, 1);
  }
}

LAddr __get_free_pages(Kernel& k, gfp_t gfp, unsigned order) {
  LAddr page = alloc_pages(k, gfp, order);
  return page ? page::page_to_virt(page) : 0;
}
LAddr get_zeroed_page(Kernel& k, gfp_t gfp) {
  return __get_free_pages(k, gfp | __GFP_ZERO, 0);
}
void free_pages(Kernel& k, LAddr addr, unsigned order) {
  if (addr) __free_pages(k, page::virt_to_page(addr), order);
}
void free_page(Kernel& k, LAddr addr) {
  free_pages(k, addr, 0);
}

zone_type page_zonenum(Kernel& k, LAddr page) {
  return static_cast<zone_type>(k.mem.get(page, page::flags) >> page::ZONE_SHIFT);
}
std::uint64_t zone_free_pages(Kernel& k, zone_type z) {
  return k.mem.get(zone_addr(z), zone::nr_free_pages);
}
std::uint64_t nr_free_pages(Kernel& k) {
  std::uint64_t sum = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) sum += zone_free_pages(k, static_cast<zone_type>(z));
  return sum;
}

void __free_pages_core(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order) {
  // Every page of the block leaves memblock's care: PG_reserved cleared, refcount 0
  // (the flags hold only the zone and PG_reserved here, so one store sets them).
  const std::uint64_t nr = 1ULL << order;
  for (std::uint64_t i = 0; i < nr; ++i) {
    LAddr p = page::pfn_to_page(pfn + i);
    k.mem.set(p, page::flags, zone_bits(z));
    k.mem.set(p, page::refcount, 0);
  }
  k.mem.add(zone_addr(z), zone::managed_pages, nr);
  // set_page_refcounted() + __free_pages(): the regular free path, merging included.
  LAddr head = page::pfn_to_page(pfn);
  k.mem.set(head, page::refcount, 1);
  free_the_page(k, head, order);
}

}  // namespace mmvp::sw
