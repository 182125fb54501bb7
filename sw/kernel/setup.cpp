// setup_arch() and mm_core_init() for the memory side (arch/x86/kernel/setup.c,
// arch/x86/kernel/e820.c, init/main.c): the e820 map from the zero page, memblock and
// its boot reservations, the kernel page tables and the switch to paging, vmemmap,
// zones, and the buddy allocator with its watermarks. Entered with paging off.
#include <cstdio>

#include "sw/kernel/boot.h"
#include "sw/kernel/layout.h"
#include "sw/mm/highmem.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"

namespace mmvp::sw {
namespace {

using ull = unsigned long long;

// max_arch_pfn: MAX_PHYSMEM_BITS = 46 with 4-level paging, 36 with i386's PAE
// (HIGHMEM64G: 64 GB), 32 without PAE (HIGHMEM4G: 4 GB).
std::uint64_t max_arch_pfn() {
  const unsigned bits = !kernel_layout.x86_32 ? 46 : PGTABLE_LEVELS == 3 ? 36 : 32;
  return 1ULL << (bits - PAGE_SHIFT);
}

struct E820Entry {
  std::uint64_t addr, size;
  std::uint32_t type;
};

unsigned e820_count(Kernel& k) {
  return k.mem.r8(early_phys(k, boot::kBootParamsPhys + boot::kE820EntriesOffset));
}
E820Entry e820_entry(Kernel& k, unsigned i) {
  LAddr e =
      early_phys(k, boot::kBootParamsPhys + boot::kE820TableOffset + i * boot::kE820EntryBytes);
  return {k.mem.r64(e), k.mem.r64(e + 8), k.mem.r32(e + 16)};
}

const char* e820_type_name(std::uint32_t type) {
  switch (type) {
    case 1:
      return "usable";
    case 2:
      return "reserved";
    case 3:
      return "ACPI data";
    case 4:
      return "ACPI NVS";
    case 5:
      return "unusable";
    case 7:
      return "persistent (type 7)";
    default:
      return nullptr;
  }
}

// e820__print_table("BIOS-e820").
void e820_print_table(Kernel& k, unsigned count) {
  k.printk("BIOS-provided physical RAM map:");
  for (unsigned i = 0; i < count; ++i) {
    E820Entry e = e820_entry(k, i);
    char line[128];
    const char* name = e820_type_name(e.type);
    char other[24];
    if (!name) {
      std::snprintf(other, sizeof other, "type %u", e.type);
      name = other;
    }
    std::snprintf(line, sizeof line, "BIOS-e820: [mem 0x%016llx-0x%016llx] %s",
                  static_cast<ull>(e.addr), static_cast<ull>(e.addr + e.size - 1), name);
    k.printk(line);
  }
}

// e820__memblock_setup() after trim_bios_range(): usable RAM into memblock.memory,
// without page 0 (which Linux turns into reserved, e820__range_update). Returns the
// end of RAM in pfns (e820__end_of_ram_pfn).
std::uint64_t e820_memblock_setup(Kernel& k, unsigned count) {
  k.printk("e820: update [mem 0x00000000-0x00000fff] usable ==> reserved");
  std::uint64_t last_pfn = 0;
  for (unsigned i = 0; i < count; ++i) {
    E820Entry e = e820_entry(k, i);
    if (e.type != boot::E820_RAM || e.size == 0) continue;
    std::uint64_t start = std::max<std::uint64_t>(e.addr, PAGE_SIZE);
    std::uint64_t end = e.addr + e.size;
    if (end <= start) continue;
    memblock_add(k, start, end - start);
    last_pfn = std::max(last_pfn, end >> PAGE_SHIFT);
  }
  last_pfn = std::min(last_pfn, max_arch_pfn());
  char line[96];
  std::snprintf(line, sizeof line, "last_pfn = 0x%llx max_arch_pfn = 0x%llx",
                static_cast<ull>(last_pfn), static_cast<ull>(max_arch_pfn()));
  k.printk(line);
  return last_pfn;
}

// The kernel's .data must be RAM before anything is written there: one usable e820
// entry must hold the whole image.
void check_kernel_image_in_ram(Kernel& k, unsigned count) {
  const PAddr start = layout::KERNEL_PHYS, end = start + layout::KERNEL_IMAGE_SIZE;
  for (unsigned i = 0; i < count; ++i) {
    E820Entry e = e820_entry(k, i);
    if (e.type == boot::E820_RAM && e.addr <= start && e.addr + e.size >= end) return;
  }
  char why[128];
  std::snprintf(why, sizeof why,
                "setup_arch: the kernel image [mem 0x%08llx-0x%08llx] is not in RAM",
                static_cast<ull>(start), static_cast<ull>(end - 1));
  k.panic(why);
}

}  // namespace

void setup_arch_and_mm(Kernel& k, unsigned hugepages_1g, bool deferred_struct_page_init,
                       bool memmap_fast_forward) {
  if (paging_enabled(k)) k.panic("setup_arch: entered with paging on");
  const unsigned count = e820_count(k);
  if (count == 0 || count > boot::kE820Max) k.panic("setup_arch: no e820 memory map");
  check_kernel_image_in_ram(k, count);
  // Static initialisers of the mm globals in .data (reached physically for now).
  LAddr globals = early_sym(k, layout::MM_GLOBALS);
  k.mem.zero(globals, mm_globals::kSize);
  k.mem.set(globals, mm_globals::watermark_scale_factor, 10);

  std::uint64_t max_pfn = 0;
  {
    RoutineScope memblock_phase(k, Routine::memblock);
    e820_print_table(k, count);
    memblock_init(k);
    max_pfn = e820_memblock_setup(k, count);
    k.mem.set(globals, mm_globals::max_pfn, max_pfn);

    // Boot reservations: the first 1 MB (BIOS data, EBDA, real-mode trampoline; Linux
    // reserves it all since 5.13), the zero page (inside it), the kernel image.
    memblock_reserve(k, 0, 0x100000);
    memblock_reserve(k, boot::kBootParamsPhys, PAGE_SIZE);
    memblock_reserve(k, layout::KERNEL_PHYS, layout::KERNEL_IMAGE_SIZE);
    // hugepagesz=1G hugepages=N: gigantic pages from memblock before the page tables and
    // the vmemmap take memory from its top.
    if (hugepages_1g) hugetlb_reserve_gigantic(k, hugepages_1g);
  }

  if (kernel_layout.x86_32) {
    // i386: lowmem, the PAE page tables, then FLATMEM's mem_map and the kmap areas.
    find_low_pfn_range(k, max_pfn);
    init_mem_mapping_32(k);  // paging is on from here
    alloc_node_mem_map(k, max_pfn);
    kmap_init(k);
  } else {
    init_mem_mapping(k);  // paging is on from here: globals at their virtual addresses
    // paging_init(): sparse_init (vmemmap).
    vmemmap_populate(k, max_pfn);
  }
  // zone_sizes_init -> free_area_init.
  free_area_init(k, deferred_struct_page_init, memmap_fast_forward);

  // mm_core_init(): mem_init -> memblock_free_all; then page_alloc_init_late (the
  // deferred struct pages; Linux runs it from kernel_init_freeable, after the slab and
  // vmalloc setup, which take no more than the pages initialised so far), the
  // "Memory:" line (printed after it since Linux 6.13) and the watermarks
  // (init_per_zone_wmark_min, a core_initcall, also after it in Linux).
  memblock_free_all(k, memmap_fast_forward);
  page_alloc_init_late(k, memmap_fast_forward);
  mem_init_print_info(k);
  init_per_zone_wmark_min(k);
}

}  // namespace mmvp::sw
