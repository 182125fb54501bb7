// /proc/slabinfo, version 2.1 (mm/slab_common.c: print_slabinfo_header, slab_show,
// cache_show; mm/slub.c: get_slabinfo), read back from the kmem_cache descriptors on
// the slab_caches list, newest cache first. SLUB has no tunables: they print as 0.
#include <cstdio>
#include <string>

#include "sw/mm/slab_internal.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_slabinfo(Kernel& k) {
  RoutineScope scope(k, Routine::proc_show);
  std::string out =
      "slabinfo - version: 2.1\n"
      "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
      " : tunables <limit> <batchcount> <sharedfactor>"
      " : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
  LAddr head = SLAB_GLOBALS + slab_globals::slab_caches;
  for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) {
    LAddr s = e - kc::list;
    std::uint32_t size = k.mem.get(s, kc::size), oo = k.mem.get(s, kc::oo);
    unsigned long nr_slabs = k.mem.get(s, kc::nr_slabs);
    unsigned long nr_objs = k.mem.get(s, kc::total_objects);
    unsigned long active_objs = k.mem.get(s, kc::inuse_objects);
    char line[256];
    std::snprintf(line, sizeof line,
                  "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
                  cache_name(k, s).c_str(), active_objs, nr_objs, size, oo_objects(oo),
                  1 << oo_order(oo), 0u, 0u, 0u, nr_slabs, nr_slabs, 0ul);
    out += line;
  }
  return out;
}

}  // namespace mmvp::sw
