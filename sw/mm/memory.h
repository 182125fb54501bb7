// A process's page tables over ranges (mm/memory.c, mm/mprotect.c, arch/x86/mm/tlb.c):
// demand paging, tearing down mapped pages, freeing page-table pages, changing
// protections and flushing the TLB as Linux's mmu_gather does.
#pragma once
#include <cstdint>
#include <functional>

#include "sw/mm/mm_types.h"

namespace mmvp::sw {

// vm_get_page_prot(): the PTE bits of a page in a VMA with vm_flags (x86
// protection_map): present and user, writable with VM_WRITE, XD without VM_EXEC;
// supervisor-only for PROT_NONE.
std::uint64_t vm_page_prot(std::uint64_t vm_flags);

// The range of TLB entries a change made stale (struct mmu_gather's start/end): what
// flush_tlb_mm_range must invalidate. Empty (start >= end) when nothing changed.
struct TlbGather {
  LAddr start = ~LAddr{0};
  LAddr end = 0;
  unsigned shift = 63;  // the smallest page size changed (tlb_get_unmap_shift)
  void adjust(LAddr s, LAddr e, unsigned page_shift = 12) {
    if (s < start) start = s;
    if (e > end) end = e;
    if (page_shift < shift) shift = page_shift;
  }
  void adjust_huge(LAddr s, LAddr e) { adjust(s, e, 21); }
  bool empty() const { return start >= end; }
};

// thp_vma_allowable_orders(): whether a fault at addr in VMA v may take a 2 MB page,
// by kernel.thp (always: unless MADV_NOHUGEPAGE; madvise: only after MADV_HUGEPAGE;
// never) for an anonymous VMA that covers addr's whole 2 MB-aligned range; under
// kernel.user_page_size=2m for any fault (a file mapping's pages are demand-zeroed too).
bool thp_vma_allowable(Kernel& k, LAddr v, LAddr addr);
// do_huge_pmd_anonymous_page(): maps a zeroed 2 MB page (order 9 from the buddy
// allocator, PS in the PMD) over addr's 2 MB-aligned range, which the caller checked the
// VMA covers. False when a PTE table is there already or no 2 MB block is free
// (thp_fault_fallback): the caller falls back to 4 KB.
bool do_huge_pmd_anonymous_page(Kernel& k, LAddr t, LAddr m, LAddr v, LAddr addr);
// do_anonymous_page(): maps a zeroed page at addr's page in VMA v of mm m (the faulting
// task t's). False if no page or page table could be allocated.
bool do_anonymous_page(Kernel& k, LAddr t, LAddr m, LAddr v, LAddr addr);

// unmap_page_range(): clears every PTE of [start, end), returning the pages to the
// buddy allocator (rss and AnonPages drop); the cleared range joins tlb.
void zap_page_range(Kernel& k, LAddr m, LAddr start, LAddr end, TlbGather& tlb);
// free_pgd_range(): frees the page-table pages that map only [start, end), given that
// nothing is mapped in [floor, start) and [end, ceiling) (ceiling 0: the top).
void free_pgd_range(Kernel& k, LAddr m, LAddr start, LAddr end, LAddr floor, LAddr ceiling,
                    TlbGather& tlb);
// change_protection(): rewrites the present PTEs of [start, end) for vm_flags.
void change_protection(Kernel& k, LAddr m, LAddr start, LAddr end, std::uint64_t vm_flags,
                       TlbGather& tlb);
// Calls visit(va, entry, level) for every present leaf of [start, end) in m's tables:
// 4 KB PTEs (level 1) and 2 MB PMD leaves (level 2, va 2 MB-aligned) (the page walk of
// /proc/PID/smaps: walk_page_vma).
void walk_present_ptes(
    Kernel& k, LAddr m, LAddr start, LAddr end,
    const std::function<void(LAddr va, std::uint64_t entry, unsigned level)>& visit);
// flush_tlb_mm_range() for m, the current mm: a new TLB generation (inc_mm_tlb_gen),
// then INVLPG per page up to tlb_single_page_flush_ceiling (33) pages, else a flush of
// the mm's non-global entries (a CR3 reload: its PCID's with PCIDs on); counted as
// nr_tlb_local_flush_one / _all.
void tlb_finish(Kernel& k, LAddr m, const TlbGather& tlb);

}  // namespace mmvp::sw
