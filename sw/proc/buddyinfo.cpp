// /proc/buddyinfo (mm/vmstat.c frag_show_print): free blocks per order of every
// populated zone, read from the zones' free_area[] in guest memory.
#include <cstdio>

#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_buddyinfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  std::string out;
  char buf[32];
  const auto node = static_cast<int>(k.mem.get(NODE_DATA, pgdat::node_id));
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!populated_zone(k, z)) continue;  // walk_zones_in_node(assert_populated)
    std::snprintf(buf, sizeof buf, "Node %d, zone %8s ", node, zone_names[z]);
    out += buf;
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
      std::snprintf(
          buf, sizeof buf, "%6llu ",
          static_cast<unsigned long long>(k.mem.get(free_area_addr(z, o), free_area::nr_free)));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

}  // namespace mmvp::sw
