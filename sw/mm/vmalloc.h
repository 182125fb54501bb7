// vmalloc, vmap and ioremap (mm/vmalloc.c, arch/x86/mm/ioremap.c): virtually
// contiguous areas in [VMALLOC_START, VMALLOC_END), each with a guard page, tracked
// by vmap_area/vm_struct records (slab-allocated) in a sorted list in guest memory.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

LAddr vmalloc(Kernel& k, std::uint64_t size);
LAddr vzalloc(Kernel& k, std::uint64_t size);
void vfree(Kernel& k, LAddr addr);
// Maps `count` struct pages (an array of page addresses in guest memory at `pages`).
LAddr vmap(Kernel& k, LAddr pages, unsigned count);
void vunmap(Kernel& k, LAddr addr);
// Uncached mapping of device memory (PCD|PWT set, NX).
LAddr ioremap(Kernel& k, PAddr phys, std::uint64_t size);
void iounmap(Kernel& k, LAddr addr);
bool is_vmalloc_addr(LAddr addr);
// The physical address behind a vmalloc address, or ~0 if not mapped.
PAddr vmalloc_to_phys(Kernel& k, LAddr addr);

}  // namespace mmvp::sw
