// The buddy allocator (mm/page_alloc.c, as of Linux 6.15+): free_area[order].free_list
// [migratetype] lists of struct pages per zone, threaded through page->lru; a free
// block's head has PG_buddy and its order in page->private, and sits on the list of
// its pageblock's migrate type. Allocation walks the node's zonelist (never above
// gfp_zone()), checks each zone's watermark, takes small orders from the per-CPU lists
// (page_pcp.cpp) and otherwise the smallest free block of its type (__rmqueue_smallest
// / expand), claiming or stealing from another type by the fallback table when its
// own lists are empty. Freeing merges with the buddy at pfn ^ (1 << order) while it
// is free, of the same order and zone (__free_one_page).
#include "sw/mm/page_alloc.h"

#include <cstdio>

#include "sw/drivers/dma_debug.h"
#include "sw/kernel/printk.h"
#include "sw/mm/compaction.h"
#include "sw/mm/highmem.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/oom_kill.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc_internal.h"

namespace mmvp::sw {
namespace {

// Flags that must be clear on a page being freed (PAGE_FLAGS_CHECK_AT_FREE).
constexpr std::uint64_t kFlagsCheckAtFree =
    page::PG_reserved | page::PG_buddy | page::PG_slab | page::PG_dma_busy;
constexpr std::uint64_t kZoneMask = page::ZONE_MASK;

// The fallback table: which types a type may take from, in order (fallbacks[]).
constexpr unsigned kFallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
    {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},    // MIGRATE_UNMOVABLE
    {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},  // MIGRATE_MOVABLE
    {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},      // MIGRATE_RECLAIMABLE
};

std::uint64_t zone_bits(unsigned z) {
  return static_cast<std::uint64_t>(z) << page::ZONE_SHIFT;
}

// account_freepages(): NR_FREE_PAGES follows the buddy lists (pages on the per-CPU
// lists are not free), as Linux 6.10+ accounts on list add and delete.
void account_freepages(Kernel& k, unsigned z, std::int64_t nr) {
  k.mem.add(zone_addr(z), zone::nr_free_pages, static_cast<std::uint64_t>(nr));
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

// __add_to_free_list(): page becomes a free block head on the list of type mt.
void add_to_free_list(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned mt, bool tail) {
  set_buddy_order(k, page, z, order);
  const LAddr head = free_list_addr(z, order, mt);
  if (tail)
    list::add_tail(k.mem, page + page::lru, head);
  else
    list::add(k.mem, page + page::lru, head);
  k.mem.add(free_area_addr(z, order), free_area::nr_free, 1);
  account_freepages(k, z, 1LL << order);
}

// move_to_free_list(): a free block changes lists (its pageblock changed type).
void move_to_free_list(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned new_mt) {
  list::del(k.mem, page + page::lru);
  list::add_tail(k.mem, page + page::lru, free_list_addr(z, order, new_mt));
}

// expand(): split a block of order `high` down to `low`, listing the upper halves on
// type mt.
void expand(Kernel& k, std::uint64_t pfn, unsigned z, unsigned low, unsigned high, unsigned mt) {
  while (high > low) {
    --high;
    add_to_free_list(k, page::pfn_to_page(pfn + (1ULL << high)), z, high, mt, false);
  }
}

// The first block on free_list[mt] of this order, or 0 (get_page_from_free_area).
LAddr first_free(Kernel& k, unsigned z, unsigned order, unsigned mt) {
  const LAddr head = free_list_addr(z, order, mt);
  const LAddr first = k.mem.get(head, list::next);
  return first == head ? 0 : first - page::lru;
}
bool free_area_empty(Kernel& k, unsigned z, unsigned order, unsigned mt) {
  return first_free(k, z, order, mt) == 0;
}

// page_del_and_expand().
void page_del_and_expand(Kernel& k, LAddr page, unsigned z, unsigned low, unsigned high,
                         unsigned mt) {
  del_page_from_free_list(k, page, z, high, mt);
  expand(k, page::page_to_pfn(page), z, low, high, mt);
}

// __rmqueue_smallest(): the first block of type mt of the smallest order >= order.
LAddr __rmqueue_smallest(Kernel& k, unsigned z, unsigned order, unsigned mt) {
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o) {
    const LAddr page = first_free(k, z, o, mt);
    if (!page) continue;
    page_del_and_expand(k, page, z, order, o, mt);
    return page;
  }
  return 0;
}

// should_try_claim_block(): whether an allocation of this order and type may take a
// whole pageblock over.
bool should_try_claim_block(unsigned order, unsigned start_mt) {
  if (order >= pageblock_order / 2) return true;
  return start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE;
}

// __move_freepages_block() and the page census of prep_move_freepages_block(): the
// free blocks of a pageblock, and its movable (anonymous) pages.
struct BlockCensus {
  std::uint64_t free_pages = 0, movable_pages = 0;
};
BlockCensus move_freepages_block(Kernel& k, std::uint64_t start_pfn, unsigned z, bool move,
                                 unsigned new_mt) {
  BlockCensus c;
  for (std::uint64_t pfn = start_pfn; pfn < start_pfn + pageblock_nr_pages;) {
    const LAddr p = page::pfn_to_page(pfn);
    const std::uint64_t flags = k.mem.get(p, page::flags);
    if (flags & page::PG_buddy) {
      const auto order = static_cast<unsigned>(buddy_order(k, p));
      if (move) move_to_free_list(k, p, z, order, new_mt);
      c.free_pages += 1ULL << order;
      pfn += 1ULL << order;
      continue;
    }
    if (flags & page::PG_lru) ++c.movable_pages;
    ++pfn;
  }
  return c;
}

// try_to_claim_block(): take the whole pageblock of `page` (a free block of
// current_order on list block_type) for start_type when enough of it is free or alike.
LAddr try_to_claim_block(Kernel& k, unsigned z, LAddr page, unsigned current_order, unsigned order,
                         unsigned start_type, unsigned block_type) {
  const std::uint64_t pfn = page::page_to_pfn(page);
  if (current_order >= pageblock_order) {  // change_pageblock_range()
    del_page_from_free_list(k, page, z, current_order, block_type);
    for (std::uint64_t p = pfn; p < pfn + (1ULL << current_order); p += pageblock_nr_pages)
      set_pageblock_migratetype(k, p, start_type);
    expand(k, pfn, z, order, current_order, start_type);
    return page;
  }
  // (boost_watermark() is not modelled: with no kswapd to clear it, a boost would stay.)
  const std::uint64_t start_pfn = pfn & ~(pageblock_nr_pages - 1);
  const LAddr zn = zone_addr(z);
  const std::uint64_t zstart = k.mem.get(zn, zone::zone_start_pfn);
  if (start_pfn < zstart ||
      start_pfn + pageblock_nr_pages > zstart + k.mem.get(zn, zone::spanned_pages))
    return 0;  // the block crosses the zone's edge
  const BlockCensus c = move_freepages_block(k, start_pfn, z, false, 0);
  std::uint64_t alike = 0;
  if (start_type == MIGRATE_MOVABLE)
    alike = c.movable_pages;
  else if (block_type == MIGRATE_MOVABLE)
    alike = pageblock_nr_pages - (c.free_pages + c.movable_pages);
  if (c.free_pages + alike < (1ULL << (pageblock_order - 1))) return 0;
  move_freepages_block(k, start_pfn, z, true, start_type);
  set_pageblock_migratetype(k, start_pfn, start_type);
  return __rmqueue_smallest(k, z, order, start_type);
}

// __rmqueue_claim(): the largest block of a fallback type, its pageblock claimed.
LAddr __rmqueue_claim(Kernel& k, unsigned z, unsigned order, unsigned start_mt,
                      unsigned alloc_flags) {
  unsigned min_order = order;
  if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT)) min_order = pageblock_order;
  for (int o = MAX_ORDER; o >= static_cast<int>(min_order); --o) {
    const int fallback_mt = find_suitable_fallback(k, z, o, start_mt, true);
    if (fallback_mt == -1) continue;
    if (fallback_mt == -2) break;  // orders too low to claim
    const LAddr page = first_free(k, z, o, fallback_mt);
    if (LAddr got = try_to_claim_block(k, z, page, o, order, start_mt, fallback_mt)) return got;
  }
  return 0;
}

// __rmqueue_steal(): the smallest block of a fallback type, the rest left on its lists.
LAddr __rmqueue_steal(Kernel& k, unsigned z, unsigned order, unsigned start_mt) {
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o) {
    const int fallback_mt = find_suitable_fallback(k, z, o, start_mt, false);
    if (fallback_mt < 0) continue;
    const LAddr page = first_free(k, z, o, fallback_mt);
    page_del_and_expand(k, page, z, order, o, fallback_mt);
    return page;
  }
  return 0;
}

}  // namespace

// get_pfnblock_migratetype() and set_pageblock_migratetype().
unsigned get_pageblock_migratetype(Kernel& k, std::uint64_t pfn) {
  const LAddr flags = k.mem.get(MM_GLOBALS, mm_globals::pageblock_flags);
  return k.mem.r8(flags + (pfn >> pageblock_order)) & 7;
}
void set_pageblock_migratetype(Kernel& k, std::uint64_t pfn, unsigned mt) {
  const LAddr flags = k.mem.get(MM_GLOBALS, mm_globals::pageblock_flags);
  k.mem.w8(flags + (pfn >> pageblock_order), static_cast<std::uint8_t>(mt));
}
void pageblock_flags_init(Kernel& k) {
  // memmap_init_range(): every pageblock starts MIGRATE_MOVABLE; boot allocations of
  // other types claim blocks from there.
  const std::uint64_t blocks = (max_pfn(k) + pageblock_nr_pages - 1) >> pageblock_order;
  const LAddr flags = memblock_alloc(k, blocks, 8);
  if (!flags) k.panic("pageblock_flags_init: no memory for the pageblock flags");
  k.mem.fill(flags, MIGRATE_MOVABLE, blocks);
  k.mem.set(MM_GLOBALS, mm_globals::pageblock_flags, flags);
}

std::uint64_t buddy_order(Kernel& k, LAddr page) {
  return k.mem.get(page, page::private_);
}
bool page_is_buddy(Kernel& k, LAddr buddy, unsigned z, unsigned order) {
  const std::uint64_t flags = k.mem.get(buddy, page::flags);
  if (!(flags & page::PG_buddy) || (flags & kZoneMask) != zone_bits(z)) return false;
  return buddy_order(k, buddy) == order;
}

void del_page_from_free_list(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned) {
  list::del(k.mem, page + page::lru);
  clear_buddy(k, page, z);
  k.mem.add(free_area_addr(z, order), free_area::nr_free, ~0ULL);  // -1
  account_freepages(k, z, -(1LL << order));
}

// find_suitable_fallback().
int find_suitable_fallback(Kernel& k, unsigned z, unsigned order, unsigned mt, bool claimable) {
  if (!k.mem.get(free_area_addr(z, order), free_area::nr_free)) return -1;
  if (claimable && !should_try_claim_block(order, mt)) return -2;
  for (unsigned fallback : kFallbacks[mt])
    if (!free_area_empty(k, z, order, fallback)) return static_cast<int>(fallback);
  return -1;
}

// __free_one_page(): merge with free buddies up to MAX_ORDER, then list the result on
// the type of its pageblock, at the tail when asked (FPI_TO_TAIL) or when the merged
// block's own buddy is free one order up (buddy_merge_likely).
void __free_one_page(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order, unsigned mt,
                     unsigned fpi) {
  const std::uint64_t end_pfn = max_pfn(k);
  std::uint64_t buddy_pfn = 0;
  while (order < MAX_ORDER) {
    buddy_pfn = pfn ^ (1ULL << order);  // __find_buddy_pfn
    if (buddy_pfn >= end_pfn) break;
    const LAddr buddy = page::pfn_to_page(buddy_pfn);
    if (!page_is_buddy(k, buddy, z, order)) break;
    if (order >= pageblock_order) {  // pageblocks of unmergeable types stay apart
      const unsigned buddy_mt = get_pageblock_migratetype(k, buddy_pfn);
      if (buddy_mt != mt && (mt >= MIGRATE_PCPTYPES || buddy_mt >= MIGRATE_PCPTYPES)) break;
    }
    del_page_from_free_list(k, buddy, z, order, 0);
    if (order >= pageblock_order && get_pageblock_migratetype(k, buddy_pfn) != mt)
      set_pageblock_migratetype(k, buddy_pfn, mt);  // match the buddy's type
    pfn &= buddy_pfn;  // the combined block starts at the lower of the two
    ++order;
  }
  bool to_tail = fpi & FPI_TO_TAIL;
  if (!to_tail && order < MAX_ORDER - 1) {  // buddy_merge_likely()
    const std::uint64_t higher_pfn = buddy_pfn & pfn;
    const std::uint64_t higher_buddy = higher_pfn ^ (1ULL << (order + 1));
    to_tail =
        higher_buddy < end_pfn && page_is_buddy(k, page::pfn_to_page(higher_buddy), z, order + 1);
  }
  add_to_free_list(k, page::pfn_to_page(pfn), z, order, mt, to_tail);
}

LAddr __rmqueue(Kernel& k, unsigned z, unsigned order, unsigned mt, unsigned alloc_flags) {
  if (LAddr page = __rmqueue_smallest(k, z, order, mt)) return page;
  if (LAddr page = __rmqueue_claim(k, z, order, mt, alloc_flags)) return page;
  if (!(alloc_flags & ALLOC_NOFRAGMENT)) return __rmqueue_steal(k, z, order, mt);
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
  // A high-order request needs one free block of a type it may use.
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o) {
    if (!k.mem.get(free_area_addr(z, o), free_area::nr_free)) continue;
    for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; ++mt)
      if (!free_area_empty(k, z, o, mt)) return true;
    if ((alloc_flags & ALLOC_OOM) && !free_area_empty(k, z, o, MIGRATE_HIGHATOMIC)) return true;
  }
  return false;
}

namespace {

// rmqueue(): small orders through the per-CPU lists, the rest from the buddy lists.
LAddr rmqueue(Kernel& k, unsigned z, unsigned order, unsigned mt, unsigned alloc_flags) {
  if (pcp_allowed_order(order)) return rmqueue_pcplist(k, z, order, mt, alloc_flags);
  return __rmqueue(k, z, order, mt, alloc_flags);
}

// The first zone of the zonelist an allocation may use (ac->preferred_zoneref).
unsigned preferred_zone(Kernel& k, unsigned highest_zoneidx) {
  for (LAddr zref = NODE_DATA + pgdat::node_zonelists; k.mem.get(zref, zoneref::zone);
       zref += zoneref::kSize) {
    const auto z = static_cast<unsigned>(k.mem.get(zref, zoneref::zone_idx));
    if (z <= highest_zoneidx) return z;
  }
  return ZONE_DMA;
}

// alloc_flags_nofragment(): a ZONE_NORMAL allocation with ZONE_DMA32 below it claims
// only whole pageblocks at first, falling into the lower zone rather than mixing types.
unsigned alloc_flags_nofragment(unsigned z, gfp_t gfp) {
  unsigned flags = gfp & __GFP_KSWAPD_RECLAIM ? ALLOC_KSWAPD : 0;
  if (z == ZONE_NORMAL) flags |= ALLOC_NOFRAGMENT;
  return flags;
}

// get_page_from_freelist(): the zonelist scan.
LAddr get_page_from_freelist(Kernel& k, unsigned order, unsigned highest_zoneidx,
                             unsigned alloc_flags, unsigned mt) {
  for (;;) {
    for (LAddr zref = NODE_DATA + pgdat::node_zonelists;; zref += zoneref::kSize) {
      if (!k.mem.get(zref, zoneref::zone)) break;
      auto z = static_cast<unsigned>(k.mem.get(zref, zoneref::zone_idx));
      if (z > highest_zoneidx) continue;
      const LAddr zn = zone_addr(z);
      // ZONE_BELOW_HIGH: noted here, where the allocator sees the zone's free pages,
      // for the per-CPU lists to hold less (nr_pcp_high).
      if (!(k.mem.get(zn, zone::flags) & ZONE_BELOW_HIGH) &&
          !zone_watermark_ok(k, z, order, zone_wmark(k, z, WMARK_HIGH), highest_zoneidx,
                             alloc_flags))
        k.mem.set(zn, zone::flags, k.mem.get(zn, zone::flags) | ZONE_BELOW_HIGH);
      std::uint64_t mark =
          zone_wmark(k, z, static_cast<zone_watermarks>(alloc_flags & ALLOC_WMARK_MASK));
      if (!zone_watermark_ok(k, z, order, mark, highest_zoneidx, alloc_flags)) continue;
      if (LAddr page = rmqueue(k, z, order, mt, alloc_flags)) return page;
    }
    if (!(alloc_flags & ALLOC_NOFRAGMENT)) return 0;
    alloc_flags &= ~ALLOC_NOFRAGMENT;  // every zone again, mixing types this time
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
  if (gfp & __GFP_ZERO) clear_highpages(k, page, 1ULL << order);
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

namespace {

void warn_alloc(Kernel& k, gfp_t gfp, unsigned order) {
  if (gfp & __GFP_NOWARN) return;
  // warn_alloc(): "%s: page allocation failure: order:%u, mode:%#x(%pGg), nodemask=(null)".
  char line[96];
  std::snprintf(line, sizeof line, "swapper: page allocation failure: order:%u, mode:%#x(", order,
                gfp);
  k.printk(line + gfp_flag_names(gfp) + "), nodemask=(null)");
}

// __alloc_pages_slowpath(): the min watermark and reserves; for a blocking request,
// direct compaction (high orders), then what direct reclaim would leave: the per-CPU
// lists drained (there is no page cache or swap to reclaim); then the OOM killer for
// small orders that may use ZONE_NORMAL, retrying while it finds a victim.
LAddr alloc_pages_slowpath(Kernel& k, gfp_t gfp, unsigned order, unsigned highest, unsigned mt) {
  const unsigned alloc_flags = gfp_to_alloc_flags(gfp);
  LAddr page = get_page_from_freelist(k, order, highest, alloc_flags, mt);
  if (page || !(gfp & __GFP_DIRECT_RECLAIM)) return page;
  for (;;) {
    if (order > 0) {
      page = try_to_compact_pages(k, gfp, order, highest, [&] {
        return get_page_from_freelist(k, order, highest, alloc_flags, mt);
      });
      if (page) return page;
    }
    drain_all_pages(k);  // __alloc_pages_direct_reclaim's drain
    page = get_page_from_freelist(k, order, highest, alloc_flags, mt);
    if (page) return page;
    // __alloc_pages_may_oom(): not for costly orders, __GFP_NORETRY/RETRY_MAYFAIL or
    // lowmem requests.
    if (order > PAGE_ALLOC_COSTLY_ORDER || (gfp & (__GFP_NORETRY | __GFP_RETRY_MAYFAIL)) ||
        highest < ZONE_NORMAL || !(gfp & __GFP_FS))
      return 0;
    page = get_page_from_freelist(k, order, highest, ALLOC_WMARK_HIGH, mt);
    if (page) return page;
    if (!out_of_memory(k, gfp, order)) return 0;  // no victim, or the victim is current
  }
}

}  // namespace

LAddr alloc_pages(Kernel& k, gfp_t gfp, unsigned order) {
  RoutineScope rs(k, Routine::alloc_pages);
  if (order > MAX_ORDER) return 0;  // __alloc_pages: WARN_ON_ONCE and NULL
  const unsigned highest = gfp_zone(gfp);
  const unsigned mt = gfp_migratetype(gfp);
  // The fast path: the low watermark, whole pageblocks first for ZONE_NORMAL.
  const unsigned fast_flags =
      ALLOC_WMARK_LOW | alloc_flags_nofragment(preferred_zone(k, highest), gfp);
  LAddr page = get_page_from_freelist(k, order, highest, fast_flags, mt);
  if (!page) page = alloc_pages_slowpath(k, gfp, order, highest, mt);
  if (!page) {
    warn_alloc(k, gfp, order);
    DPRINTF(Buddy, "buddy", "alloc_pages order {} gfp {:#x}: failed", order, gfp);
    return 0;
  }
  const zone_type z = page_zonenum(k, page);
  prep_new_page(k, page, z, order, gfp);
  count_vm_events(k, static_cast<vm_event_item>(PGALLOC_DMA + z), 1ULL << order);
  k.mem.add(zone_addr(z), zone::numa_hit, 1);  // zone_statistics()
  DPRINTF(Buddy, "buddy", "alloc_pages order {} gfp {:#x} -> pfn {:#x} ({})", order, gfp,
          page::page_to_pfn(page), zone_names[z]);
  return page;
}

LAddr alloc_page(Kernel& k, gfp_t gfp) {
  return alloc_pages(k, gfp, 0);
}

namespace {
// The free path below the routine marker (__free_pages_core calls it during boot,
// with FPI_TO_TAIL and past the per-CPU lists).
void free_the_page(Kernel& k, LAddr page, unsigned order, unsigned fpi = FPI_NONE) {
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
  // PG_vmalloc, PG_lru), the compound order and an anonymous page's mapping forgotten.
  auto z = static_cast<unsigned>(flags >> page::ZONE_SHIFT);
  k.mem.set(page, page::refcount, 0);
  if (flags & ~kZoneMask) k.mem.set(page, page::flags, zone_bits(z));
  if (flags & page::PG_head) k.mem.set(page, page::compound_order, 0);
  if (flags & page::PG_lru) {
    k.mem.set(page, page::mapping, 0);
    k.mem.set(page, page::index, 0);
  }
  DPRINTF(Buddy, "buddy", "free pfn {:#x} order {} ({})", page::page_to_pfn(page), order,
          zone_names[z]);
  count_vm_events(k, PGFREE, 1ULL << order);
  // free_frozen_pages(): small orders to the per-CPU lists; highatomic blocks' pages on
  // the movable list, isolated ones straight to the buddy lists.
  const std::uint64_t pfn = page::page_to_pfn(page);
  unsigned mt = get_pageblock_migratetype(k, pfn);
  if (fpi == FPI_NONE && pcp_allowed_order(order) && mt != MIGRATE_ISOLATE) {
    free_unref_page_commit(k, page, z, order, mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt);
    return;
  }
  __free_one_page(k, pfn, z, order, mt, fpi);
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
  // A page with an address: never highmem (Linux masks __GFP_HIGHMEM off here).
  LAddr page = alloc_pages(k, gfp & ~__GFP_HIGHMEM, order);
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
std::uint64_t zone_pcp_count(Kernel& k, unsigned z) {
  return static_cast<std::uint64_t>(k.mem.get(pcp_addr(z), pcp::count));
}
std::uint64_t zone_free_and_pcp_pages(Kernel& k, zone_type z) {
  return zone_free_pages(k, z) + zone_pcp_count(k, z);
}
std::uint64_t nr_free_and_pcp_pages(Kernel& k) {
  std::uint64_t sum = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) sum += zone_free_and_pcp_pages(k, zone_type(z));
  return sum;
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
  static_assert(page::refcount.offset == page::flags.offset + 8, "flags, then _refcount");
  std::uint8_t image[12];
  Guest::put(image, page::flags, zone_bits(z));
  Guest::put(image, page::refcount, 0);
  for (std::uint64_t i = 0; i < nr; ++i) k.mem.store_burst(page::pfn_to_page(pfn + i), image, 12);
  k.mem.add(zone_addr(z), zone::managed_pages, nr);
  // set_page_refcounted() + __free_pages(): the regular free path, merging included.
  LAddr head = page::pfn_to_page(pfn);
  k.mem.set(head, page::refcount, 1);
  free_the_page(k, head, order, FPI_TO_TAIL);
}

}  // namespace mmvp::sw
