// /proc/meminfo (fs/proc/meminfo.c meminfo_proc_show, arch_report_meminfo): totals
// from the zones and mm globals in guest memory, slab/vmalloc/page-table counters from
// the node vm counters, the direct map's page sizes from the counts paging_init kept.
#include <cstdio>
#include <cstring>

#include "sw/mm/hugetlb.h"
#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

using ull = unsigned long long;

// show_val_kb(): the label padded to 16 columns (or one space after a longer one), the
// value right-aligned to column 24 (wider numbers push on), " kB".
void show(std::string& out, const char* label, std::uint64_t value, bool kb = true) {
  char buf[96];
  int label_width = std::max(16, static_cast<int>(std::strlen(label)) + 1);
  std::snprintf(buf, sizeof buf, "%-*s%*llu%s\n", label_width, label, 24 - label_width,
                static_cast<ull>(value), kb ? " kB" : "");
  out += buf;
}

}  // namespace

std::string proc_meminfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  auto kb = [](std::uint64_t pages) { return pages << (PAGE_SHIFT - 10); };
  const std::uint64_t totalram = totalram_pages(k);
  std::uint64_t free = 0, wmark_low = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    free += k.mem.get(zone_addr(z), zone::nr_free_pages);
    wmark_low += k.mem.get(zone_addr(z), zone::watermark(WMARK_LOW));
  }
  const std::uint64_t sreclaimable = global_node_page_state(k, NR_SLAB_RECLAIMABLE_B);
  const std::uint64_t sunreclaim = global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B);
  // si_mem_available(): free pages minus the reserves, plus the part of reclaimable
  // slab that can be had (no page cache here).
  auto available = static_cast<std::int64_t>(free) -
                   static_cast<std::int64_t>(k.mem.get(MM_GLOBALS, mm_globals::totalreserve_pages));
  available += static_cast<std::int64_t>(sreclaimable - std::min(sreclaimable / 2, wmark_low));
  if (available < 0) available = 0;

  std::string out;
  show(out, "MemTotal:", kb(totalram));
  show(out, "MemFree:", kb(free));
  show(out, "MemAvailable:", kb(static_cast<std::uint64_t>(available)));
  // The LRU lists: new anonymous pages sit on the inactive anon list (with no reclaim,
  // none is ever activated); there is no page cache.
  const std::uint64_t inactive_anon = kb(global_node_page_state(k, NR_ANON_MAPPED));
  for (const char* l : {"Buffers:", "Cached:", "SwapCached:", "Active:"}) show(out, l, 0);
  show(out, "Inactive:", inactive_anon);
  show(out, "Active(anon):", 0);
  show(out, "Inactive(anon):", inactive_anon);
  for (const char* l : {"Active(file):", "Inactive(file):", "Unevictable:", "Mlocked:"})
    show(out, l, 0);
  if (zone_config.has_highmem) {
    // CONFIG_HIGHMEM (si_meminfo): totalhigh_pages and nr_free_highpages.
    const std::uint64_t high_total = zone_managed_pages(k, ZONE_HIGHMEM);
    const std::uint64_t high_free = k.mem.get(zone_addr(ZONE_HIGHMEM), zone::nr_free_pages);
    show(out, "HighTotal:", kb(high_total));
    show(out, "HighFree:", kb(high_free));
    show(out, "LowTotal:", kb(totalram - high_total));
    show(out, "LowFree:", kb(free - high_free));
  }
  for (const char* l : {"SwapTotal:", "SwapFree:", "Zswap:", "Zswapped:", "Dirty:", "Writeback:"})
    show(out, l, 0);
  show(out, "AnonPages:", kb(global_node_page_state(k, NR_ANON_MAPPED)));
  for (const char* l : {"Mapped:", "Shmem:"}) show(out, l, 0);
  show(out, "KReclaimable:", kb(sreclaimable));
  show(out, "Slab:", kb(sreclaimable + sunreclaim));
  show(out, "SReclaimable:", kb(sreclaimable));
  show(out, "SUnreclaim:", kb(sunreclaim));
  show(out, "KernelStack:", global_node_page_state(k, NR_KERNEL_STACK_KB));
  show(out, "PageTables:", kb(global_node_page_state(k, NR_PAGETABLE)));
  for (const char* l : {"SecPageTables:", "NFS_Unstable:", "Bounce:", "WritebackTmp:"})
    show(out, l, 0);
  show(out, "CommitLimit:", kb(totalram * 50 / 100));  // vm_commit_limit(), overcommit_ratio 50
  show(out, "Committed_AS:", 0);
  show(out, "VmallocTotal:", (VMALLOC_END - VMALLOC_START) >> 10);
  show(out, "VmallocUsed:", kb(global_node_page_state(k, NR_VMALLOC)));
  show(out, "VmallocChunk:", 0);
  for (const char* l : {"Percpu:", "HardwareCorrupted:"}) show(out, l, 0);
  show(out, "AnonHugePages:", kb(global_node_page_state(k, NR_ANON_THPS)));
  for (const char* l : {"ShmemHugePages:", "ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:"})
    show(out, l, 0);
  // hugetlb_report_meminfo(): the default (2 MB) pool's counts, and every pool's bytes.
  const LAddr h2m = hstate_addr(0), h1g = hstate_addr(1);
  show(out, "HugePages_Total:", k.mem.get(h2m, hstate::nr_huge_pages), false);
  show(out, "HugePages_Free:", k.mem.get(h2m, hstate::free_huge_pages), false);
  show(out, "HugePages_Rsvd:", k.mem.get(h2m, hstate::resv_huge_pages), false);
  show(out, "HugePages_Surp:", 0, false);
  show(out, "Hugepagesize:", 2048);
  show(out, "Hugetlb:",
       k.mem.get(h2m, hstate::nr_huge_pages) * 2048 +
           k.mem.get(h1g, hstate::nr_huge_pages) * (1u << 20));
  show(out, "DirectMap4k:", k.mem.get(MM_GLOBALS, mm_globals::direct_pages_count(0)) << 2);
  if (PMD_SHIFT == 22)  // 32-bit paging without PAE: 4 MB pages
    show(out, "DirectMap4M:", k.mem.get(MM_GLOBALS, mm_globals::direct_pages_count(1)) << 12);
  else
    show(out, "DirectMap2M:", k.mem.get(MM_GLOBALS, mm_globals::direct_pages_count(1)) << 11);
  if (!kernel_layout.x86_32)  // direct_gbpages: 64-bit only
    show(out, "DirectMap1G:", k.mem.get(MM_GLOBALS, mm_globals::direct_pages_count(2)) << 20);
  return out;
}

}  // namespace mmvp::sw
