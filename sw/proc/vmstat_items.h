// The counters /proc/vmstat and /proc/zoneinfo print (mm/vmstat.c vmstat_text), in
// Linux 6.18's order for Debian's configuration, each with its value from the kernel's
// counters in guest memory (0 for what this kernel has no source of: page cache,
// swap, reclaim, NUMA, memcg).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

using VmstatItems = std::vector<std::pair<const char*, std::uint64_t>>;

// enum zone_stat_item of zone z.
VmstatItems zone_stat_items(Kernel& k, unsigned z);
// enum numa_stat_item of zone z (CONFIG_NUMA, one node: hits and local allocations).
VmstatItems numa_stat_items(Kernel& k, unsigned z);
// enum node_stat_item of node 0 (the zoneinfo "per-node stats" block).
VmstatItems node_stat_items(Kernel& k);

}  // namespace mmvp::sw
