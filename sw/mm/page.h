// struct page in guest memory: one 64-byte descriptor per physical frame in the
// vmemmap array at VMEMMAP_START (pfn_to_page(pfn) = VMEMMAP_START + 64 * pfn), laid
// out like Linux's (include/linux/mm_types.h), with the union members the buddy and
// slab allocators use.
#pragma once
#include <cstdint>

#include "sw/arch/x86.h"

namespace mmvp::sw::page {

inline constexpr unsigned kSize = 64;
// Field offsets.
inline constexpr unsigned flags = 0;            // u64: PG_* bits below; zone index in bits 62-63
inline constexpr unsigned refcount = 8;         // s32 _refcount
inline constexpr unsigned mapcount = 12;        // s32 _mapcount (page_type for buddy pages)
inline constexpr unsigned lru = 16;             // list_head: buddy free_area list / slab_list
inline constexpr unsigned private_ = 32;        // u64: buddy order while PG_buddy
inline constexpr unsigned slab_cache = 40;      // u64: the kmem_cache of a slab page (PG_slab)
inline constexpr unsigned freelist = 48;        // u64: first free object of a slab page
inline constexpr unsigned inuse = 56;           // u16: objects allocated from the slab
inline constexpr unsigned objects = 58;         // u16: objects in the slab
inline constexpr unsigned compound_order = 60;  // u8: order of a compound (head) page
inline constexpr unsigned pg_misc = 61;         // u8: free for subsystems (vmalloc etc.)

// page->flags bits.
inline constexpr std::uint64_t PG_reserved = 1ULL << 0;  // memblock-reserved, never freed
inline constexpr std::uint64_t PG_buddy = 1ULL << 1;     // free, in a buddy free list
inline constexpr std::uint64_t PG_slab = 1ULL << 2;      // owned by the slab allocator
inline constexpr std::uint64_t PG_head = 1ULL << 3;      // head of a higher-order allocation
inline constexpr std::uint64_t PG_vmalloc = 1ULL << 4;   // backs a vmalloc area
inline constexpr std::uint64_t PG_dma_busy = 1ULL << 5;  // target of an ISA DMA transfer in flight
inline constexpr unsigned ZONE_SHIFT = 62;

inline constexpr LAddr pfn_to_page(std::uint64_t pfn) {
  return VMEMMAP_START + kSize * pfn;
}
inline constexpr std::uint64_t page_to_pfn(LAddr page) {
  return (page - VMEMMAP_START) / kSize;
}
inline constexpr LAddr pfn_to_virt(std::uint64_t pfn) {
  return PAGE_OFFSET + (pfn << PAGE_SHIFT);
}
inline constexpr LAddr page_to_virt(LAddr page) {
  return pfn_to_virt(page_to_pfn(page));
}
inline constexpr std::uint64_t virt_to_pfn(LAddr va) {
  return (va - PAGE_OFFSET) >> PAGE_SHIFT;
}
inline constexpr LAddr virt_to_page(LAddr va) {
  return pfn_to_page(virt_to_pfn(va));
}
inline constexpr PAddr __pa(LAddr va) {
  return va - PAGE_OFFSET;
}
inline constexpr LAddr __va(PAddr pa) {
  return pa + PAGE_OFFSET;
}

}  // namespace mmvp::sw::page
