// Page tables in guest memory (arch/x86/mm): reading and populating 4-level tables
// through the direct map, intermediate tables from the buddy allocator. Implemented
// in sw/mm/pgtable.cpp.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// Physical address of swapper_pg_dir (the kernel's PML4, layout::INIT_PGD).
PAddr init_pgd(Kernel& k);

// Maps one 4 KB page va -> pa with `flags` (pte::P | ... | pte::XD) in the tables rooted
// at pgd (physical), allocating missing intermediate tables (zeroed, GFP_KERNEL; user
// bit set on them for user addresses), counting them in *tables when given. Returns
// false if a table could not be allocated.
bool map_page(Kernel& k, PAddr pgd, LAddr va, PAddr pa, std::uint64_t flags,
              std::uint64_t* tables = nullptr);
// The physical address of va's entry at `level` (1 PTE, 2 PMD, 3 PUD) under pgd,
// allocating missing tables when `alloc` (counted in *tables); 0 if a table is missing,
// could not be allocated, or a large page is in the way above.
PAddr pgtable_entry(Kernel& k, PAddr pgd, LAddr va, unsigned level, bool alloc,
                    std::uint64_t* tables = nullptr);
// Clears the PTE for va and returns its old value (0 if none). The caller flushes.
std::uint64_t unmap_page(Kernel& k, PAddr pgd, LAddr va);
// The leaf entry mapping va (PTE, or PMD/PUD with PS), 0 if not mapped; *level = 1..3.
std::uint64_t lookup_address(Kernel& k, PAddr pgd, LAddr va, unsigned* level = nullptr);

// Above this many pages a full flush is cheaper than INVLPG each
// (tlb_single_page_flush_ceiling, arch/x86/mm/tlb.c).
inline constexpr std::uint64_t kTlbSinglePageFlushCeiling = 33;

// INVLPG every page of [start, end) (flush_tlb_kernel_range).
void flush_tlb_kernel_range(Kernel& k, LAddr start, LAddr end);
// All TLB entries including global ones (__flush_tlb_all: toggles CR4.PGE).
void flush_tlb_all(Kernel& k);

}  // namespace mmvp::sw
