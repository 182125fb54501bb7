// mm/mm_init.c: zone spans and present pages (free_area_init), the node's zonelist,
// every struct page initialised (memmap_init, PG_reserved until memblock lets go),
// memblock_free_all into the buddy allocator, and the boot lines Linux prints.
#include <algorithm>
#include <cstdio>

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mm_init_internal.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/page_alloc_internal.h"

namespace mmvp::sw {
namespace {

using ull = unsigned long long;

// The pfn bounds of each zone (arch_zone_lowest/highest_possible_pfn). ZONE_MOVABLE
// and ZONE_DEVICE span nothing (no kernelcore=, no device memory).
void zone_bounds(unsigned z, std::uint64_t max_pfn, std::uint64_t* lo, std::uint64_t* hi) {
  *lo = zone_config.start_pfn[z];
  *hi = std::min(zone_config.end_pfn[z], max_pfn);
}

// The memblock.memory pfn ranges overlapping [lo, hi): pages present in it.
std::uint64_t present_pages_in(Kernel& k, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t present = 0;
  unsigned n = memblock_region_count(k, MemblockType::memory);
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::memory, i, &base, &size);
    std::uint64_t s = std::max(lo, (base + PAGE_SIZE - 1) >> PAGE_SHIFT);
    std::uint64_t e = std::min(hi, (base + size) >> PAGE_SHIFT);
    if (e > s) present += e - s;
  }
  return present;
}

void print_range(Kernel& k, const char* prefix, std::uint64_t start_pfn, std::uint64_t end_pfn) {
  char line[128];
  std::snprintf(line, sizeof line, "%s[mem 0x%016llx-0x%016llx]", prefix,
                static_cast<ull>(start_pfn << PAGE_SHIFT),
                static_cast<ull>((end_pfn << PAGE_SHIFT) - 1));
  k.printk(line);
}

}  // namespace

void init_single_page(Kernel& k, std::uint64_t pfn, unsigned zone, bool reserved) {
  // __init_single_page(): mm_zero_struct_page (eight 8-byte stores for a 64-byte struct
  // page), then the links, the counts and the empty lru list, all into one line.
  const LAddr p = page::pfn_to_page(pfn);
  const std::uint64_t flags = static_cast<std::uint64_t>(zone) << page::ZONE_SHIFT;
  std::uint8_t image[page::kSize] = {};
  Guest::put(image, page::flags, reserved ? flags | page::PG_reserved : flags);
  Guest::put(image, page::refcount, 1);
  Guest::put(image, page::mapcount, -1);
  Guest::put(image + page::lru.offset, list::next, p + page::lru);
  Guest::put(image + page::lru.offset, list::prev, p + page::lru);
  k.mem.store_burst(p, image, page::kSize);
}

unsigned pfn_zone(std::uint64_t pfn) {
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    if (pfn >= zone_config.start_pfn[z] && pfn < zone_config.end_pfn[z]) return z;
  return ZONE_NORMAL;
}

void for_each_hole(Kernel& k, std::uint64_t start_pfn, std::uint64_t end_pfn,
                   const std::function<void(std::uint64_t, std::uint64_t)>& fn) {
  std::uint64_t next = start_pfn;  // the first pfn not yet known to be memory or hole
  const unsigned n = memblock_region_count(k, MemblockType::memory);
  for (unsigned i = 0; i < n && next < end_pfn; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::memory, i, &base, &size);
    const std::uint64_t s = (base + PAGE_SIZE - 1) >> PAGE_SHIFT, e = (base + size) >> PAGE_SHIFT;
    if (e <= next) continue;
    if (s > next) fn(next, std::min(s, end_pfn));
    next = std::max(next, e);
  }
  if (next < end_pfn) fn(next, end_pfn);
}

std::uint64_t free_pages_memory(Kernel& k, std::uint64_t s, std::uint64_t e) {
  std::uint64_t freed = 0;
  while (s < e) {
    unsigned order = s ? std::min<unsigned>(MAX_ORDER, __builtin_ctzll(s)) : MAX_ORDER;
    while (s + (1ULL << order) > e) --order;
    __free_pages_core(k, s, pfn_zone(s), order);
    freed += 1ULL << order;
    s += 1ULL << order;
  }
  return freed;
}

void free_area_init(Kernel& k, bool deferred_struct_page_init, bool memmap_fast_forward) {
  RoutineScope rs(k, Routine::free_area_init);
  const std::uint64_t end_pfn = max_pfn(k);
  const std::uint64_t start_pfn = (memblock_start_of_DRAM(k) + PAGE_SIZE - 1) >> PAGE_SHIFT;

  k.printk("Zone ranges:");
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (z == ZONE_MOVABLE) continue;  // printed by "Movable zone start for each node"
    std::uint64_t lo, hi;
    zone_bounds(z, end_pfn, &lo, &hi);
    lo = std::max(lo, start_pfn);
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "  %-8s ", zone_names[z]);
    if (lo >= hi)
      k.printk(std::string(prefix) + "empty");
    else
      print_range(k, prefix, lo, hi);
  }
  k.printk("Movable zone start for each node");
  k.printk("Early memory node ranges");
  unsigned n = memblock_region_count(k, MemblockType::memory);
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::memory, i, &base, &size);
    print_range(k, "  node   0: ", (base + PAGE_SIZE - 1) >> PAGE_SHIFT,
                (base + size) >> PAGE_SHIFT);
  }
  print_range(k, "Initmem setup node 0 ", start_pfn, end_pfn);

  // The node and its zones (free_area_init_node -> free_area_init_core).
  std::uint64_t node_present = 0;
  unsigned nr_zones = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    std::uint64_t lo, hi;
    zone_bounds(z, end_pfn, &lo, &hi);
    lo = std::max(lo, start_pfn);
    bool empty = lo >= hi;
    std::uint64_t present = empty ? 0 : present_pages_in(k, lo, hi);
    LAddr zn = zone_addr(z);
    k.mem.zero(zn, zone::kSize);
    k.mem.set(zn, zone::zone_start_pfn, empty ? 0 : lo);
    k.mem.set(zn, zone::spanned_pages, empty ? 0 : hi - lo);
    k.mem.set(zn, zone::present_pages, present);
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o)
      for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) list::init(k.mem, free_list_addr(z, o, mt));
    pcp_init(k, z);
    node_present += present;
    if (present) nr_zones = z + 1;
  }
  // build_zonerefs_node(): populated zones, highest first.
  LAddr zref = NODE_DATA + pgdat::node_zonelists;
  for (unsigned z = MAX_NR_ZONES; z-- > 0;) {
    if (!populated_zone(k, z)) continue;
    k.mem.set(zref, zoneref::zone, zone_addr(z));
    k.mem.set(zref, zoneref::zone_idx, z);
    zref += zoneref::kSize;
  }
  k.mem.set(zref, zoneref::zone, 0);
  k.mem.set(zref, zoneref::zone_idx, 0);
  k.mem.set(NODE_DATA, pgdat::nr_zones, nr_zones);
  k.mem.set(NODE_DATA, pgdat::node_start_pfn, start_pfn);
  k.mem.set(NODE_DATA, pgdat::node_present_pages, node_present);
  k.mem.set(NODE_DATA, pgdat::node_spanned_pages, end_pfn - start_pfn);
  k.mem.set(NODE_DATA, pgdat::node_id, 0);

  pageblock_flags_init(k);
  // memmap_init(): every struct page below max_pfn, holes included (they belong to the
  // zone whose span covers them; pfns below the first zone to ZONE_DMA), reserved.
  // With deferral, defer_init() stops the node's last zone after its first section:
  // the memory above first_deferred_pfn is left to deferred_init_memmap(); its holes
  // are initialised now (init_unavailable_range).
  std::uint64_t deferred = kNoDeferredPfn;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    std::uint64_t lo, hi;
    zone_bounds(z, end_pfn, &lo, &hi);
    if (deferred_struct_page_init && lo < hi && hi == end_pfn)
      deferred = first_deferred_pfn(std::max(lo, start_pfn), hi);
    const std::uint64_t now_end = std::min(hi, deferred);
    run_memmap_blocks(
        k, memmap_fast_forward, [&](auto&& fn) { for_each_max_order_block(lo, now_end, fn); },
        [&](std::uint64_t s, std::uint64_t e) {
          for (std::uint64_t pfn = s; pfn < e; ++pfn) init_single_page(k, pfn, z, true);
        });
    if (now_end < hi)
      for_each_hole(k, now_end, hi, [&](std::uint64_t s, std::uint64_t e) {
        for (std::uint64_t pfn = s; pfn < e; ++pfn) init_single_page(k, pfn, z, true);
      });
  }
  k.mem.set(NODE_DATA, pgdat::first_deferred_pfn, deferred);
}

void memblock_free_all(Kernel& k, bool fast_forward) {
  RoutineScope rs(k, Routine::memblock_free_all);
  const std::uint64_t end_pfn = max_pfn(k);
  // reset_all_zones_managed_pages() was done by free_area_init (zones zeroed).
  // free_low_memory_core_early() -> __free_pages_memory(): the largest naturally
  // aligned blocks (never across a zone boundary: those are 4 MB aligned).
  // memblock_free_pages() skips what early_page_initialised() says is deferred; the
  // reserved pages there are initialised first (memmap_init_reserved_pages).
  const std::uint64_t deferred = k.mem.get(NODE_DATA, pgdat::first_deferred_pfn);
  if (deferred != kNoDeferredPfn) init_deferred_reserved_pages(k, deferred);
  // The free ranges cut into MAX_ORDER blocks (no block __free_pages_memory frees
  // crosses such a boundary), so that the loop can be fast-forwarded.
  auto for_each_block = [&](auto&& fn) {
    for_each_free_mem_range(k, [&](PAddr start, PAddr end) {
      for_each_max_order_block((start + PAGE_SIZE - 1) >> PAGE_SHIFT,
                               std::min({end >> PAGE_SHIFT, end_pfn, deferred}), fn);
      return false;
    });
  };
  std::uint64_t freed = 0;
  run_memmap_blocks(k, fast_forward, for_each_block,
                    [&](std::uint64_t s, std::uint64_t e) { freed += free_pages_memory(k, s, e); });
  k.mem.add(MM_GLOBALS, mm_globals::totalram_pages, freed);  // totalram_pages_add()
  k.mem.set(MM_GLOBALS, mm_globals::after_bootmem, 1);
}

void mem_init_print_info(Kernel& k) {
  // mem_init_print_info(): physpages = present pages; reserved = physpages - totalram.
  std::uint64_t physpages = k.mem.get(NODE_DATA, pgdat::node_present_pages);
  std::uint64_t totalram = totalram_pages(k);
  std::uint64_t free = nr_free_pages(k);
  char line[256];
  char highmem[32] = "";
  if (zone_config.has_highmem)  // CONFIG_HIGHMEM: totalhigh_pages
    std::snprintf(highmem, sizeof highmem, ", %lluK highmem",
                  static_cast<ull>(zone_managed_pages(k, ZONE_HIGHMEM) << 2));
  std::snprintf(line, sizeof line,
                "Memory: %lluK/%lluK available (%lluK kernel code, %lluK rwdata, 0K rodata, 0K "
                "init, 0K bss, %lluK reserved, 0K cma-reserved%s)",
                static_cast<ull>(free << 2), static_cast<ull>(physpages << 2),
                static_cast<ull>(layout::KERNEL_TEXT_SIZE >> 10),
                static_cast<ull>(layout::KERNEL_DATA_SIZE >> 10),
                static_cast<ull>((physpages - totalram) << 2), highmem);
  k.printk(line);
  if (kernel_layout.x86_32) {
    print_layout_32(k);
    return;
  }

  // The virtual kernel memory layout (as x86 mem_init printed it).
  const std::uint64_t end_pfn = max_pfn(k);
  struct Area {
    const char* name;
    LAddr start, end;  // [start, end)
  };
  const Area areas[] = {
      {"    lowmem  ", PAGE_OFFSET, PAGE_OFFSET + (end_pfn << PAGE_SHIFT)},
      {"    vmalloc ", VMALLOC_START, VMALLOC_END},
      {"    vmemmap ", VMEMMAP_START, page::pfn_to_page(end_pfn)},
      {"    modules ", MODULES_VADDR, MODULES_END},
      {"      .text ", layout::KERNEL_TEXT, layout::KERNEL_TEXT + layout::KERNEL_TEXT_SIZE},
      {"      .data ", layout::KERNEL_DATA, layout::KERNEL_DATA + layout::KERNEL_DATA_SIZE},
  };
  k.printk("Virtual kernel memory layout:");
  for (const Area& a : areas) {
    std::uint64_t bytes = a.end - a.start;
    const char* unit = bytes >= (1ULL << 30) ? "GB" : bytes >= (1ULL << 20) ? "MB" : "kB";
    unsigned shift = bytes >= (1ULL << 30) ? 30 : bytes >= (1ULL << 20) ? 20 : 10;
    std::snprintf(line, sizeof line, "%s: 0x%016llx - 0x%016llx   (%6llu %s)", a.name,
                  static_cast<ull>(a.start), static_cast<ull>(a.end),
                  static_cast<ull>(bytes >> shift), unit);
    k.printk(line);
  }
}

}  // namespace mmvp::sw
