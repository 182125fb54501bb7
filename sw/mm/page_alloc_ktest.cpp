// Self-tests of the buddy allocator (suite `buddy`), run on the booted kernel.
// Blocks a test holds are chained through their own first words (a stack in guest
// memory), so the test keeps no kernel state in host containers.
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

// A stack of allocated blocks: word 0 of each block links to the next, word 1 is its order.
struct BlockStack {
  LAddr top = 0;
  unsigned count = 0;
  void push(Kernel& k, LAddr va, unsigned order) {
    k.mem.w64(va, top);
    k.mem.w64(va + 8, order);
    top = va;
    ++count;
  }
  void free_all(Kernel& k) {
    while (top) {
      LAddr next = k.mem.r64(top);
      auto order = static_cast<unsigned>(k.mem.r64(top + 8));
      free_pages(k, top, order);
      top = next;
    }
    count = 0;
  }
};

std::uint64_t nr_free(Kernel& k, unsigned z, unsigned o) {
  return k.mem.get(free_area_addr(z, o), free_area::nr_free);
}

// Blocks on one migrate type's free list of an order.
std::uint64_t free_list_length(Kernel& k, unsigned z, unsigned o, unsigned mt) {
  const LAddr head = free_list_addr(z, o, mt);
  std::uint64_t n = 0;
  for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) ++n;
  return n;
}

// The zone GFP_KERNEL allocations come from first: the highest populated one.
unsigned kernel_zone(Kernel& k) {
  unsigned z = ZONE_NORMAL;
  while (z > 0 && !populated_zone(k, z)) --z;
  return z;
}

// Sum over orders of nr_free << order must equal the zone's free page counter.
bool free_counts_consistent(Kernel& k, unsigned z) {
  std::uint64_t sum = 0;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) sum += nr_free(k, z, o) << o;
  return sum == zone_free_pages(k, static_cast<zone_type>(z));
}

}  // namespace

KTEST(buddy, split_the_smallest_block_and_merge_back) {
  Kernel& k = t.k;
  drain_all_pages(k);
  const unsigned z = kernel_zone(k);
  constexpr unsigned kLow = PAGE_ALLOC_COSTLY_ORDER + 1;  // above the per-CPU orders
  std::uint64_t before[NR_PAGE_ORDERS];
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) before[o] = nr_free(k, z, o);
  // Take every movable block of orders kLow..8 (the order-9 per-CPU list would pull
  // more), so the next order-kLow movable request splits the smallest larger block:
  // __rmqueue_smallest takes the smallest order of the type first.
  BlockStack drained;
  for (unsigned o = kLow; o < pageblock_order; ++o)
    while (free_list_length(k, z, o, MIGRATE_MOVABLE) > 0)
      drained.push(k, __get_free_pages(k, GFP_HIGHUSER_MOVABLE, o), o);
  unsigned high = pageblock_order;
  while (high <= MAX_ORDER && free_list_length(k, z, high, MIGRATE_MOVABLE) == 0) ++high;
  KEXPECT(high <= MAX_ORDER);
  if (high > MAX_ORDER) return;
  const std::uint64_t at_high = nr_free(k, z, high);

  LAddr page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, kLow);
  KEXPECT(page != 0);
  KEXPECT_EQ(static_cast<unsigned>(page_zonenum(k, page)), z);
  // expand(): one free movable block of every order kLow..high-1 above the page, one
  // block fewer at `high`.
  for (unsigned o = kLow; o < high; ++o) KEXPECT_EQ(free_list_length(k, z, o, MIGRATE_MOVABLE), 1u);
  KEXPECT_EQ(nr_free(k, z, high), at_high - 1);
  const std::uint64_t pfn = page::page_to_pfn(page);
  KEXPECT_EQ(pfn % (1u << high), 0u);
  for (unsigned o = kLow; o < high; ++o) {
    // The buddy address rule: the order-o buddy of the block at pfn is pfn ^ (1 << o).
    LAddr buddy = page::pfn_to_page(pfn ^ (1ULL << o));
    KEXPECT(k.mem.get(buddy, page::flags) & page::PG_buddy);
    KEXPECT_EQ(k.mem.get(buddy, page::private_), o);
  }
  KEXPECT_EQ(k.mem.get(page, page::refcount), 1);
  __free_pages(k, page, kLow);  // above the per-CPU orders: straight to the buddy lists
  // Merged all the way back up into one block of order `high` (or above, if its own
  // buddy was free).
  for (unsigned o = kLow; o < high; ++o) KEXPECT_EQ(free_list_length(k, z, o, MIGRATE_MOVABLE), 0u);
  KEXPECT(k.mem.get(page, page::flags) & page::PG_buddy);
  KEXPECT(k.mem.get(page, page::private_) >= high);

  drained.free_all(k);
  drain_all_pages(k);
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) KEXPECT_EQ(nr_free(k, z, o), before[o]);
  KEXPECT(free_counts_consistent(k, z));
}

KTEST(buddy, mixed_orders_return_every_zone_to_its_count) {
  Kernel& k = t.k;
  drain_all_pages(k);
  std::uint64_t free_before[MAX_NR_ZONES], orders_before[MAX_NR_ZONES][NR_PAGE_ORDERS];
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    free_before[z] = zone_free_pages(k, static_cast<zone_type>(z));
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) orders_before[z][o] = nr_free(k, z, o);
  }
  // Two interleaved stacks so blocks are freed in a different order than allocated.
  BlockStack a, b;
  const gfp_t gfps[3] = {GFP_KERNEL, GFP_DMA32, GFP_KERNEL | __GFP_ZERO};
  for (unsigned i = 0; i < 300; ++i) {
    unsigned order = (i * 7) % 6;
    LAddr va = __get_free_pages(k, gfps[i % 3], order);
    KEXPECT(va != 0);
    if (!va) break;
    (i % 2 ? a : b).push(k, va, order);
  }
  for (unsigned i = 0; i < 8; ++i) a.push(k, __get_free_pages(k, GFP_DMA, i % 3), i % 3);
  std::uint64_t used = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    used += free_before[z] - zone_free_pages(k, static_cast<zone_type>(z));
  KEXPECT(used > 300);
  b.free_all(k);
  a.free_all(k);
  drain_all_pages(k);  // the per-CPU lists hold the small frees until they drain
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    KEXPECT_EQ(zone_free_pages(k, static_cast<zone_type>(z)), free_before[z]);
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) KEXPECT_EQ(nr_free(k, z, o), orders_before[z][o]);
    KEXPECT(free_counts_consistent(k, z));
  }
}

KTEST(buddy, zone_modifiers_bound_the_physical_address) {
  Kernel& k = t.k;
  for (unsigned order = 0; order <= 3; ++order) {
    LAddr dma = alloc_pages(k, GFP_DMA, order);
    KEXPECT(dma != 0);
    KEXPECT(page::page_to_pfn(dma) + (1ULL << order) <= MAX_DMA_PFN);
    KEXPECT_EQ(static_cast<unsigned>(page_zonenum(k, dma)), static_cast<unsigned>(ZONE_DMA));
    LAddr dma32 = alloc_pages(k, GFP_DMA32, order);
    KEXPECT(dma32 != 0);
    KEXPECT(page::page_to_pfn(dma32) + (1ULL << order) <= MAX_DMA32_PFN);
    KEXPECT(page_zonenum(k, dma32) <= ZONE_DMA32);
    LAddr normal = alloc_pages(k, GFP_KERNEL, order);
    KEXPECT(normal != 0);
    KEXPECT_EQ(static_cast<unsigned>(page_zonenum(k, normal)), kernel_zone(k));
    if (order > 0) {
      KEXPECT(k.mem.get(normal, page::flags) & page::PG_head);
      KEXPECT_EQ(k.mem.get(normal, page::compound_order), order);
    }
    __free_pages(k, dma, order);
    __free_pages(k, dma32, order);
    __free_pages(k, normal, order);
  }
}

KTEST(buddy, dma_exhaustion_fails_cleanly_at_the_watermark) {
  Kernel& k = t.k;
  drain_all_pages(k);
  std::uint64_t higher_before[MAX_NR_ZONES];
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    higher_before[z] = zone_free_pages(k, static_cast<zone_type>(z));
  BlockStack held;
  while (LAddr va = __get_free_pages(k, GFP_DMA | __GFP_NOWARN, 0)) held.push(k, va, 0);
  KEXPECT(held.count > 0);
  // GFP_DMA may not reclaim: the min watermark is the floor (free_pages <= min +
  // lowmem_reserve[ZONE_DMA] = min fails). The per-CPU refill before the last check may
  // have taken the zone below it by up to one batch (batch << PCP_BATCH_SCALE_MAX).
  const std::uint64_t min = zone_wmark(k, ZONE_DMA, WMARK_MIN);
  const std::uint64_t max_refill = 1u << CONFIG_PCP_BATCH_SCALE_MAX;
  KEXPECT(zone_free_pages(k, ZONE_DMA) <= min);
  KEXPECT(zone_free_pages(k, ZONE_DMA) + max_refill >= min);
  // GFP_ATOMIC dips into the reserve: min/2, then a quarter of that again.
  std::uint64_t atomic_floor = min - min / 2;
  atomic_floor -= atomic_floor / 4;
  while (LAddr va = __get_free_pages(k, GFP_ATOMIC | __GFP_DMA | __GFP_NOWARN, 0))
    held.push(k, va, 0);
  KEXPECT(zone_free_pages(k, ZONE_DMA) <= atomic_floor);
  KEXPECT(zone_free_pages(k, ZONE_DMA) + max_refill >= atomic_floor);
  // Nothing came from a higher zone.
  for (unsigned z = ZONE_DMA32; z < MAX_NR_ZONES; ++z)
    KEXPECT_EQ(zone_free_pages(k, static_cast<zone_type>(z)), higher_before[z]);
  held.free_all(k);
  drain_all_pages(k);
  KEXPECT_EQ(zone_free_pages(k, ZONE_DMA), higher_before[ZONE_DMA]);
}

KTEST(buddy, watermarks_and_lowmem_reserve_follow_linux) {
  Kernel& k = t.k;
  std::uint64_t managed[kMaxZoneSlots], lowmem = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    managed[z] = zone_managed_pages(k, z);
    // lowmem_pages leaves ZONE_MOVABLE (and i386's ZONE_HIGHMEM) out.
    if (!zone_is_highmem_or_movable(z)) lowmem += managed[z];
  }
  // init_per_zone_wmark_min: int_sqrt(lowmem_kbytes * 16), clamped to [128, 262144].
  std::uint64_t min_free_kbytes = int_sqrt(lowmem * 4 * 16);
  min_free_kbytes = min_free_kbytes < 128      ? 128
                    : min_free_kbytes > 262144 ? 262144
                                               : min_free_kbytes;
  KEXPECT_EQ(k.mem.get(MM_GLOBALS, mm_globals::min_free_kbytes), min_free_kbytes);
  KEXPECT_EQ(int_sqrt(1000000), 1000u);
  KEXPECT_EQ(int_sqrt(999999), 999u);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    const std::uint64_t share = (min_free_kbytes >> 2) * managed[z] / lowmem;
    std::uint64_t scaled = managed[z] / 10000 * 10 + managed[z] % 10000 * 10 / 10000;
    std::uint64_t step = share >> 2 > scaled ? share >> 2 : scaled;
    // ZONE_MOVABLE and ZONE_HIGHMEM: min is managed / 1024 clamped to
    // [SWAP_CLUSTER_MAX, 128].
    std::uint64_t wmin = share;
    if (zone_is_highmem_or_movable(z))
      wmin = managed[z] / 1024 < 32 ? 32 : managed[z] / 1024 > 128 ? 128 : managed[z] / 1024;
    KEXPECT_EQ(zone_wmark(k, z, WMARK_MIN), wmin);
    KEXPECT_EQ(zone_wmark(k, z, WMARK_LOW), wmin + step);
    KEXPECT_EQ(zone_wmark(k, z, WMARK_HIGH), wmin + 2 * step);
    KEXPECT_EQ(zone_wmark(k, z, WMARK_PROMO), wmin + 3 * step);
    if (managed[z]) {
      KEXPECT(zone_wmark(k, z, WMARK_MIN) < zone_wmark(k, z, WMARK_LOW));
      KEXPECT(zone_wmark(k, z, WMARK_LOW) < zone_wmark(k, z, WMARK_HIGH));
    }
    // setup_per_zone_lowmem_reserve: managed pages of the zones above / ratio.
    std::uint64_t above = 0;
    for (unsigned j = z + 1; j < MAX_NR_ZONES; ++j) {
      above += managed[j];
      const std::uint64_t ratio = sysctl_lowmem_reserve_ratio[z];  // 0 for HighMem: none
      std::uint64_t expect = managed[z] && ratio ? above / ratio : 0;
      KEXPECT_EQ(k.mem.get(zone_addr(z), zone::lowmem_reserve(j)), expect);
    }
  }
}

KTEST(buddy, zeroing_refcount_and_bad_frees) {
  Kernel& k = t.k;
  LAddr va = __get_free_pages(k, GFP_KERNEL, 1);
  KEXPECT(va != 0);
  k.mem.fill(va, 0xa5, 2 * PAGE_SIZE);
  free_pages(k, va, 1);
  // LIFO free lists hand the same block back; __GFP_ZERO clears both pages.
  LAddr again = __get_free_pages(k, GFP_KERNEL | __GFP_ZERO, 1);
  KEXPECT_EQ(again, va);
  KEXPECT_EQ(k.mem.r64(again), 0u);
  KEXPECT_EQ(k.mem.r64(again + 2 * PAGE_SIZE - 8), 0u);
  LAddr page = page::virt_to_page(again);
  KEXPECT_EQ(k.mem.get(page, page::refcount), 1);
  free_pages(k, again, 1);
  // A second free of the same block is a bad page state, so is freeing a reserved page.
  bool double_free_caught = false, reserved_caught = false;
  try {
    __free_pages(k, page, 1);
  } catch (const KernelPanic& e) {
    double_free_caught = std::string(e.what()).find("BUG: Bad page state") != std::string::npos;
  }
  try {
    __free_pages(k, page::pfn_to_page(0x10), 0);  // in the reserved first megabyte
  } catch (const KernelPanic& e) {
    reserved_caught = std::string(e.what()).find("BUG: Bad page state") != std::string::npos;
  }
  KEXPECT(double_free_caught);
  KEXPECT(reserved_caught);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) KEXPECT(free_counts_consistent(k, z));
}

KTEST(buddy, map_page_takes_its_tables_from_the_buddy_allocator) {
  Kernel& k = t.k;
  // A new address space: a zeroed PGD sharing the kernel half, like a process's.
  LAddr pgd_va = get_zeroed_page(k, GFP_KERNEL);
  KEXPECT(pgd_va != 0);
  const PAddr pgd = page::__pa(pgd_va);
  const LAddr kernel_pgd = page::__va(init_pgd(k));
  // The kernel's top-level entries: PML4 256..511, or with PAE the PDPT's from
  // PAGE_OFFSET up; PAE has one level fewer to allocate.
  const bool pae = PGTABLE_LEVELS == 3;
  const unsigned first_kernel = pae ? static_cast<unsigned>(PAGE_OFFSET >> 30) : 256;
  const unsigned entries = pae ? 4 : 512, tables = pae ? 2 : 3;
  for (unsigned i = first_kernel; i < entries; ++i)
    k.mem.w64(pgd_va + 8 * i, k.mem.r64(kernel_pgd + 8 * i));
  const std::uint64_t tables_before = global_node_page_state(k, NR_PAGETABLE);
  const std::uint64_t free_before = nr_free_and_pcp_pages(k);
  LAddr frame_va = get_zeroed_page(k, GFP_KERNEL);
  const LAddr user_va = 0x400000;
  KEXPECT(map_page(k, pgd, user_va, page::__pa(frame_va), pte::P | pte::RW | pte::US | pte::XD));
  // PUD (not with PAE), PMD and PTE tables came from the buddy allocator and are
  // accounted.
  KEXPECT_EQ(global_node_page_state(k, NR_PAGETABLE), tables_before + tables);
  KEXPECT_EQ(nr_free_and_pcp_pages(k), free_before - 1 - tables);
  unsigned level = 0;
  std::uint64_t e = lookup_address(k, pgd, user_va, &level);
  KEXPECT_EQ(level, 1u);
  KEXPECT_EQ(e & pte::ADDR_MASK, page::__pa(frame_va));
  // User tables are user-accessible (a PDPTE has only P: SDM 4.4.1).
  KEXPECT(k.mem.r64(pgd_va) & (pae ? pte::P : pte::US));
  // Through the new tables (SMAP: with RFLAGS.AC set), the page aliases its direct map.
  const std::uint64_t cr3 = k.cpu.read_cr(3);
  k.cpu.write_cr(3, pgd);
  k.cpu.set_ac(true);
  k.mem.w64(user_va + 0x18, 0x1234abcd);
  k.cpu.set_ac(false);
  k.cpu.write_cr(3, cr3);
  KEXPECT_EQ(k.mem.r64(frame_va + 0x18), 0x1234abcdu);
  // The walker set Accessed and Dirty on the write (SDM 4.8).
  KEXPECT_EQ(unmap_page(k, pgd, user_va), e | pte::A | pte::D);
  KEXPECT_EQ(lookup_address(k, pgd, user_va), 0u);
  flush_tlb_kernel_range(k, user_va, user_va + PAGE_SIZE);
  // Tear down: the tables, the frame, the PGD.
  PAddr pud = pae ? 0 : k.mem.r64(pgd_va) & pte::ADDR_MASK;
  PAddr pmd =
      pae ? k.mem.r64(pgd_va) & pte::ADDR_MASK : k.mem.r64(page::__va(pud)) & pte::ADDR_MASK;
  PAddr pt = k.mem.r64(page::__va(pmd) + 8 * pmd_index(user_va)) & pte::ADDR_MASK;
  for (PAddr table : {pt, pmd, pud})
    if (table) free_page(k, page::__va(table));
  mod_node_page_state(k, NR_PAGETABLE, -static_cast<std::int64_t>(tables));
  free_page(k, frame_va);
  free_page(k, pgd_va);
  KEXPECT_EQ(nr_free_and_pcp_pages(k), free_before + 1);
}

}  // namespace mmvp::sw
