// /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print): every zone of the node, populated
// or not (Movable and Device are empty here), with the node's counters before its
// first populated zone, the zone's free pages, watermarks (with promo), spans, lowmem
// protection against every zone, and for populated zones the zone and NUMA counters,
// the per-CPU pageset (one CPU) and the vm stats threshold. No nr_bounce line: there
// are no bounce buffers (CONFIG_BOUNCE is off on x86-64 since Linux 6.x).
#include <algorithm>
#include <cstdio>

#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"
#include "sw/proc/vmstat_items.h"

namespace mmvp::sw {
namespace {

int fls(std::uint64_t x) {
  return x ? 64 - __builtin_clzll(x) : 0;
}

// calculate_normal_threshold(): the per-CPU counter drift allowed, by zone size.
int stat_threshold(std::uint64_t managed) {
  constexpr int online_cpus = 1;
  const std::uint64_t mem = managed >> (27 - PAGE_SHIFT);  // in 128 MB units
  return std::min(125, 2 * fls(online_cpus) * (1 + fls(mem)));
}

void put_items(std::string& out, const VmstatItems& items) {
  char buf[96];
  for (const auto& [name, v] : items) {
    std::snprintf(buf, sizeof buf, "\n      %-12s %llu", name, static_cast<unsigned long long>(v));
    out += buf;
  }
}

}  // namespace

std::string proc_zoneinfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  using ull = unsigned long long;
  std::string out;
  char buf[512];
  const auto node = static_cast<int>(k.mem.get(NODE_DATA, pgdat::node_id));
  bool first_populated = true;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    LAddr zn = zone_addr(z);
    const std::uint64_t present = k.mem.get(zn, zone::present_pages);
    std::snprintf(buf, sizeof buf, "Node %d, zone %8s", node, zone_names[z]);
    out += buf;
    if (present && first_populated) {  // is_zone_first_populated()
      first_populated = false;
      out += "\n  per-node stats";
      put_items(out, node_stat_items(k));
    }
    std::snprintf(buf, sizeof buf,
                  "\n  pages free     %llu"
                  "\n        boost    %llu"
                  "\n        min      %llu"
                  "\n        low      %llu"
                  "\n        high     %llu"
                  "\n        promo    %llu"
                  "\n        spanned  %llu"
                  "\n        present  %llu"
                  "\n        managed  %llu"
                  "\n        cma      0"
                  "\n        protection: (%llu",
                  static_cast<ull>(k.mem.get(zn, zone::nr_free_pages)),
                  static_cast<ull>(k.mem.get(zn, zone::watermark_boost)),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_MIN))),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_LOW))),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_HIGH))),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_PROMO))),
                  static_cast<ull>(k.mem.get(zn, zone::spanned_pages)), static_cast<ull>(present),
                  static_cast<ull>(k.mem.get(zn, zone::managed_pages)),
                  static_cast<ull>(k.mem.get(zn, zone::lowmem_reserve(0))));
    out += buf;
    for (unsigned j = 1; j < MAX_NR_ZONES; ++j) {
      std::snprintf(buf, sizeof buf, ", %llu",
                    static_cast<ull>(k.mem.get(zn, zone::lowmem_reserve(j))));
      out += buf;
    }
    out += ')';
    if (!present) {  // unpopulated: nothing else is useful
      out += '\n';
      continue;
    }
    put_items(out, zone_stat_items(k, z));
    put_items(out, numa_stat_items(k, z));
    const LAddr p = pcp_addr(z);
    std::snprintf(buf, sizeof buf,
                  "\n  pagesets"
                  "\n    cpu: 0"
                  "\n              count:    %d"
                  "\n              high:     %d"
                  "\n              batch:    %d"
                  "\n              high_min: %d"
                  "\n              high_max: %d"
                  "\n  vm stats threshold: %d"
                  "\n  node_unreclaimable:  0"
                  "\n  start_pfn:           %llu\n",
                  k.mem.get(p, pcp::count), k.mem.get(p, pcp::high), k.mem.get(p, pcp::batch),
                  k.mem.get(p, pcp::high_min), k.mem.get(p, pcp::high_max),
                  stat_threshold(k.mem.get(zn, zone::managed_pages)),
                  static_cast<ull>(k.mem.get(zn, zone::zone_start_pfn)));
    out += buf;
  }
  return out;
}

}  // namespace mmvp::sw
