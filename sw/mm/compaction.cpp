// Direct compaction (mm/compaction.c, sync-light mode), one pass over the zone per
// request: no deferral (compaction_deferred), no cached scanner positions, no kcompactd.
#include "sw/mm/compaction.h"

#include "sw/kernel/task.h"
#include "sw/mm/highmem.h"
#include "sw/mm/mm_types.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/page_alloc_internal.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

constexpr int sysctl_extfrag_threshold = 500;

// compact_gap(): room for the pages being migrated.
std::uint64_t compact_gap(unsigned order) {
  return 2ULL << order;
}

// __compaction_suitable() and the fragmentation-index test of compaction_suitable().
bool compaction_suitable(Kernel& k, unsigned z, unsigned order, unsigned highest) {
  const std::uint64_t mark =
      zone_wmark(k, z, order > PAGE_ALLOC_COSTLY_ORDER ? WMARK_LOW : WMARK_MIN) +
      compact_gap(order);
  if (!zone_watermark_ok(k, z, 0, mark, highest, 0)) return false;
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    const int fragindex = fragmentation_index(k, z, order);
    if (fragindex >= 0 && fragindex <= sysctl_extfrag_threshold) return false;
  }
  return true;
}

// An anonymous page the migrate scanner may take: PG_lru, one reference, order 0 (THP
// and hugetlb pages are not migrated here).
bool migratable(Kernel& k, LAddr page) {
  const std::uint64_t flags = k.mem.get(page, page::flags);
  if (!(flags & page::PG_lru) || (flags & page::PG_head)) return false;
  return k.mem.get(page, page::refcount) == 1 &&
         (k.mem.get(page, page::mapping) & page::PAGE_MAPPING_ANON);
}

struct CompactControl {
  unsigned z = 0, order = 0, highest = 0;
  std::uint64_t migrate_pfn = 0, free_pfn = 0;  // free_pfn: start of the next block down
  // cc->freepages: the isolated order-0 pages, chained through their lru.next in guest
  // memory; only the head is held here (a register).
  LAddr freepages = 0;
  bool have_free() const { return freepages != 0; }
};

void push_free(Kernel& k, CompactControl& cc, LAddr page) {
  k.mem.set(page + page::lru, list::next, cc.freepages);
  cc.freepages = page;
}
LAddr pop_free(Kernel& k, CompactControl& cc) {
  const LAddr page = cc.freepages;
  cc.freepages = k.mem.get(page + page::lru, list::next);
  return page;
}

// isolate_freepages(): the next pageblock down that is a suitable migration target
// (movable, or wholly free), its free blocks split into isolated order-0 pages.
void isolate_freepages(Kernel& k, CompactControl& cc) {
  while (!cc.have_free() && cc.free_pfn > cc.migrate_pfn + pageblock_nr_pages) {
    cc.free_pfn -= pageblock_nr_pages;
    const std::uint64_t start = cc.free_pfn;
    const LAddr first = page::pfn_to_page(start);
    const bool whole_free = (k.mem.get(first, page::flags) & page::PG_buddy) &&
                            buddy_order(k, first) >= pageblock_order;
    if (!whole_free && get_pageblock_migratetype(k, start) != MIGRATE_MOVABLE) continue;
    for (std::uint64_t pfn = start; pfn < start + pageblock_nr_pages;) {
      count_vm_event(k, COMPACTFREE_SCANNED);
      const LAddr p = page::pfn_to_page(pfn);
      if (!(k.mem.get(p, page::flags) & page::PG_buddy)) {
        ++pfn;
        continue;
      }
      const auto order = static_cast<unsigned>(buddy_order(k, p));
      // __isolate_free_page() + split_page(): off the free list, order-0 pages.
      del_page_from_free_list(k, p, cc.z, order, get_pageblock_migratetype(k, pfn));
      for (std::uint64_t i = 0; i < (1ULL << order); ++i) {
        const LAddr q = p + i * page::kSize;
        k.mem.set(q, page::refcount, 1);
        push_free(k, cc, q);
      }
      count_vm_events(k, COMPACTISOLATED, 1ULL << order);
      pfn += 1ULL << order;
    }
  }
}

// __compact_finished(): the request can be met from the zone now.
bool compact_finished(Kernel& k, const CompactControl& cc) {
  return zone_watermark_ok(k, cc.z, cc.order, zone_wmark(k, cc.z, WMARK_MIN), cc.highest, 0);
}

void compact_zone(Kernel& k, CompactControl& cc) {
  const LAddr zn = zone_addr(cc.z);
  const std::uint64_t start = k.mem.get(zn, zone::zone_start_pfn);
  const std::uint64_t end = start + k.mem.get(zn, zone::spanned_pages);
  cc.migrate_pfn = start & ~(pageblock_nr_pages - 1);
  cc.free_pfn = (end + pageblock_nr_pages - 1) & ~(pageblock_nr_pages - 1);
  bool stop = false;
  for (; !stop && cc.migrate_pfn + pageblock_nr_pages <= cc.free_pfn;
       cc.migrate_pfn += pageblock_nr_pages) {
    const std::uint64_t block_end = std::min(cc.migrate_pfn + pageblock_nr_pages, end);
    bool migrated = false;
    for (std::uint64_t pfn = std::max(cc.migrate_pfn, start); pfn < block_end; ++pfn) {
      count_vm_event(k, COMPACTMIGRATE_SCANNED);
      const LAddr p = page::pfn_to_page(pfn);
      if (!migratable(k, p)) continue;
      count_vm_event(k, COMPACTISOLATED);
      isolate_freepages(k, cc);
      if (!cc.have_free()) {  // the scanners met
        stop = true;
        break;
      }
      const LAddr target = pop_free(k, cc);
      if (migrate_anon_page(k, p, target)) {
        count_vm_event(k, PGMIGRATE_SUCCESS);
        migrated = true;
      } else {
        count_vm_event(k, PGMIGRATE_FAIL);
        push_free(k, cc, target);
      }
    }
    // lru_add_drain_cpu_zone(): the freed pages merge before the next check.
    if (migrated) drain_all_pages(k);
    if (compact_finished(k, cc)) break;
  }
  // release_free_list(): isolated pages not used go back.
  while (cc.have_free()) __free_pages(k, pop_free(k, cc), 0);
  drain_all_pages(k);
}

}  // namespace

int fragmentation_index(Kernel& k, unsigned z, unsigned order) {
  // fill_contig_page_info() + __fragmentation_index().
  std::uint64_t free_pages = 0, free_blocks_total = 0, free_blocks_suitable = 0;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
    const std::uint64_t blocks = k.mem.get(free_area_addr(z, o), free_area::nr_free);
    free_blocks_total += blocks;
    free_pages += blocks << o;
    if (o >= order) free_blocks_suitable += blocks << (o - order);
  }
  if (!free_blocks_total) return 0;
  if (free_blocks_suitable) return -1000;
  const std::uint64_t requested = 1ULL << order;
  return static_cast<int>(1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total);
}

bool migrate_anon_page(Kernel& k, LAddr page, LAddr target) {
  Guest& g = k.mem;
  if (!migratable(k, page)) return false;
  const LAddr m = g.get(page, page::mapping) & ~page::PAGE_MAPPING_ANON;
  const LAddr va = g.get(page, page::index) << PAGE_SHIFT;
  const PAddr slot = pgtable_entry(k, g.get(m, mm::pgd), va, 1, false);
  if (!slot) return false;
  const std::uint64_t pte = pt_get(g, page::__va(slot));
  if ((pte & pte::ADDR_MASK) != page::page_to_pfn(page) << PAGE_SHIFT) return false;
  // move_to_new_folio(): the data, then the struct page's identity.
  copy_highpage(k, target, page);  // migrate_folio(): kmap_local for highmem pages
  const std::uint64_t zone_flags = g.get(target, page::flags) & page::ZONE_MASK;
  g.set(target, page::flags, zone_flags | page::PG_lru);
  g.set(target, page::refcount, 1);
  g.set(target, page::mapping, g.get(page, page::mapping));
  g.set(target, page::index, g.get(page, page::index));
  // remove_migration_ptes(): the PTE names the new frame, flags kept; the old
  // translation is flushed (flush_tlb_page), at once if the mm is loaded, otherwise
  // at its next switch by its TLB generation.
  pt_set(g, page::__va(slot), (pte & ~pte::ADDR_MASK) | (page::page_to_pfn(target) << PAGE_SHIFT));
  const LAddr t = current_task(k);
  g.add(m, mm::tlb_gen, 1);
  if (t && g.get(t, task::mm) == m) k.cpu.invlpg(va);
  __free_pages(k, page, 0);
  return true;
}

LAddr try_to_compact_pages(Kernel& k, gfp_t gfp, unsigned order, unsigned highest_zoneidx,
                           const std::function<LAddr()>& try_alloc) {
  RoutineScope rs(k, Routine::compaction);
  if (!(gfp & __GFP_IO)) return 0;  // may_perform_io: COMPACT_SKIPPED
  bool tried = false;
  LAddr page = 0;
  for (LAddr zref = NODE_DATA + pgdat::node_zonelists; k.mem.get(zref, zoneref::zone) && !page;
       zref += zoneref::kSize) {
    const auto z = static_cast<unsigned>(k.mem.get(zref, zoneref::zone_idx));
    if (z > highest_zoneidx || !compaction_suitable(k, z, order, highest_zoneidx)) continue;
    if (!tried) count_vm_event(k, COMPACTSTALL);
    tried = true;
    CompactControl cc;
    cc.z = z;
    cc.order = order;
    cc.highest = highest_zoneidx;
    compact_zone(k, cc);
    page = try_alloc();
  }
  if (!tried) return 0;
  count_vm_event(k, page ? COMPACTSUCCESS : COMPACTFAIL);
  return page;
}

}  // namespace mmvp::sw
