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
  void adjust(LAddr s, LAddr e) {
    if (s < start) start = s;
    if (e > end) end = e;
  }
  bool empty() const { return start >= end; }
};

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
// Calls visit(va, pte) for every present 4 KB PTE of [start, end) in m's tables (the
// page walk of /proc/PID/smaps: walk_page_vma).
void walk_present_ptes(Kernel& k, LAddr m, LAddr start, LAddr end,
                       const std::function<void(LAddr va, std::uint64_t pte)>& visit);
// flush_tlb_mm_range() for the current mm: INVLPG per page up to
// tlb_single_page_flush_ceiling (33) pages, else a flush of every non-global entry
// (a CR3 reload); counted as nr_tlb_local_flush_one / _all.
void tlb_finish(Kernel& k, const TlbGather& tlb);

}  // namespace mmvp::sw
