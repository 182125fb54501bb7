// Boot-time memory setup, split like Linux: arch/x86/mm/init_64.c (direct map, kernel
// image mapping, vmemmap, CR3), mm/mm_init.c (zones, memmap_init, memblock_free_all)
// and the boot log lines they print. Called in order by setup_arch_and_mm().
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// Page protections (arch/x86/include/asm/pgtable_types.h).
inline constexpr std::uint64_t PAGE_KERNEL = pte::P | pte::RW | pte::A | pte::D | pte::G | pte::XD;
inline constexpr std::uint64_t PAGE_KERNEL_RX = pte::P | pte::A | pte::G;  // text: RO, exec
inline constexpr std::uint64_t KERNPG_TABLE = pte::P | pte::RW | pte::A | pte::D;
inline constexpr std::uint64_t PAGE_TABLE = KERNPG_TABLE | pte::US;  // user page tables

// Maps [va, va + size) -> [pa, ...) in swapper_pg_dir with the largest pages (up to
// max_size) both addresses are aligned to and the range covers, `prot` on every leaf
// (PS added for large pages). Adds the number of leaves of each size to counts[4k, 2M,
// 1G] if given. Tables come from memblock (before the buddy allocator is up).
void kernel_map_range(Kernel& k, LAddr va, PAddr pa, std::uint64_t size, std::uint64_t prot,
                      PageSize max_size, std::uint64_t* counts = nullptr);

// A PUD table under every PGD slot covering [start, end] (preallocate_vmalloc_pages).
void preallocate_pgd_range(Kernel& k, LAddr start, LAddr end);

// init_mem_mapping + the kernel image + preallocate_vmalloc_pages, then CR4/EFER/CR3/
// CR0: returns with 4-level paging on, the kernel running on swapper_pg_dir.
void init_mem_mapping(Kernel& k);
// vmemmap_populate(): backs struct pages for pfns [0, max_pfn).
void vmemmap_populate(Kernel& k, std::uint64_t max_pfn);
// zone_sizes_init -> free_area_init: zone spans, present pages, free lists, the
// zonelist, memmap_init (every struct page, PG_reserved for now; with deferral, all but
// the node's last zone beyond its first section). Prints "Zone ranges".
void free_area_init(Kernel& k, bool deferred_struct_page_init = false,
                    bool memmap_fast_forward = false);
// memblock_free_all(): every free memblock range below the deferred pages into the
// buddy allocator (__free_pages_core), managed_pages and totalram_pages set.
void memblock_free_all(Kernel& k, bool fast_forward = false);
// page_alloc_init_late() -> deferred_init_memmap(): the deferred struct pages
// initialised and freed, a MAX_ORDER block at a time; "node 0 deferred pages initialised
// in Nms". Nothing without deferral.
// With fast_forward (kernel.memmap_fast_forward), memmap_init, memblock_free_all and
// deferred_init_memmap run the middle of a long loop fast-forwarded and charged at the
// rate of its first blocks (MemmapFastForward in sw/mm/mm_init_internal.h);
// mm_globals::memmap_ff_pages and memmap_ff_cycles say how many pages and how much.
void page_alloc_init_late(Kernel& k, bool fast_forward = false);
// "Memory: ...K/...K available (...)" and the virtual kernel memory layout.
void mem_init_print_info(Kernel& k);

// The i386 kernel (sw/mm/init_32.cpp). find_low_pfn_range + initmem_init: max_low_pfn
// (lowmem: what MAXMEM lets the direct map hold), high_memory, VMALLOC_START, memblock
// limited to lowmem; prints "NMB HIGHMEM available." and "NMB LOWMEM available.".
std::uint64_t find_low_pfn_range(Kernel& k, std::uint64_t max_pfn);
std::uint64_t max_low_pfn(Kernel& k);
// Page tables with PAE: the kernel PMDs, the direct map of lowmem, the pkmap and fixmap
// PTE tables; then PAE paging on, CR3 = swapper_pg_dir.
void init_mem_mapping_32(Kernel& k);
// FLATMEM's mem_map: max_pfn struct pages from memblock, in lowmem.
void alloc_node_mem_map(Kernel& k, std::uint64_t max_pfn);
// "virtual kernel memory layout:" with fixmap, pkmap, vmalloc, lowmem, .data, .text.
void print_layout_32(Kernel& k);

}  // namespace mmvp::sw
