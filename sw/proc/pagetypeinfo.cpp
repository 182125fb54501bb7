// /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show): the pageblock order, the free
// blocks of every order per migrate type (counted up to 100000 as Linux stops at, with
// ">" after), and how many pageblocks of each type every populated zone holds. No
// mixed-block census: that needs CONFIG_PAGE_OWNER.
#include <cstdio>

#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc_internal.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_pagetypeinfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  using ull = unsigned long long;
  std::string out;
  char buf[96];
  const auto node = static_cast<int>(k.mem.get(NODE_DATA, pgdat::node_id));
  std::snprintf(buf, sizeof buf, "Page block order: %u\nPages per block:  %llu\n\n",
                pageblock_order, static_cast<ull>(pageblock_nr_pages));
  out += buf;
  std::snprintf(buf, sizeof buf, "%-43s ", "Free pages count per migrate type at order");
  out += buf;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
    std::snprintf(buf, sizeof buf, "%6u ", o);
    out += buf;
  }
  out += '\n';
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!populated_zone(k, z)) continue;
    for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) {
      std::snprintf(buf, sizeof buf, "Node %4d, zone %8s, type %12s ", node, zone_names[z],
                    migratetype_names[mt]);
      out += buf;
      for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
        // pagetypeinfo_showfree_print(): the list walked, at most 100000 entries.
        const LAddr head = free_list_addr(z, o, mt);
        std::uint64_t n = 0;
        bool overflow = false;
        for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) {
          if (++n >= 100000) {
            overflow = true;
            break;
          }
        }
        std::snprintf(buf, sizeof buf, "%s%6llu ", overflow ? ">" : "", static_cast<ull>(n));
        out += buf;
      }
      out += '\n';
    }
  }
  std::snprintf(buf, sizeof buf, "\n%-23s", "Number of blocks type ");
  out += buf;
  for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) {
    std::snprintf(buf, sizeof buf, "%12s ", migratetype_names[mt]);
    out += buf;
  }
  out += '\n';
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!populated_zone(k, z)) continue;
    // pagetypeinfo_showblockcount_print(): every pageblock whose first page is in the zone.
    const LAddr zn = zone_addr(z);
    const std::uint64_t start = k.mem.get(zn, zone::zone_start_pfn);
    const std::uint64_t end = start + k.mem.get(zn, zone::spanned_pages);
    std::uint64_t count[MIGRATE_TYPES] = {};
    for (std::uint64_t pfn = start; pfn < end; pfn += pageblock_nr_pages) {
      const unsigned mt = get_pageblock_migratetype(k, pfn);
      if (mt < MIGRATE_TYPES) ++count[mt];
    }
    std::snprintf(buf, sizeof buf, "Node %d, zone %8s ", node, zone_names[z]);
    out += buf;
    for (std::uint64_t c : count) {
      std::snprintf(buf, sizeof buf, "%12llu ", static_cast<ull>(c));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

}  // namespace mmvp::sw
