// Boot-time entry into the buddy allocator (mm/internal.h), for memblock_free_all.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// __free_pages_core(): hands the 2^order pages at pfn (zone z, still PG_reserved from
// memmap_init) to the buddy allocator and adds them to the zone's managed pages.
void __free_pages_core(Kernel& k, std::uint64_t pfn, unsigned z, unsigned order);

}  // namespace mmvp::sw
