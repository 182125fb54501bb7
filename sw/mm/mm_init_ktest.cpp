// Self-tests of the memmap (suite `memmap`), run on the booted kernel with or without
// deferred struct page initialisation: every struct page below max_pfn initialised
// with its zone, the reserved ones reserved, nothing left deferred, and every free
// frame counted once in managed_pages and totalram_pages.
#include "sw/kernel/selftest.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mm_init_internal.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"

namespace mmvp::sw {

KTEST(memmap, every_struct_page_is_initialised_with_its_zone) {
  Kernel& k = t.k;
  KEXPECT_EQ(k.mem.get(NODE_DATA, pgdat::first_deferred_pfn), kNoDeferredPfn);
  const std::uint64_t end_pfn = max_pfn(k);
  std::uint64_t wrong_zone = 0, no_lru = 0, reserved = 0;
  for (std::uint64_t pfn = 0; pfn < end_pfn; ++pfn) {
    const LAddr p = page::pfn_to_page(pfn);
    const std::uint64_t flags = k.mem.get(p, page::flags);
    // An uninitialised struct page is zero (vmemmap memory is never cleared otherwise):
    // zone 0 and a null lru.
    wrong_zone += (flags >> page::ZONE_SHIFT) != pfn_zone(pfn);
    no_lru += k.mem.get(p + page::lru, list::next) == 0;
    reserved += (flags & page::PG_reserved) != 0;
  }
  KEXPECT_EQ(wrong_zone, 0u);
  KEXPECT_EQ(no_lru, 0u);
  // Every frame is either reserved (memblock or a hole) or managed by a zone.
  std::uint64_t managed = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) managed += zone_managed_pages(k, z);
  KEXPECT_EQ(reserved + managed, end_pfn);
  KEXPECT_EQ(totalram_pages(k), managed);
}

KTEST(memmap, the_free_memory_of_every_zone_reached_the_buddy_allocator) {
  Kernel& k = t.k;
  // What memblock left free, frame for frame: managed_pages of the zone it falls in.
  std::uint64_t free_frames[MAX_NR_ZONES] = {};
  for_each_free_mem_range(k, [&](PAddr start, PAddr end) {
    for (std::uint64_t pfn = (start + PAGE_SIZE - 1) >> PAGE_SHIFT; pfn < (end >> PAGE_SHIFT);
         ++pfn)
      ++free_frames[pfn_zone(pfn)];
    return false;
  });
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) KEXPECT_EQ(zone_managed_pages(k, z), free_frames[z]);
}

}  // namespace mmvp::sw
