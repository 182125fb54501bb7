// /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print): every zone of the node with its
// free pages, watermarks, spans, lowmem protection and zone counters, read from struct
// zone in guest memory. Per-node stats and per-cpu pagesets are not modelled and left out.
#include <cstdio>

#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_zoneinfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  using ull = unsigned long long;
  std::string out;
  char buf[512];
  const auto node = static_cast<int>(k.mem.get(NODE_DATA, pgdat::node_id));
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    LAddr zn = zone_addr(z);
    const std::uint64_t free = k.mem.get(zn, zone::nr_free_pages);
    const std::uint64_t present = k.mem.get(zn, zone::present_pages);
    std::snprintf(buf, sizeof buf,
                  "Node %d, zone %8s"
                  "\n  pages free     %llu"
                  "\n        boost    %llu"
                  "\n        min      %llu"
                  "\n        low      %llu"
                  "\n        high     %llu"
                  "\n        spanned  %llu"
                  "\n        present  %llu"
                  "\n        managed  %llu"
                  "\n        cma      0"
                  "\n        protection: (%llu",
                  node, zone_names[z], static_cast<ull>(free),
                  static_cast<ull>(k.mem.get(zn, zone::watermark_boost)),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_MIN))),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_LOW))),
                  static_cast<ull>(k.mem.get(zn, zone::watermark(WMARK_HIGH))),
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
    // Zone counters (enum zone_stat_item); only NR_FREE_PAGES is non-zero here.
    static constexpr const char* kZoneStats[] = {"nr_zone_inactive_anon",
                                                 "nr_zone_active_anon",
                                                 "nr_zone_inactive_file",
                                                 "nr_zone_active_file",
                                                 "nr_zone_unevictable",
                                                 "nr_zone_write_pending",
                                                 "nr_mlock",
                                                 "nr_bounce",
                                                 "nr_zspages",
                                                 "nr_free_cma"};
    std::snprintf(buf, sizeof buf, "\n      %-12s %llu", "nr_free_pages", static_cast<ull>(free));
    out += buf;
    for (const char* name : kZoneStats) {
      std::snprintf(buf, sizeof buf, "\n      %-12s 0", name);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "\n  node_unreclaimable:  0\n  start_pfn:           %llu\n",
                  static_cast<ull>(k.mem.get(zn, zone::zone_start_pfn)));
    out += buf;
  }
  return out;
}

}  // namespace mmvp::sw
