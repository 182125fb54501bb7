// HIGHMEM on the i386 kernel (mm/highmem.c, arch/x86/mm/highmem_32.c): memory above
// max_low_pfn has no direct mapping, so the kernel maps a page to reach it:
//  - kmap() / kunmap(): a slot of the permanent kmap area (LAST_PKMAP PTEs at
//    PKMAP_BASE), counted in pkmap_count[]; a page keeps its slot while mapped, found
//    again through the page_address hash. When the slots run out,
//    flush_all_zero_pkmaps() clears every unused one and flushes the TLB (global: the
//    mappings are PAGE_KERNEL, global).
//  - kmap_local_page() / kunmap_local() (and kmap_atomic): a fixmap slot of the CPU
//    (FIX_KMAP_BEGIN + stack depth), its PTE written on map and cleared on unmap with
//    an INVLPG of that one address.
// A lowmem page needs neither: its direct-map address is returned. On x86-64 no page is
// highmem and these reduce to page_address.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// PageHighMem(): the page's zone is ZONE_HIGHMEM.
bool PageHighMem(Kernel& k, LAddr page);
// page_address(): the kernel virtual address of a page, 0 for a highmem page kmap has
// not mapped.
LAddr page_address(Kernel& k, LAddr page);
// kmap_init(): pkmap_count[], the page_address hash and its map entries (memblock),
// the pkmap PTE table's and the kmap_local PTEs' addresses. Boot, i386 only.
void kmap_init(Kernel& k);
LAddr kmap(Kernel& k, LAddr page);
void kunmap(Kernel& k, LAddr page);
LAddr kmap_local_page(Kernel& k, LAddr page);
void kunmap_local(Kernel& k, LAddr vaddr);
// kmap_atomic() / kunmap_atomic(): since Linux 5.11 a kmap_local that also disables
// preemption and page faults, neither of which exists on this one CPU.
inline LAddr kmap_atomic(Kernel& k, LAddr page) {
  return kmap_local_page(k, page);
}
inline void kunmap_atomic(Kernel& k, LAddr vaddr) {
  kunmap_local(k, vaddr);
}
// clear_highpage() / copy_highpage(): through kmap_local for highmem pages.
void clear_highpage(Kernel& k, LAddr page);
// Zeroes n consecutive pages from `page` (kernel_init_pages, clear_huge_page): highmem
// ones one clear_highpage each, lowmem ones in one pass over the direct map.
void clear_highpages(Kernel& k, LAddr page, std::uint64_t n);
void copy_highpage(Kernel& k, LAddr to, LAddr from);

}  // namespace mmvp::sw
