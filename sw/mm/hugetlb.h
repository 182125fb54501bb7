// hugetlbfs-style explicit huge pages (mm/hugetlb.c): pools of 2 MB and 1 GB pages
// reserved at boot (kernel.hugepages_2m, kernel.hugepages_1g), handed out by
// mmap(MAP_HUGETLB | MAP_HUGE_2MB / MAP_HUGE_1GB), reserved at mmap time as
// hugetlb_reserve_pages does and faulted in with PS in the PMD or the PUD.
#pragma once
#include <cstdint>

#include "sw/mm/mm_types.h"

namespace mmvp::sw {

// struct hstate of each size, in the mm globals.
namespace hstate {
inline constexpr Field<std::uint64_t> nr_huge_pages{0};
inline constexpr Field<std::uint64_t> free_huge_pages{8};
inline constexpr Field<std::uint64_t> resv_huge_pages{16};
inline constexpr Embedded freelist{24, list::kSize};  // hugepage_freelists, via page->lru
inline constexpr unsigned kSize = 40;
}  // namespace hstate
inline constexpr unsigned HUGETLB_SHIFTS[2] = {21, 30};  // hstate 0: 2 MB, 1: 1 GB
inline constexpr unsigned kMaxBoot1g = 16;

// alloc_bootmem_huge_page(): n 1 GB pages from memblock, 1 GB-aligned, early in boot
// (paging may be off) before other allocations fragment the top of memory. Fewer if
// memory does not allow.
void hugetlb_reserve_gigantic(Kernel& k, unsigned n);
// hugetlb_init(): the boot 1 GB pages into their pool and n2m 2 MB pages from the buddy
// allocator (order 9) into theirs; prints Linux's "HugeTLB: registered ..." lines.
void hugetlb_init(Kernel& k, unsigned n2m);

// The hstate index of a MAP_HUGETLB mmap's flags (MAP_HUGE_2MB, MAP_HUGE_1GB, or 0:
// the default 2 MB), -1 for a size with no pool.
int hstate_of_flags(std::uint64_t flags);
LAddr hstate_addr(unsigned h);
// hugetlb_reserve_pages(): reserves `pages` of hstate h for a new mapping; false when
// free pages not already reserved are fewer (-ENOMEM).
bool hugetlb_reserve(Kernel& k, unsigned h, std::uint64_t pages);
// hugetlb_fault(): maps the huge page holding addr in hugetlb VMA v of mm m from the
// pool (zeroed), consuming a reservation. False if the pool is empty.
bool hugetlb_fault(Kernel& k, LAddr m, LAddr v, LAddr addr);
// __unmap_hugepage_range(): every huge page of [start, end) in v back to its pool, and
// (release) the reservations of those never faulted given back; the cleared range joins
// tlb. start and end are aligned to v's page size. MADV_DONTNEED keeps the mapping's
// reservations (release false): a faulted page's is restored.
struct TlbGather;
void hugetlb_unmap(Kernel& k, LAddr m, LAddr v, LAddr start, LAddr end, TlbGather& tlb,
                   bool release);
// A free page of hstate h out of its pool (unreserved: kernel.user_page_size=1g takes
// its pages so), zeroed; 0 if none. hugetlb_free_page puts one back.
LAddr hugetlb_alloc_page(Kernel& k, unsigned h);
void hugetlb_free_page(Kernel& k, LAddr head);
// The hugetlb pages mapped in v, in bytes (Private_Hugetlb).
std::uint64_t hugetlb_mapped_bytes(Kernel& k, LAddr m, LAddr v);

}  // namespace mmvp::sw
