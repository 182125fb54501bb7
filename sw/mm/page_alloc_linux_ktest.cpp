// Self-tests of the page allocator's Linux behaviour (suite `pagealloc`): the per-CPU
// lists, boot memory freed to the tail, migrate types and pageblock claiming, direct
// compaction rescuing an ISA DMA buffer from a fragmented ZONE_DMA, and the OOM killer
// choosing the biggest process.
#include <string>

#include "sw/kernel/dma_mapping.h"
#include "sw/kernel/selftest.h"
#include "sw/kernel/task.h"
#include "sw/mm/mm_types.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/page_alloc_internal.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {
namespace {

std::uint64_t nr_free(Kernel& k, unsigned z, unsigned o) {
  return k.mem.get(free_area_addr(z, o), free_area::nr_free);
}

std::uint64_t blocks_of_type(Kernel& k, unsigned z, unsigned mt) {
  const LAddr zn = zone_addr(z);
  const std::uint64_t start = k.mem.get(zn, zone::zone_start_pfn);
  const std::uint64_t end = start + k.mem.get(zn, zone::spanned_pages);
  std::uint64_t n = 0;
  for (std::uint64_t pfn = start; pfn < end; pfn += pageblock_nr_pages)
    n += get_pageblock_migratetype(k, pfn) == mt;
  return n;
}

// Maps `page` as an anonymous page of mm m at va, as do_anonymous_page does.
void map_anon(Kernel& k, LAddr m, LAddr va, LAddr page) {
  k.mem.set(page, page::flags, k.mem.get(page, page::flags) | page::PG_lru);
  k.mem.set(page, page::mapping, m | page::PAGE_MAPPING_ANON);
  k.mem.set(page, page::index, va >> PAGE_SHIFT);
  std::uint64_t tables = 0;
  map_page(k, k.mem.get(m, mm::pgd), va, page::page_to_pfn(page) << PAGE_SHIFT,
           pte::P | pte::RW | pte::US | pte::XD, &tables);
  k.mem.add(m, mm::pgtables, tables);
  k.mem.add(m, mm::rss, 1);
  mod_node_page_state(k, NR_ANON_MAPPED, 1);
}

std::uint64_t free_list_length(Kernel& k, unsigned z, unsigned o, unsigned mt) {
  const LAddr head = free_list_addr(z, o, mt);
  std::uint64_t n = 0;
  for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) ++n;
  return n;
}

}  // namespace

KTEST(pagealloc, freed_pages_wait_on_the_per_cpu_list_until_it_drains) {
  Kernel& k = t.k;
  drain_all_pages(k);
  const LAddr page = alloc_page(k, GFP_KERNEL);
  KEXPECT(page != 0);
  const unsigned z = page_zonenum(k, page);
  const std::uint64_t free = zone_free_pages(k, zone_type(z));
  const std::uint64_t on_list = zone_pcp_count(k, z);
  __free_pages(k, page, 0);
  // free_unref_page_commit(): on the list, not in NR_FREE_PAGES nor in buddyinfo.
  KEXPECT_EQ(zone_pcp_count(k, z), on_list + 1);
  KEXPECT_EQ(zone_free_pages(k, zone_type(z)), free);
  KEXPECT(!(k.mem.get(page, page::flags) & page::PG_buddy));
  // The next order-0 allocation of the type takes it back (LIFO).
  KEXPECT_EQ(alloc_page(k, GFP_KERNEL), page);
  __free_pages(k, page, 0);
  drain_all_pages(k);
  KEXPECT_EQ(zone_pcp_count(k, z), 0u);
  KEXPECT_EQ(zone_free_pages(k, zone_type(z)), free + on_list + 1);
}

KTEST(pagealloc, pageset_batch_and_bounds_follow_the_zone) {
  Kernel& k = t.k;
  // order_to_pindex(): orders 0-3 per type, then one pageblock-order list for movable
  // requests and one for the others (NR_PCP_THP 2).
  KEXPECT_EQ(order_to_pindex(MIGRATE_RECLAIMABLE, 3), 11u);
  KEXPECT_EQ(order_to_pindex(MIGRATE_MOVABLE, pageblock_order), 12u);
  KEXPECT_EQ(order_to_pindex(MIGRATE_UNMOVABLE, pageblock_order), 13u);
  KEXPECT_EQ(pindex_to_order(13), pageblock_order);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!populated_zone(k, z)) continue;
    const LAddr p = pcp_addr(z);
    // zone_batchsize(): min(managed / 1024, 256) / 4, then rounddown_pow_of_two(b + b/2) - 1.
    std::uint64_t b = zone_managed_pages(k, z) >> 10;
    if (b > 256) b = 256;
    b /= 4;
    if (b < 1) b = 1;
    std::uint64_t pow = 1;
    while (pow * 2 <= b + b / 2) pow *= 2;
    const std::uint64_t batch = pow - 1 < 1 ? 1 : pow - 1;
    KEXPECT_EQ(static_cast<std::uint64_t>(k.mem.get(p, pcp::batch)), batch);
    // zone_highsize(): the low watermark, a managed/8 ceiling, never under 4 batches.
    const std::uint64_t low = zone_wmark(k, z, WMARK_LOW), eighth = zone_managed_pages(k, z) / 8;
    KEXPECT_EQ(static_cast<std::uint64_t>(k.mem.get(p, pcp::high_min)),
               low > 4 * batch ? low : 4 * batch);
    KEXPECT_EQ(static_cast<std::uint64_t>(k.mem.get(p, pcp::high_max)),
               eighth > 4 * batch ? eighth : 4 * batch);
  }
}

KTEST(pagealloc, per_cpu_list_drains_when_it_reaches_high) {
  Kernel& k = t.k;
  const LAddr probe = alloc_page(k, GFP_KERNEL);
  const unsigned z = page_zonenum(k, probe);  // the kernel's zone
  __free_pages(k, probe, 0);
  drain_all_pages(k);
  // Hold more pages than high_max, then free them all: the list never holds more than
  // high, the rest reaches the buddy lists in batches.
  const int high_max = k.mem.get(pcp_addr(z), pcp::high_max);
  LAddr chain = 0;
  for (int i = 0; i < high_max + 64; ++i) {
    const LAddr va = __get_free_pages(k, GFP_KERNEL, 0);
    KEXPECT(va != 0);
    if (!va) break;
    k.mem.w64(va, chain);
    chain = va;
  }
  int most = 0;
  while (chain) {
    const LAddr next = k.mem.r64(chain);
    free_page(k, chain);
    const int count = k.mem.get(pcp_addr(z), pcp::count);
    most = count > most ? count : most;
    KEXPECT(count <= k.mem.get(pcp_addr(z), pcp::high));
    chain = next;
  }
  KEXPECT(most > 0);
  KEXPECT(most <= high_max);
  drain_all_pages(k);
}

KTEST(pagealloc, boot_memory_is_listed_lowest_frames_first) {
  Kernel& k = t.k;
  // __free_pages_core(FPI_TO_TAIL): the order-10 movable list of the kernel's zone is
  // in ascending address order from boot on, so allocations come from low frames.
  unsigned z = ZONE_NORMAL;
  while (z > 0 && !populated_zone(k, z)) --z;
  const LAddr head = free_list_addr(z, MAX_ORDER, MIGRATE_MOVABLE);
  std::uint64_t last = 0, n = 0;
  bool ascending = true;
  for (LAddr e = k.mem.get(head, list::next); e != head && n < 64; e = k.mem.get(e, list::next)) {
    const std::uint64_t pfn = page::page_to_pfn(e - page::lru);
    ascending = ascending && (n == 0 || pfn > last);
    last = pfn;
    ++n;
  }
  KEXPECT(n > 1);
  KEXPECT(ascending);
}

KTEST(pagealloc, an_unmovable_request_claims_a_movable_pageblock) {
  Kernel& k = t.k;
  unsigned z = ZONE_NORMAL;
  while (z > 0 && !populated_zone(k, z)) --z;
  // Free unmovable order-10 blocks (left by earlier frees) are taken out of the way.
  LAddr held = 0;
  while (free_list_length(k, z, MAX_ORDER, MIGRATE_UNMOVABLE)) {
    const LAddr p = alloc_pages(k, GFP_KERNEL | __GFP_NOWARN, MAX_ORDER);
    if (!p) break;
    k.mem.w64(page::page_to_virt(p), held);
    held = page::page_to_virt(p);
  }
  const std::uint64_t unmovable = blocks_of_type(k, z, MIGRATE_UNMOVABLE);
  const std::uint64_t movable = blocks_of_type(k, z, MIGRATE_MOVABLE);
  // An order-10 block for GFP_KERNEL: with no free unmovable block that large, the
  // largest movable one is claimed whole (change_pageblock_range: two pageblocks).
  const LAddr page = alloc_pages(k, GFP_KERNEL | __GFP_NOWARN, MAX_ORDER);
  KEXPECT(page != 0);
  if (!page) return;
  KEXPECT_EQ(blocks_of_type(k, z, MIGRATE_UNMOVABLE), unmovable + 2);
  KEXPECT_EQ(blocks_of_type(k, z, MIGRATE_MOVABLE), movable - 2);
  const std::uint64_t pfn = page::page_to_pfn(page);
  KEXPECT_EQ(get_pageblock_migratetype(k, pfn), static_cast<unsigned>(MIGRATE_UNMOVABLE));
  __free_pages(k, page, MAX_ORDER);
  // Freed, it stays on the unmovable list of its (still unmovable) pageblocks.
  KEXPECT_EQ(get_pageblock_migratetype(k, pfn), static_cast<unsigned>(MIGRATE_UNMOVABLE));
  const LAddr head = free_list_addr(z, MAX_ORDER, MIGRATE_UNMOVABLE);
  bool listed = false;
  for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next))
    listed = listed || e - page::lru == page;
  KEXPECT(listed);
  while (held) {
    const LAddr next = k.mem.r64(held);
    free_pages(k, held, MAX_ORDER);
    held = next;
  }
}

KTEST(pagealloc, compaction_rescues_a_64k_isa_dma_buffer) {
  Kernel& k = t.k;
  drain_all_pages(k);
  // A process whose anonymous pages fill ZONE_DMA: every free DMA frame taken as a
  // movable page, then only each 16-frame block's first page kept (mapped), the rest
  // freed. ZONE_DMA has about 15/16 of its pages free but no free 64 KB block.
  const LAddr task = create_process(k, "fragmenter");
  KEXPECT(task != 0);
  if (!task) return;
  const LAddr m = k.mem.get(task, task::mm);
  // GFP_ATOMIC takes ZONE_DMA down to under a quarter of its min watermark (fewer than
  // 16 pages); the per-CPU lists are drained until nothing more comes out.
  LAddr chain = 0;
  for (;;) {
    while (LAddr p = alloc_page(k, GFP_ATOMIC | __GFP_DMA | __GFP_MOVABLE | __GFP_NOWARN)) {
      k.mem.w64(page::page_to_virt(p), chain);
      chain = p;
    }
    if (zone_pcp_count(k, ZONE_DMA) == 0) break;
    drain_all_pages(k);
  }
  // Keep the lowest page taken from each 16-frame block: with it mapped, no block of
  // the zone can be free whole. Taken pages are marked in page->private (the owner's).
  constexpr std::uint64_t kMine = 0x5eed;
  for (LAddr p = chain; p; p = k.mem.r64(page::page_to_virt(p)))
    k.mem.set(p, page::private_, kMine);
  auto lowest_taken = [&](std::uint64_t pfn) {
    for (std::uint64_t q = pfn & ~15ULL; q < pfn; ++q)
      if (k.mem.get(page::pfn_to_page(q), page::private_) == kMine) return false;
    return true;
  };
  LAddr keep = 0;  // the pages to keep, chained through their first words
  for (LAddr p = chain, next = 0; p; p = next) {
    next = k.mem.r64(page::page_to_virt(p));
    if (!lowest_taken(page::page_to_pfn(p))) continue;
    k.mem.w64(page::page_to_virt(p) + 8, keep);
    keep = p;
  }
  for (LAddr p = keep; p; p = k.mem.r64(page::page_to_virt(p) + 8))
    k.mem.set(p, page::private_, 1);  // kept: no longer a candidate
  constexpr LAddr kBase = 0x10000000;
  unsigned kept = 0;
  while (chain) {
    const LAddr next = k.mem.r64(page::page_to_virt(chain));
    const std::uint64_t pfn = page::page_to_pfn(chain);
    const bool keep_it = k.mem.get(chain, page::private_) == 1;
    k.mem.set(chain, page::private_, 0);
    if (keep_it) {
      k.mem.w64(page::page_to_virt(chain), 0x5eed0000 + pfn);  // its data, to check later
      map_anon(k, m, kBase + pfn * PAGE_SIZE, chain);
      ++kept;
    } else {
      __free_pages(k, chain, 0);
    }
    chain = next;
  }
  drain_all_pages(k);
  KEXPECT(kept > 100);
  for (unsigned o = 4; o < NR_PAGE_ORDERS; ++o) KEXPECT_EQ(nr_free(k, ZONE_DMA, o), 0u);

  const std::uint64_t stall = vm_event_count(k, COMPACTSTALL);
  const std::uint64_t success = vm_event_count(k, COMPACTSUCCESS);
  const std::uint64_t migrated = vm_event_count(k, PGMIGRATE_SUCCESS);
  LAddr dev = kmalloc(k, device::kSize, GFP_KERNEL);
  device_initialize(k, dev, "fragtest");
  KEXPECT_EQ(dma_set_mask_and_coherent(k, dev, DMA_BIT_MASK(24)), 0);
  PAddr handle = 0;
  const LAddr buf = dma_alloc_coherent(k, dev, 0x10000, &handle, GFP_KERNEL);
  KEXPECT(buf != 0);
  KEXPECT(handle + 0x10000 <= (16u << 20));
  KEXPECT_EQ(handle & 0xffff, 0u);  // an order-4 block: inside one 64 KB ISA page
  KEXPECT_EQ(vm_event_count(k, COMPACTSTALL), stall + 1);
  KEXPECT_EQ(vm_event_count(k, COMPACTSUCCESS), success + 1);
  KEXPECT(vm_event_count(k, PGMIGRATE_SUCCESS) > migrated);
  // Every kept page still holds its data at its user address, some in a new frame.
  unsigned moved = 0;
  bool intact = true;
  for (std::uint64_t pfn = 0; pfn < MAX_DMA_PFN; ++pfn) {
    const std::uint64_t pte = lookup_address(k, k.mem.get(m, mm::pgd), kBase + pfn * PAGE_SIZE);
    if (!pte) continue;
    const std::uint64_t now = (pte & pte::ADDR_MASK) >> PAGE_SHIFT;
    moved += now != pfn;
    intact = intact && k.mem.r64(page::pfn_to_virt(now)) == 0x5eed0000 + pfn;
    const LAddr pg = page::pfn_to_page(now);
    intact = intact && k.mem.get(pg, page::index) == (kBase >> PAGE_SHIFT) + pfn;
  }
  KEXPECT(moved > 0);
  KEXPECT(intact);
  if (buf) dma_free_coherent(k, dev, 0x10000, buf, handle);
  kfree(k, dev);
  do_exit(k, task, 0);
}

KTEST(pagealloc, oom_killer_chooses_the_biggest_process) {
  Kernel& k = t.k;
  drain_all_pages(k);
  const LAddr big = create_process(k, "hog");
  const LAddr small = create_process(k, "bystander");
  KEXPECT(big != 0 && small != 0);
  if (!big || !small) return;
  const LAddr mb = k.mem.get(big, task::mm), ms = k.mem.get(small, task::mm);
  for (unsigned i = 0; i < 16; ++i)
    map_anon(k, ms, 0x400000 + i * PAGE_SIZE, alloc_page(k, GFP_HIGHUSER_MOVABLE));
  // The hog takes everything that can be had without the OOM killer, its page tables
  // made first (a table allocated on a full machine would call the OOM killer itself).
  constexpr LAddr kHogBase = 0x10000000;
  const std::uint64_t can_take = nr_free_and_pcp_pages(k);
  for (LAddr va = kHogBase; va < kHogBase + can_take * PAGE_SIZE; va += PMD_SIZE) {
    std::uint64_t tables = 0;
    pgtable_entry(k, k.mem.get(mb, mm::pgd), va, 1, true, &tables);
    k.mem.add(mb, mm::pgtables, tables);
  }
  unsigned taken = 0;
  for (bool more = true; more;) {
    more = false;
    while (LAddr p = alloc_page(k, GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN)) {
      map_anon(k, mb, kHogBase + LAddr{taken++} * PAGE_SIZE, p);
      more = true;
    }
    drain_all_pages(k);
  }
  KEXPECT(taken > 1000);
  const std::uint64_t kills = vm_event_count(k, OOM_KILL);
  LAddr page = 0;
  const std::string log = capture_console(k, [&] { page = alloc_page(k, GFP_KERNEL); });
  // out_of_memory(): the hog has the most points; its memory is reaped, the
  // allocation retried and met.
  KEXPECT(page != 0);
  KEXPECT_EQ(vm_event_count(k, OOM_KILL), kills + 1);
  KEXPECT(k.mem.get(big, task::oom_victim) != 0);
  KEXPECT(k.mem.get(small, task::oom_victim) == 0);
  KEXPECT_EQ(k.mem.get(ms, mm::rss), 16u);
  KEXPECT_EQ(k.mem.get(mb, mm::rss), 0u);
  const std::string killed = "Out of memory: Killed process " + std::to_string(task_pid(k, big)) +
                             " (hog) total-vm:0kB, anon-rss:" + std::to_string(taken * 4) +
                             "kB, file-rss:0kB, shmem-rss:0kB, UID:0";
  KEXPECT(log.find(killed) != std::string::npos);
  KEXPECT(log.find("invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0") !=
          std::string::npos);
  KEXPECT(log.find("oom_reaper: reaped process " + std::to_string(task_pid(k, big)) +
                   " (hog), now anon-rss:0kB") != std::string::npos);
  if (page) __free_pages(k, page, 0);
  do_exit(k, big, task::SIGKILL);
  do_exit(k, small, 0);
}

}  // namespace mmvp::sw
