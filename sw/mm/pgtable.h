// Page tables in guest memory (arch/x86/mm): reading and populating 4-level tables
// through the direct map, intermediate tables from the buddy allocator. Implemented
// in sw/mm/pgtable.cpp.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// A page-table entry at `slot`, of the build's width (8 bytes; 4 with i386's 2-level
// paging, where bit 63, XD, does not exist and is dropped on a write).
inline std::uint64_t pt_get(Guest& g, LAddr slot) {
  return kernel_layout.pte_bytes == 8 ? g.r64(slot) : g.r32(slot);
}
inline void pt_set(Guest& g, LAddr slot, std::uint64_t entry) {
  if (kernel_layout.pte_bytes == 8)
    g.w64(slot, entry);
  else
    g.w32(slot, static_cast<std::uint32_t>(entry));
}
// The slot of va's entry in `table` (a virtual address) at `level`.
inline LAddr pt_slot(LAddr table, LAddr va, unsigned level) {
  return table + kernel_layout.pte_bytes * pt_index(va, level);
}

// The top-level table: how many entries it has (PML4 512; PAE's PDPT 4; the 2-level PGD
// 1024) and the first that is the kernel's (KERNEL_PGD_BOUNDARY; on x86-64 the kernel
// half, 256), which every process's table copies from swapper_pg_dir.
inline unsigned ptrs_per_pgd() {
  return PGTABLE_LEVELS == 3 ? 4 : 1u << kernel_layout.pt_index_bits;
}
inline unsigned kernel_pgd_boundary() {
  return PGTABLE_LEVELS == 4 ? 256 : pt_index(PAGE_OFFSET, PGTABLE_LEVELS);
}

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
