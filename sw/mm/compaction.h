// Direct compaction (mm/compaction.c): for a high-order request that fails on
// fragmentation, the migrate scanner walks the zone's pageblocks up from its start,
// isolating movable pages (anonymous user pages), and the free scanner walks down from
// its end isolating free pages of movable pageblocks; each movable page is copied to a
// free page, its PTE repointed (migrate_pages, with the TLB flush), and the old page
// freed, until the request can be met or the scanners meet.
#pragma once
#include <cstdint>
#include <functional>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// __alloc_pages_direct_compact() / try_to_compact_pages(): compacts each zone the
// request may use where compaction is suitable, calling try_alloc after each; the
// page it returned, or 0. Counts compact_stall, compact_success and compact_fail.
LAddr try_to_compact_pages(Kernel& k, gfp_t gfp, unsigned order, unsigned highest_zoneidx,
                           const std::function<LAddr()>& try_alloc);

// fragmentation_index(): 0..1000, how much a failure of this order is due to
// fragmentation (1000) rather than lack of memory (0); -1000 if it would succeed.
int fragmentation_index(Kernel& k, unsigned z, unsigned order);

// migrate_anon_page(): moves one mapped anonymous page to `target` (a free order-0
// page taken off the allocator): copy, PTE, TLB, the old page freed. False if the
// page is not a migratable anonymous page.
bool migrate_anon_page(Kernel& k, LAddr page, LAddr target);

}  // namespace mmvp::sw
