// struct page in guest memory: one 64-byte descriptor per physical frame in the
// vmemmap array at VMEMMAP_START (pfn_to_page(pfn) = VMEMMAP_START + 64 * pfn), laid
// out like Linux's (include/linux/mm_types.h), with the union members the buddy and
// slab allocators use.
#pragma once
#include <cstdint>

#include "sw/arch/x86.h"
#include "sw/mm/guest.h"

namespace mmvp::sw::page {

inline constexpr unsigned kSize = 64;
inline constexpr Field<std::uint64_t> flags{0};      // PG_* bits below; zone index in bits 62-63
inline constexpr Field<std::int32_t> refcount{8};    // _refcount
inline constexpr Field<std::int32_t> mapcount{12};   // _mapcount (page_type for buddy pages)
inline constexpr Embedded lru{16, list::kSize};      // buddy free_area list / slab_list
inline constexpr Field<std::uint64_t> private_{32};  // buddy order while PG_buddy
inline constexpr Field<LAddr> slab_cache{40};        // the kmem_cache of a slab page (PG_slab)
inline constexpr Field<LAddr> freelist{48};          // first free object of a slab page
// An anonymous user page (PG_lru) reuses the two slab words as Linux's mapping and
// index: the mm_struct | PAGE_MAPPING_ANON (no anon_vma is modelled: a page has one
// mapper) and the user virtual page number, so rmap and migration find its PTE.
inline constexpr Field<LAddr> mapping{40};
inline constexpr Field<std::uint64_t> index{48};
inline constexpr LAddr PAGE_MAPPING_ANON = 1;
// struct slab's counters word: inuse in bits 15:0, objects in bits 31:16 (Linux packs
// inuse:16, objects:15, frozen:1 the same way), also reachable as the two halves.
inline constexpr Field<std::uint32_t> counters{56};
inline constexpr Field<std::uint16_t> inuse{56};          // objects allocated from the slab
inline constexpr Field<std::uint16_t> objects{58};        // objects in the slab
inline constexpr Field<std::uint8_t> compound_order{60};  // order of a compound (head) page
inline constexpr Field<std::uint8_t> pg_misc{61};         // free for subsystems (vmalloc etc.)
// The last eight bytes as one word, for clearing a struct page 8 bytes at a time
// (mm_zero_struct_page).
inline constexpr Field<std::uint64_t> tail_word{56};
inline constexpr unsigned counters_inuse(std::uint32_t counters) {
  return counters & 0xffff;
}
inline constexpr unsigned counters_objects(std::uint32_t counters) {
  return counters >> 16;
}
inline constexpr std::uint32_t make_counters(unsigned inuse, unsigned objects) {
  return (objects << 16) | inuse;
}

// page->flags bits.
inline constexpr std::uint64_t PG_reserved = 1ULL << 0;  // memblock-reserved, never freed
inline constexpr std::uint64_t PG_buddy = 1ULL << 1;     // free, in a buddy free list
inline constexpr std::uint64_t PG_slab = 1ULL << 2;      // owned by the slab allocator
inline constexpr std::uint64_t PG_head = 1ULL << 3;      // head of a higher-order allocation
inline constexpr std::uint64_t PG_vmalloc = 1ULL << 4;   // backs a vmalloc area
inline constexpr std::uint64_t PG_dma_busy = 1ULL << 5;  // target of an ISA DMA transfer in flight
inline constexpr std::uint64_t PG_hugetlb = 1ULL << 6;   // head of a hugetlb pool page
inline constexpr std::uint64_t PG_hugetlb_used = 1ULL << 7;  // ... mapped since boot: not zero
inline constexpr std::uint64_t PG_lru = 1ULL << 8;           // anonymous user page: movable
// The zone in the top three bits (ZONES_SHIFT 3 for five zones).
inline constexpr unsigned ZONE_SHIFT = 61;
inline constexpr std::uint64_t ZONE_MASK = 7ULL << ZONE_SHIFT;

inline LAddr pfn_to_page(std::uint64_t pfn) {
  return VMEMMAP_START + kSize * pfn;
}
inline std::uint64_t page_to_pfn(LAddr page) {
  return (page - VMEMMAP_START) / kSize;
}
inline LAddr pfn_to_virt(std::uint64_t pfn) {
  return PAGE_OFFSET + (pfn << PAGE_SHIFT);
}
inline LAddr page_to_virt(LAddr page) {
  return pfn_to_virt(page_to_pfn(page));
}
inline std::uint64_t virt_to_pfn(LAddr va) {
  return (va - PAGE_OFFSET) >> PAGE_SHIFT;
}
inline LAddr virt_to_page(LAddr va) {
  return pfn_to_page(virt_to_pfn(va));
}
inline PAddr __pa(LAddr va) {
  return va - PAGE_OFFSET;
}
inline LAddr __va(PAddr pa) {
  return pa + PAGE_OFFSET;
}

}  // namespace mmvp::sw::page
