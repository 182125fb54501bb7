// Zones and the node (include/linux/mmzone.h): struct zone and struct pglist_data in
// guest memory at layout::PGDAT, the mm globals at layout::MM_GLOBALS (max_pfn,
// totalram_pages, watermark tunables, the node vm counters, the direct-map page
// counts), and typed accessors. ZONE_DMA [0, 16 MB), ZONE_DMA32 [16 MB, 4 GB),
// ZONE_NORMAL above, ZONE_MOVABLE and ZONE_DEVICE empty; one node.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// struct free_area { struct list_head free_list[MIGRATE_TYPES]; unsigned long nr_free; }.
namespace free_area {
inline constexpr unsigned kListsBytes = MIGRATE_TYPES * list::kSize;
inline constexpr Embedded free_list{0, kListsBytes};  // free_list[mt] at + mt * list::kSize
inline constexpr Field<std::uint64_t> nr_free{kListsBytes};
inline constexpr unsigned kSize = kListsBytes + 8;
}  // namespace free_area

// struct per_cpu_pages (include/linux/mmzone.h) of the one CPU: order-0..3 pages per
// migrate type plus two lists for pageblock-order (THP) pages, one for GFP_MOVABLE and
// one for the other types (NR_PCP_THP 2), NR_PCP_LISTS in all. Linux reaches it
// through zone->per_cpu_pageset; with one CPU it is embedded.
inline constexpr unsigned NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
inline constexpr unsigned NR_PCP_THP = 2;
inline constexpr unsigned NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + NR_PCP_THP;
namespace pcp {
inline constexpr Field<std::int32_t> count{0};  // pages on the lists
inline constexpr Field<std::int32_t> high{4};   // drain threshold
inline constexpr Field<std::int32_t> high_min{8};
inline constexpr Field<std::int32_t> high_max{12};
inline constexpr Field<std::int32_t> batch{16};         // pages moved per refill or drain
inline constexpr Field<std::int32_t> free_count{20};    // pages freed since the last allocation
inline constexpr Field<std::uint8_t> flags{24};         // PCPF_PREV_FREE_HIGH_ORDER
inline constexpr Field<std::uint8_t> alloc_factor{25};  // batch scale for repeated refills
inline constexpr Embedded lists{32, NR_PCP_LISTS* list::kSize};
inline constexpr unsigned kSize = lists.end();
}  // namespace pcp
// order_to_pindex() / pindex_to_order().
inline constexpr unsigned order_to_pindex(unsigned mt, unsigned order) {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (mt != MIGRATE_MOVABLE);
  return MIGRATE_PCPTYPES * order + mt;
}
inline constexpr unsigned pindex_to_order(unsigned pindex) {
  return pindex >= NR_LOWORDER_PCP_LISTS ? pageblock_order : pindex / MIGRATE_PCPTYPES;
}
// pcp_allowed_order().
inline constexpr std::uint8_t PCPF_PREV_FREE_HIGH_ORDER = 1;
inline constexpr int CONFIG_PCP_BATCH_SCALE_MAX = 5;
inline constexpr bool pcp_allowed_order(unsigned order) {
  return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}

// zone->flags bits.
inline constexpr std::uint64_t ZONE_BELOW_HIGH = 1ULL << 0;

enum zone_watermarks : unsigned { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, WMARK_PROMO = 3 };

// struct zone (the fields this kernel uses, in Linux's order of importance).
namespace zone {
inline constexpr ArrayField<std::uint64_t, 4> watermark{0};  // _watermark[MIN, LOW, HIGH, PROMO]
inline constexpr Field<std::uint64_t> watermark_boost{32};
inline constexpr ArrayField<std::uint64_t, kMaxZoneSlots> lowmem_reserve{40};
inline constexpr Field<std::uint64_t> zone_start_pfn{80};
inline constexpr Field<std::uint64_t> managed_pages{88};  // atomic_long_t in Linux
inline constexpr Field<std::uint64_t> spanned_pages{96};
inline constexpr Field<std::uint64_t> present_pages{104};
inline constexpr Field<std::uint64_t> nr_free_pages{112};  // vm_stat[NR_FREE_PAGES]
inline constexpr Field<std::uint64_t> flags{120};          // ZONE_BELOW_HIGH
// compact_cached_migrate_pfn / compact_cached_free_pfn are not kept: every direct
// compaction scans the whole zone.
inline constexpr Embedded pageset{128, pcp::kSize};  // this CPU's struct per_cpu_pages
// NUMA_HIT (= NUMA_LOCAL with one node): allocations served by this zone.
inline constexpr Field<std::uint64_t> numa_hit{384};
inline constexpr Embedded free_area{400, NR_PAGE_ORDERS* free_area::kSize};
inline constexpr unsigned kSize = 1408;
static_assert(pageset.end() <= numa_hit.offset, "per_cpu_pages overflows");
static_assert(free_area.end() <= kSize, "struct zone overflows");
}  // namespace zone

// struct pglist_data (node 0): the zones, the fallback zonelist (struct zoneref
// {zone, zone_idx} entries, NORMAL -> DMA32 -> DMA over populated zones, NULL-terminated,
// build_zonerefs_node()), and the node's span.
namespace zoneref {
inline constexpr Field<LAddr> zone{0};
inline constexpr Field<std::uint64_t> zone_idx{8};
inline constexpr unsigned kSize = 16;
}  // namespace zoneref
namespace pgdat {
inline constexpr Embedded node_zones{0, kMaxZoneSlots* zone::kSize};  // struct zone[]
inline constexpr Embedded node_zonelists{node_zones.end(), (kMaxZoneSlots + 1) * zoneref::kSize};
inline constexpr Field<std::uint64_t> nr_zones{node_zonelists.end()};
inline constexpr Field<std::uint64_t> node_start_pfn{nr_zones.offset + 8};
inline constexpr Field<std::uint64_t> node_present_pages{node_start_pfn.offset + 8};
inline constexpr Field<std::uint64_t> node_spanned_pages{node_present_pages.offset + 8};
inline constexpr Field<std::uint64_t> node_id{node_spanned_pages.offset + 8};
// The first pfn whose struct page waits for deferred_init_memmap (ULONG_MAX: none).
inline constexpr Field<std::uint64_t> first_deferred_pfn{node_id.offset + 8};
inline constexpr unsigned kSize = first_deferred_pfn.offset + 8;
}  // namespace pgdat
static_assert(pgdat::kSize <= 0x4000, "pglist_data outgrows its .data slot");

// Node vm counters (enum node_stat_item). *_B items are accounted in bytes by the
// caller and kept in pages, like __mod_node_page_state(); NR_KERNEL_STACK_KB in kB.
enum node_stat_item : unsigned {
  NR_SLAB_RECLAIMABLE_B = 0,
  NR_SLAB_UNRECLAIMABLE_B,
  NR_KERNEL_STACK_KB,
  NR_PAGETABLE,    // pages of page tables allocated from the buddy allocator
  NR_VMALLOC,      // pages mapped by vmalloc
  NR_ANON_MAPPED,  // anonymous pages mapped by processes (AnonPages)
  NR_ANON_THPS,    // of which in transparent huge pages, in pages (AnonHugePages)
  NR_VM_NODE_STAT_ITEMS
};

// Event counters (enum vm_event_item, /proc/vmstat), with Linux's names in
// vm_event_names. PGALLOC_* are per zone, in zone order.
enum vm_event_item : unsigned {
  PGALLOC_DMA = 0,
  PGALLOC_DMA32,
  PGALLOC_NORMAL,
  PGALLOC_MOVABLE,
  PGALLOC_DEVICE,
  PGFREE,
  PGFAULT,
  OOM_KILL,
  PGMIGRATE_SUCCESS,
  PGMIGRATE_FAIL,
  COMPACTMIGRATE_SCANNED,
  COMPACTFREE_SCANNED,
  COMPACTISOLATED,
  COMPACTSTALL,
  COMPACTFAIL,
  COMPACTSUCCESS,
  THP_FAULT_ALLOC,
  THP_FAULT_FALLBACK,
  THP_SPLIT_PMD,
  NR_TLB_LOCAL_FLUSH_ALL,
  NR_TLB_LOCAL_FLUSH_ONE,
  NR_VM_EVENT_ITEMS
};
inline constexpr const char* vm_event_names[NR_VM_EVENT_ITEMS] = {"pgalloc_dma",
                                                                  "pgalloc_dma32",
                                                                  "pgalloc_normal",
                                                                  "pgalloc_movable",
                                                                  "pgalloc_device",
                                                                  "pgfree",
                                                                  "pgfault",
                                                                  "oom_kill",
                                                                  "pgmigrate_success",
                                                                  "pgmigrate_fail",
                                                                  "compact_migrate_scanned",
                                                                  "compact_free_scanned",
                                                                  "compact_isolated",
                                                                  "compact_stall",
                                                                  "compact_fail",
                                                                  "compact_success",
                                                                  "thp_fault_alloc",
                                                                  "thp_fault_fallback",
                                                                  "thp_split_pmd",
                                                                  "nr_tlb_local_flush_all",
                                                                  "nr_tlb_local_flush_one"};

// The mm globals (mm/page_alloc.c, mm/memblock.c, arch/x86/mm/pat/set_memory.c).
namespace mm_globals {
inline constexpr Field<std::uint64_t> max_pfn{0};         // last usable pfn + 1
inline constexpr Field<std::uint64_t> totalram_pages{8};  // _totalram_pages
inline constexpr Field<std::uint64_t> totalreserve_pages{16};
inline constexpr Field<std::uint64_t> min_free_kbytes{24};
inline constexpr Field<std::uint64_t> watermark_scale_factor{32};  // default 10
inline constexpr Field<std::uint64_t> after_bootmem{40};  // 1 once the buddy allocator owns memory
// 4k, 2M, 1G pages of the direct map
inline constexpr ArrayField<std::uint64_t, 3> direct_pages_count{48};
inline constexpr Field<LAddr> vm_area_cachep{72};  // kmem_cache of vm_area_struct
// transparent_hugepage_flags: a ThpMode (sw/kernel/boot.h).
inline constexpr Field<std::uint32_t> transparent_hugepage{80};
// The pageblock flags (zone->pageblock_flags / the sparse usemap): one byte per
// pageblock of max_pfn, the migrate type in bits 2:0 (PB_migrate), memblock-allocated.
inline constexpr Field<LAddr> pageblock_flags{88};
inline constexpr Field<std::uint64_t> nr_memmap_boot_pages{96};  // vmemmap pages from memblock
inline constexpr ArrayField<std::uint64_t, NR_VM_NODE_STAT_ITEMS> vm_node_stat{128};
inline constexpr ArrayField<std::uint64_t, NR_VM_EVENT_ITEMS> vm_events{256};
static_assert(vm_node_stat.offset + 8 * NR_VM_NODE_STAT_ITEMS <= vm_events.offset);
static_assert(vm_events.offset + 8 * NR_VM_EVENT_ITEMS <= 512);
static_assert(nr_memmap_boot_pages.offset + 8 <= vm_node_stat.offset);
inline constexpr Embedded hstates{512, 2 * 40};  // struct hstate[2] (sw/mm/hugetlb.h)
inline constexpr Field<std::uint64_t> boot_1g_count{600};
inline constexpr ArrayField<PAddr, 16> boot_1g{608};  // 1 GB pages memblock reserved
// The i386 kernel's: the end of lowmem, its virtual end, the FLATMEM struct page array.
inline constexpr Field<std::uint64_t> max_low_pfn{736};
inline constexpr Field<LAddr> high_memory{744};
inline constexpr Field<LAddr> mem_map{752};
// kmap state (mm/highmem.c): the pkmap PTE table's address, last_pkmap_nr, the
// pkmap_count[] array and the page_address hash (memblock-allocated by kmap_init), and
// the kmap_local stack depth (one CPU: the per-task kmap_ctrl.idx of the one running).
inline constexpr Field<LAddr> pkmap_page_table{760};
inline constexpr Field<std::uint32_t> last_pkmap_nr{768};
inline constexpr Field<std::uint32_t> kmap_local_idx{772};
inline constexpr Field<LAddr> pkmap_count{776};
inline constexpr Field<LAddr> page_address_htable{784};
inline constexpr Field<LAddr> page_address_maps{792};
inline constexpr Field<std::uint64_t> pkmap_flushes{800};  // flush_all_zero_pkmaps calls
// mmvp's own: the struct pages the boot's loops fast-forwarded (MemmapFastForward in
// sw/mm/mm_init_internal.h), and the cycles charged for them.
inline constexpr Field<std::uint64_t> memmap_ff_pages{808};
inline constexpr Field<std::uint64_t> memmap_ff_cycles{816};
inline constexpr unsigned kSize = 824;
}  // namespace mm_globals
static_assert(mm_globals::kSize <= 0x1000, "mm globals outgrow their .data slot");

inline const char* const (&zone_names)[kMaxZoneSlots] = zone_config.names;
// is_highmem() || ZONE_MOVABLE: zones that get SWAP_CLUSTER_MAX..128 as min watermark.
inline bool zone_is_highmem_or_movable(unsigned z) {
  return z == ZONE_MOVABLE || (zone_config.has_highmem && z == ZONE_HIGHMEM);
}
// Zone boundaries in pfns (MAX_DMA_PFN, MAX_DMA32_PFN).
inline constexpr std::uint64_t MAX_DMA_PFN = (16ULL << 20) >> PAGE_SHIFT;
inline constexpr std::uint64_t MAX_DMA32_PFN = (4ULL << 30) >> PAGE_SHIFT;

inline const LAddr& NODE_DATA = layout::PGDAT;  // NODE_DATA(0)
inline LAddr zone_addr(unsigned z) {
  return layout::PGDAT + pgdat::node_zones + z * zone::kSize;
}
inline LAddr free_area_addr(unsigned z, unsigned order) {
  return zone_addr(z) + zone::free_area + order * free_area::kSize;
}
inline const LAddr& MM_GLOBALS = layout::MM_GLOBALS;
inline LAddr free_list_addr(unsigned z, unsigned order, unsigned mt) {
  return free_area_addr(z, order) + free_area::free_list + mt * list::kSize;
}
inline LAddr pcp_addr(unsigned z) {
  return zone_addr(z) + zone::pageset;
}
inline LAddr pcp_list_addr(unsigned z, unsigned pindex) {
  return pcp_addr(z) + pcp::lists + pindex * list::kSize;
}

// Reads of zone fields (after paging is on: the kernel's .data at its virtual address).
template <typename T>
T zone_field(Kernel& k, unsigned z, Field<T> field) {
  return k.mem.get(zone_addr(z), field);
}
inline std::uint64_t zone_managed_pages(Kernel& k, unsigned z) {
  return zone_field(k, z, zone::managed_pages);
}
inline std::uint64_t zone_wmark(Kernel& k, unsigned z, zone_watermarks w) {
  return k.mem.get(zone_addr(z), zone::watermark(w)) +
         k.mem.get(zone_addr(z), zone::watermark_boost);
}
inline bool populated_zone(Kernel& k, unsigned z) {
  return zone_field(k, z, zone::present_pages) != 0;
}
inline std::uint64_t totalram_pages(Kernel& k) {
  return k.mem.get(MM_GLOBALS, mm_globals::totalram_pages);
}
inline std::uint64_t max_pfn(Kernel& k) {
  return k.mem.get(MM_GLOBALS, mm_globals::max_pfn);
}

// mod_node_page_state() / global_node_page_state(): the counters slab, vmalloc, page
// tables and kernel stacks keep for /proc/meminfo.
inline void mod_node_page_state(Kernel& k, node_stat_item item, std::int64_t delta) {
  if (item == NR_SLAB_RECLAIMABLE_B || item == NR_SLAB_UNRECLAIMABLE_B)
    delta /= static_cast<std::int64_t>(PAGE_SIZE);
  k.mem.add(MM_GLOBALS, mm_globals::vm_node_stat(item), static_cast<std::uint64_t>(delta));
}
inline std::uint64_t global_node_page_state(Kernel& k, node_stat_item item) {
  return k.mem.get(MM_GLOBALS, mm_globals::vm_node_stat(item));
}

// count_vm_event() / count_vm_events().
inline void count_vm_events(Kernel& k, vm_event_item item, std::uint64_t n) {
  k.mem.add(MM_GLOBALS, mm_globals::vm_events(item), n);
}
inline void count_vm_event(Kernel& k, vm_event_item item) {
  count_vm_events(k, item, 1);
}
inline std::uint64_t vm_event_count(Kernel& k, vm_event_item item) {
  return k.mem.get(MM_GLOBALS, mm_globals::vm_events(item));
}

// Watermarks and lowmem_reserve from the zones' managed pages (mm/page_alloc.c:
// init_per_zone_wmark_min -> setup_per_zone_wmarks, setup_per_zone_lowmem_reserve,
// calculate_totalreserve_pages). Implemented in sw/mm/watermarks.cpp.
void init_per_zone_wmark_min(Kernel& k);
// The sysctl ratios (sysctl_lowmem_reserve_ratio) and int_sqrt, for the self-tests.
inline const std::uint64_t (&sysctl_lowmem_reserve_ratio)[kMaxZoneSlots] =
    zone_config.lowmem_reserve_ratio;
std::uint64_t int_sqrt(std::uint64_t x);

}  // namespace mmvp::sw
