// Self-tests of memblock (suite `memblock`), run on the booted kernel: the region
// arrays' invariants, the boot reservations, top-down placement, merge and split, and
// that nothing memblock reserved ever reached the buddy allocator.
#include "sw/kernel/selftest.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

// Regions sorted, disjoint and never touching (memblock_merge_regions), summing to
// total_size.
bool regions_well_formed(Kernel& k, MemblockType type, std::uint64_t total) {
  unsigned n = memblock_region_count(k, type);
  PAddr prev_end = 0;
  std::uint64_t sum = 0;
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, type, i, &base, &size);
    if (size == 0 || (i > 0 && base <= prev_end)) return false;
    prev_end = base + size;
    sum += size;
  }
  return sum == total;
}

}  // namespace

KTEST(memblock, region_arrays_are_sorted_merged_and_counted) {
  Kernel& k = t.k;
  KEXPECT(regions_well_formed(k, MemblockType::memory, memblock_phys_mem_size(k)));
  KEXPECT(regions_well_formed(k, MemblockType::reserved, memblock_reserved_size(k)));
  // RAM starts after page 0 (trim_bios_range) and ends at max_pfn.
  KEXPECT_EQ(memblock_start_of_DRAM(k), PAGE_SIZE);
  KEXPECT_EQ(memblock_end_of_DRAM(k) >> PAGE_SHIFT, max_pfn(k));
  KEXPECT(!memblock_is_memory(k, 0));
  KEXPECT(memblock_is_memory(k, 0x100000));
  KEXPECT(!memblock_is_memory(k, 0xa0000));  // the legacy VGA hole
}

KTEST(memblock, boot_reservations_and_top_down_allocations) {
  Kernel& k = t.k;
  KEXPECT(memblock_is_region_reserved(k, 0, 0x100000));
  KEXPECT(memblock_is_region_reserved(k, boot::kBootParamsPhys, PAGE_SIZE));
  KEXPECT(memblock_is_region_reserved(k, layout::KERNEL_PHYS, layout::KERNEL_IMAGE_SIZE));
  // The boot allocations (page tables, vmemmap) were taken top-down: the highest
  // reserved region ends at the top of RAM.
  unsigned n = memblock_region_count(k, MemblockType::reserved);
  PAddr base;
  std::uint64_t size;
  memblock_region_at(k, MemblockType::reserved, n - 1, &base, &size);
  KEXPECT_EQ(base + size, memblock_end_of_DRAM(k));
  // The vmemmap's first 2M block is one of them, at the top.
  unsigned level = 0;
  std::uint64_t e = lookup_address(k, init_pgd(k), VMEMMAP_START, &level);
  KEXPECT(e & pte::P);
  PAddr backing = e & pte::ADDR_MASK;
  KEXPECT(memblock_is_region_reserved(k, backing, PAGE_SIZE));
  KEXPECT(backing > memblock_end_of_DRAM(k) / 2);
}

KTEST(memblock, split_and_merge_of_reserved_regions) {
  Kernel& k = t.k;
  unsigned n = memblock_region_count(k, MemblockType::reserved);
  std::uint64_t total = memblock_reserved_size(k);
  // Re-reserving a reserved range changes nothing.
  memblock_reserve(k, 0x2000, 0x1000);
  KEXPECT_EQ(memblock_region_count(k, MemblockType::reserved), n);
  KEXPECT_EQ(memblock_reserved_size(k), total);
  // Freeing a page inside the first-MB region splits it in two; reserving it merges back.
  memblock_phys_free(k, 0x2000, 0x1000);
  KEXPECT_EQ(memblock_region_count(k, MemblockType::reserved), n + 1);
  KEXPECT_EQ(memblock_reserved_size(k), total - 0x1000);
  KEXPECT(!memblock_is_region_reserved(k, 0x2000, 0x1000));
  KEXPECT(regions_well_formed(k, MemblockType::reserved, total - 0x1000));
  memblock_reserve(k, 0x2000, 0x1000);
  KEXPECT_EQ(memblock_region_count(k, MemblockType::reserved), n);
  KEXPECT_EQ(memblock_reserved_size(k), total);
  KEXPECT(regions_well_formed(k, MemblockType::reserved, total));
}

KTEST(memblock, reserved_frames_never_reach_the_buddy_allocator) {
  Kernel& k = t.k;
  const std::uint64_t end_pfn = max_pfn(k);
  unsigned n = memblock_region_count(k, MemblockType::reserved);
  std::uint64_t checked = 0, bad = 0;
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::reserved, i, &base, &size);
    std::uint64_t first = base >> PAGE_SHIFT;
    std::uint64_t last = std::min((base + size - 1) >> PAGE_SHIFT, end_pfn - 1);
    // Every frame of small regions; every 61st (and the last) of the large vmemmap blocks.
    std::uint64_t step = last - first > 4096 ? 61 : 1;
    for (std::uint64_t pfn = first; pfn <= last;
         pfn = pfn + step > last && pfn != last ? last : pfn + step) {
      std::uint64_t flags = k.mem.get(page::pfn_to_page(pfn), page::flags);
      if (!(flags & page::PG_reserved) || (flags & page::PG_buddy)) ++bad;
      ++checked;
    }
  }
  KEXPECT(checked > 256);
  KEXPECT_EQ(bad, 0u);
}

}  // namespace mmvp::sw
