// vmalloc, vmap and ioremap (mm/vmalloc.c, arch/x86/mm/ioremap.c): virtually
// contiguous areas in [VMALLOC_START, VMALLOC_END), each with a guard page, tracked
// by vmap_area/vm_struct records (slab-allocated) in a sorted list in guest memory.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// vm_struct->flags (include/linux/vmalloc.h).
inline constexpr std::uint64_t VM_IOREMAP = 0x1;  // ioremap() and friends
inline constexpr std::uint64_t VM_ALLOC = 0x2;    // vmalloc()
inline constexpr std::uint64_t VM_MAP = 0x4;      // vmap()ed pages

// Sets up the vmap area list (vmalloc_init), after kmem_cache_init.
void vmalloc_init(Kernel& k);

// `caller` names the kernel function asking for the area: as Linux, the vm_struct
// records a return address in it (sw/kernel/kallsyms.h) and /proc/vmallocinfo prints
// it with %pS ("vmalloc_tour+0xad/0x100").
LAddr vmalloc(Kernel& k, std::uint64_t size, const char* caller = "vmalloc");
LAddr vzalloc(Kernel& k, std::uint64_t size, const char* caller = "vzalloc");
// __vmalloc_node(): `align`-aligned (a power of two, at least a page).
LAddr __vmalloc_node(Kernel& k, std::uint64_t size, std::uint64_t align, gfp_t gfp,
                     const char* caller);
void vfree(Kernel& k, LAddr addr);
// Maps `count` struct pages (an array of page addresses in guest memory at `pages`).
LAddr vmap(Kernel& k, LAddr pages, unsigned count, const char* caller = "vmap");
void vunmap(Kernel& k, LAddr addr);
// Uncached mapping of device memory (PCD|PWT set, NX). Refuses (returns 0) a range
// holding usable RAM. The returned address keeps phys's offset within its page.
LAddr ioremap(Kernel& k, PAddr phys, std::uint64_t size, const char* caller = "ioremap");
void iounmap(Kernel& k, LAddr addr);
bool is_vmalloc_addr(LAddr addr);
// The physical address behind a vmalloc address, or ~0 if not mapped.
PAddr vmalloc_to_phys(Kernel& k, LAddr addr);

// Pages allocated by vmalloc now (vmalloc_nr_pages(): /proc/meminfo VmallocUsed).
std::uint64_t vmalloc_nr_pages(Kernel& k);
// Pages whose TLB entries the vunmap paths (vfree, vunmap, iounmap) have flushed
// since boot (each with INVLPG, or by a full flush above the single-page ceiling).
std::uint64_t vmap_flushed_pages(Kernel& k);

}  // namespace mmvp::sw
