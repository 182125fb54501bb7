// arch/x86/mm/init_64.c and init.c: the kernel's own page tables in swapper_pg_dir
// (direct map, kernel image, vmalloc PUDs), the switch to 4-level paging, and the
// vmemmap struct page array.
#include <cstdio>

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

constexpr PAddr ISA_END_ADDRESS = 0x100000;

void print_init_memory_mapping(Kernel& k, PAddr start, PAddr end) {
  char line[96];
  std::snprintf(line, sizeof line, "init_memory_mapping: [mem 0x%08llx-0x%08llx]",
                static_cast<unsigned long long>(start), static_cast<unsigned long long>(end - 1));
  k.printk(line);
}

}  // namespace

void init_mem_mapping(Kernel& k) {
  RoutineScope rs(k, Routine::paging_init);
  if (paging_enabled(k)) k.panic("init_mem_mapping: paging is already on");
  // swapper_pg_dir is in .bss: start from an empty PML4. Its low half (user space)
  // stays empty: there is no boot identity map to drop, since the kernel's code is not
  // fetched from guest memory.
  k.mem.zero(layout::pa_symbol(layout::INIT_PGD), PAGE_SIZE);

  // The direct map: the whole ISA range [0, 1 MB) like Linux, then every RAM range
  // (init_range_memory_mapping), 1G pages where aligned, then 2M, then 4K.
  std::uint64_t counts[3] = {0, 0, 0};
  print_init_memory_mapping(k, 0, ISA_END_ADDRESS);
  kernel_map_range(k, PAGE_OFFSET, 0, ISA_END_ADDRESS, PAGE_KERNEL, PageSize::size_1g, counts);
  unsigned n = memblock_region_count(k, MemblockType::memory);
  for (unsigned i = 0; i < n; ++i) {
    PAddr base;
    std::uint64_t size;
    memblock_region_at(k, MemblockType::memory, i, &base, &size);
    PAddr start = std::max<PAddr>((base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), ISA_END_ADDRESS);
    PAddr end = (base + size) & ~(PAGE_SIZE - 1);
    if (end <= start) continue;
    print_init_memory_mapping(k, start, end);
    kernel_map_range(k, PAGE_OFFSET + start, start, end - start, PAGE_KERNEL, PageSize::size_1g,
                     counts);
  }
  const LAddr globals = early_sym(k, MM_GLOBALS);
  for (unsigned s = 0; s < 3; ++s) k.mem.set(globals, mm_globals::direct_pages_count(s), counts[s]);

  // The kernel image at __START_KERNEL_map + 16 MB: text read-only and executable,
  // data/bss writable and NX, 2M pages, global.
  kernel_map_range(k, layout::KERNEL_TEXT, layout::KERNEL_PHYS, layout::KERNEL_TEXT_SIZE,
                   PAGE_KERNEL_RX, PageSize::size_2m);
  kernel_map_range(k, layout::KERNEL_DATA, layout::KERNEL_PHYS + layout::KERNEL_TEXT_SIZE,
                   layout::KERNEL_DATA_SIZE, PAGE_KERNEL, PageSize::size_2m);
  // vmalloc/ioremap and modules PGD slots (modules share the kernel image's slot).
  preallocate_pgd_range(k, VMALLOC_START, VMALLOC_END);
  preallocate_pgd_range(k, MODULES_VADDR, MODULES_END - 1);

  // Enter IA-32e mode with 4-level paging (SDM Vol. 3A 9.8.5): PAE (PSE implied),
  // PGE for the global kernel mappings, SMEP/SMAP; LME and NXE; CR3; then PE|WP|PG.
  k.cpu.write_cr(4, cr4::PAE | cr4::PGE | cr4::SMEP | cr4::SMAP);
  k.cpu.wrmsr(msr::EFER, efer::LME | efer::NXE);
  k.cpu.write_cr(3, init_pgd(k));
  k.cpu.write_cr(0, cr0::PE | cr0::WP | cr0::PG);
  k.printk(
      "x86/mm: 4-level paging on, CR3 = swapper_pg_dir; its user half is empty "
      "(no identity map to drop)");
}

void vmemmap_populate(Kernel& k, std::uint64_t max_pfn) {
  RoutineScope rs(k, Routine::paging_init);
  // SPARSEMEM_VMEMMAP: struct pages for every pfn below max_pfn, holes included.
  LAddr start = page::pfn_to_page(0);
  LAddr end = (page::pfn_to_page(max_pfn) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  unsigned pmds = 0, ptes = 0;
  for (LAddr va = start; va < end;) {
    // vmemmap_populate_hugepages(): a 2M block per PMD (the array is not cleared here:
    // memmap_init writes every struct page), 4K pages when no 2M block is left.
    if ((va & (PMD_SIZE - 1)) == 0) {
      PAddr block = memblock_phys_alloc(k, PMD_SIZE, PMD_SIZE);
      if (block) {
        kernel_map_range(k, va, block, PMD_SIZE, PAGE_KERNEL, PageSize::size_2m);
        ++pmds;
        va += PMD_SIZE;
        continue;
      }
    }
    PAddr frame = memblock_phys_alloc(k, PAGE_SIZE, PAGE_SIZE);
    if (!frame) k.panic("vmemmap_populate: out of memory for struct pages");
    kernel_map_range(k, va, frame, PAGE_SIZE, PAGE_KERNEL, PageSize::size_4k);
    ++ptes;
    va += PAGE_SIZE;
  }
  // memmap_boot_pages_add(): NR_MEMMAP_BOOT_PAGES in /proc/vmstat.
  k.mem.set(MM_GLOBALS, mm_globals::nr_memmap_boot_pages,
            static_cast<std::uint64_t>(pmds) * (PMD_SIZE / PAGE_SIZE) + ptes);
  char line[160];
  std::snprintf(line, sizeof line,
                "vmemmap: [0x%llx-0x%llx] struct pages for %llu pfns: %u PMD + %u PTE mappings",
                static_cast<unsigned long long>(start), static_cast<unsigned long long>(end - 1),
                static_cast<unsigned long long>(max_pfn), pmds, ptes);
  k.printk(line);
}

}  // namespace mmvp::sw
