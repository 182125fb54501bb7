// /proc/vmstat (mm/vmstat.c vmstat_start/vmstat_show): the zone counters summed over
// zones, the NUMA and node counters, the dirty thresholds, the memmap counters and
// the event counters, one "name value" per line, for Debian's configuration
// (CONFIG_NUMA with one node; CONFIG_DEBUG_TLBFLUSH off, so the nr_tlb_* events this
// kernel counts are in mmvp's statistics, kernel.vmstat.*, not here).
#include <algorithm>
#include <cstdio>

#include "sw/mm/hugetlb.h"
#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"
#include "sw/proc/vmstat_items.h"

namespace mmvp::sw {
namespace {

// vm_event_item names as Linux lists them; those this kernel counts map to its item.
struct EventName {
  const char* name;
  int item;  // vm_event_item, or -1 for an event never counted here
};
// A group of per-zone events (FOR_ALL_ZONES: one per zone the kernel has, named with
// the zone's suffix): PGALLOC_DMA + zone, or never counted.
constexpr int kPerZone = -2, kPerZoneNever = -3;
constexpr EventName kEvents[] = {{"pgpgin", -1},
                                 {"pgpgout", -1},
                                 {"pswpin", -1},
                                 {"pswpout", -1},
                                 {"pgalloc_", kPerZone},
                                 {"allocstall_", kPerZoneNever},
                                 {"pgskip_", kPerZoneNever},
                                 {"pgfree", PGFREE},
                                 {"pgactivate", -1},
                                 {"pgdeactivate", -1},
                                 {"pglazyfree", -1},
                                 {"pgfault", PGFAULT},
                                 {"pgmajfault", -1},
                                 {"pglazyfreed", -1},
                                 {"pgrefill", -1},
                                 {"pgreuse", -1},
                                 {"pgsteal_kswapd", -1},
                                 {"pgsteal_direct", -1},
                                 {"pgsteal_khugepaged", -1},
                                 {"pgsteal_proactive", -1},
                                 {"pgscan_kswapd", -1},
                                 {"pgscan_direct", -1},
                                 {"pgscan_khugepaged", -1},
                                 {"pgscan_proactive", -1},
                                 {"pgscan_direct_throttle", -1},
                                 {"pgscan_anon", -1},
                                 {"pgscan_file", -1},
                                 {"pgsteal_anon", -1},
                                 {"pgsteal_file", -1},
                                 {"zone_reclaim_success", -1},
                                 {"zone_reclaim_failed", -1},
                                 {"pginodesteal", -1},
                                 {"slabs_scanned", -1},
                                 {"kswapd_inodesteal", -1},
                                 {"kswapd_low_wmark_hit_quickly", -1},
                                 {"kswapd_high_wmark_hit_quickly", -1},
                                 {"pageoutrun", -1},
                                 {"pgrotated", -1},
                                 {"drop_pagecache", -1},
                                 {"drop_slab", -1},
                                 {"oom_kill", OOM_KILL},
                                 {"numa_pte_updates", -1},
                                 {"numa_huge_pte_updates", -1},
                                 {"numa_hint_faults", -1},
                                 {"numa_hint_faults_local", -1},
                                 {"numa_pages_migrated", -1},
                                 {"pgmigrate_success", PGMIGRATE_SUCCESS},
                                 {"pgmigrate_fail", PGMIGRATE_FAIL},
                                 {"thp_migration_success", -1},
                                 {"thp_migration_fail", -1},
                                 {"thp_migration_split", -1},
                                 {"compact_migrate_scanned", COMPACTMIGRATE_SCANNED},
                                 {"compact_free_scanned", COMPACTFREE_SCANNED},
                                 {"compact_isolated", COMPACTISOLATED},
                                 {"compact_stall", COMPACTSTALL},
                                 {"compact_fail", COMPACTFAIL},
                                 {"compact_success", COMPACTSUCCESS},
                                 {"compact_daemon_wake", -1},
                                 {"compact_daemon_migrate_scanned", -1},
                                 {"compact_daemon_free_scanned", -1},
                                 {"htlb_buddy_alloc_success", -1},
                                 {"htlb_buddy_alloc_fail", -1},
                                 {"unevictable_pgs_culled", -1},
                                 {"unevictable_pgs_scanned", -1},
                                 {"unevictable_pgs_rescued", -1},
                                 {"unevictable_pgs_mlocked", -1},
                                 {"unevictable_pgs_munlocked", -1},
                                 {"unevictable_pgs_cleared", -1},
                                 {"unevictable_pgs_stranded", -1},
                                 {"thp_fault_alloc", THP_FAULT_ALLOC},
                                 {"thp_fault_fallback", THP_FAULT_FALLBACK},
                                 {"thp_fault_fallback_charge", -1},
                                 {"thp_collapse_alloc", -1},
                                 {"thp_collapse_alloc_failed", -1},
                                 {"thp_file_alloc", -1},
                                 {"thp_file_fallback", -1},
                                 {"thp_file_fallback_charge", -1},
                                 {"thp_file_mapped", -1},
                                 {"thp_split_page", -1},
                                 {"thp_split_page_failed", -1},
                                 {"thp_deferred_split_page", -1},
                                 {"thp_underused_split_page", -1},
                                 {"thp_split_pmd", THP_SPLIT_PMD},
                                 {"thp_scan_exceed_none_pte", -1},
                                 {"thp_scan_exceed_swap_pte", -1},
                                 {"thp_scan_exceed_share_pte", -1},
                                 {"thp_split_pud", -1},
                                 {"thp_zero_page_alloc", -1},
                                 {"thp_zero_page_alloc_failed", -1},
                                 {"thp_swpout", -1},
                                 {"thp_swpout_fallback", -1},
                                 {"balloon_inflate", -1},
                                 {"balloon_deflate", -1},
                                 {"balloon_migrate", -1},
                                 {"swap_ra", -1},
                                 {"swap_ra_hit", -1},
                                 {"swpin_zero", -1},
                                 {"swpout_zero", -1},
                                 {"ksm_swpin_copy", -1},
                                 {"cow_ksm", -1},
                                 {"zswpin", -1},
                                 {"zswpout", -1},
                                 {"zswpwb", -1},
                                 {"direct_map_level2_splits", -1},
                                 {"direct_map_level3_splits", -1},
                                 {"direct_map_level2_collapses", -1},
                                 {"direct_map_level3_collapses", -1}};

std::uint64_t zone_free_block_pages(Kernel& k, unsigned z) {
  // NR_FREE_PAGES_BLOCKS: free pages in blocks of pageblock order and above.
  std::uint64_t n = 0;
  for (unsigned o = pageblock_order; o < NR_PAGE_ORDERS; ++o)
    n += k.mem.get(free_area_addr(z, o), free_area::nr_free) << o;
  return n;
}

}  // namespace

VmstatItems zone_stat_items(Kernel& k, unsigned z) {
  return {{"nr_free_pages", k.mem.get(zone_addr(z), zone::nr_free_pages)},
          {"nr_free_pages_blocks", zone_free_block_pages(k, z)},
          {"nr_zone_inactive_anon", 0},
          {"nr_zone_active_anon", 0},
          {"nr_zone_inactive_file", 0},
          {"nr_zone_active_file", 0},
          {"nr_zone_unevictable", 0},
          {"nr_zone_write_pending", 0},
          {"nr_mlock", 0},
          {"nr_zspages", 0},
          {"nr_free_cma", 0}};
}

VmstatItems numa_stat_items(Kernel& k, unsigned z) {
  // One node: every allocation is a hit on the preferred, local node.
  const std::uint64_t hit = k.mem.get(zone_addr(z), zone::numa_hit);
  return {{"numa_hit", hit},      {"numa_miss", 0},    {"numa_foreign", 0},
          {"numa_interleave", 0}, {"numa_local", hit}, {"numa_other", 0}};
}

VmstatItems node_stat_items(Kernel& k) {
  const std::uint64_t anon = global_node_page_state(k, NR_ANON_MAPPED);
  const std::uint64_t hugetlb = k.mem.get(hstate_addr(0), hstate::nr_huge_pages) * 512 +
                                k.mem.get(hstate_addr(1), hstate::nr_huge_pages) * 512 * 512;
  // New anonymous pages go to the inactive anon LRU; with no reclaim none is activated.
  return {{"nr_inactive_anon", anon},
          {"nr_active_anon", 0},
          {"nr_inactive_file", 0},
          {"nr_active_file", 0},
          {"nr_unevictable", 0},
          {"nr_slab_reclaimable", global_node_page_state(k, NR_SLAB_RECLAIMABLE_B)},
          {"nr_slab_unreclaimable", global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B)},
          {"nr_isolated_anon", 0},
          {"nr_isolated_file", 0},
          {"workingset_nodes", 0},
          {"workingset_refault_anon", 0},
          {"workingset_refault_file", 0},
          {"workingset_activate_anon", 0},
          {"workingset_activate_file", 0},
          {"workingset_restore_anon", 0},
          {"workingset_restore_file", 0},
          {"workingset_nodereclaim", 0},
          {"nr_anon_pages", anon},
          {"nr_mapped", 0},
          {"nr_file_pages", 0},
          {"nr_dirty", 0},
          {"nr_writeback", 0},
          {"nr_shmem", 0},
          {"nr_shmem_hugepages", 0},
          {"nr_shmem_pmdmapped", 0},
          {"nr_file_hugepages", 0},
          {"nr_file_pmdmapped", 0},
          {"nr_anon_transparent_hugepages", global_node_page_state(k, NR_ANON_THPS) / 512},
          {"nr_vmscan_write", 0},
          {"nr_vmscan_immediate_reclaim", 0},
          {"nr_dirtied", 0},
          {"nr_written", 0},
          {"nr_throttled_written", 0},
          {"nr_kernel_misc_reclaimable", 0},
          {"nr_foll_pin_acquired", 0},
          {"nr_foll_pin_released", 0},
          {"nr_kernel_stack", global_node_page_state(k, NR_KERNEL_STACK_KB)},
          {"nr_page_table_pages", global_node_page_state(k, NR_PAGETABLE)},
          {"nr_sec_page_table_pages", 0},
          {"nr_iommu_pages", 0},
          {"nr_swapcached", 0},
          {"pgpromote_success", 0},
          {"pgpromote_candidate", 0},
          {"pgpromote_candidate_nrl", 0},
          {"pgdemote_kswapd", 0},
          {"pgdemote_direct", 0},
          {"pgdemote_khugepaged", 0},
          {"pgdemote_proactive", 0},
          {"nr_hugetlb", hugetlb},
          {"nr_balloon_pages", 0},
          {"nr_kernel_file_pages", 0}};
}

std::string proc_vmstat(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  std::string out;
  char buf[96];
  auto put = [&](const char* name, std::uint64_t v) {
    std::snprintf(buf, sizeof buf, "%s %llu\n", name, static_cast<unsigned long long>(v));
    out += buf;
  };
  // Zone and NUMA items are summed over the zones (global_zone_page_state).
  auto summed = [&](VmstatItems (*items)(Kernel&, unsigned)) {
    VmstatItems sum = items(k, 0);
    for (unsigned z = 1; z < MAX_NR_ZONES; ++z) {
      const VmstatItems more = items(k, z);
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i].second += more[i].second;
    }
    return sum;
  };
  const VmstatItems zones = summed(zone_stat_items);
  for (const auto& [name, v] : zones) put(name, v);
  for (const auto& [name, v] : summed(numa_stat_items)) put(name, v);
  for (const auto& [name, v] : node_stat_items(k)) put(name, v);
  // global_dirty_limits(): vm_dirty_ratio 20 and dirty_background_ratio 10 of the
  // dirtyable memory (free pages above the reserves; no page cache).
  const std::uint64_t free = zones[0].second;
  const std::uint64_t reserve = k.mem.get(MM_GLOBALS, mm_globals::totalreserve_pages);
  const std::uint64_t available = (free > reserve ? free - reserve : 0) + 1;
  constexpr std::uint64_t kDirtyRatio = 20 * PAGE_SIZE / 100,
                          kBackgroundRatio = 10 * PAGE_SIZE / 100;
  put("nr_dirty_threshold", kDirtyRatio * available / PAGE_SIZE);
  put("nr_dirty_background_threshold", kBackgroundRatio * available / PAGE_SIZE);
  put("nr_memmap_pages", 0);
  put("nr_memmap_boot_pages", k.mem.get(MM_GLOBALS, mm_globals::nr_memmap_boot_pages));
  for (const EventName& e : kEvents) {
    if (e.item == kPerZone || e.item == kPerZoneNever) {
      for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
        put((std::string(e.name) + zone_config.event_names[z]).c_str(),
            e.item == kPerZone ? vm_event_count(k, static_cast<vm_event_item>(PGALLOC_DMA + z))
                               : 0);
      continue;
    }
    put(e.name, e.item < 0 ? 0 : vm_event_count(k, static_cast<vm_event_item>(e.item)));
  }
  put("nr_unstable", 0);
  return out;
}

}  // namespace mmvp::sw
