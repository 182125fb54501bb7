// arch/x86/mm/init_32.c and highmem_32.c: the i386 kernel's page tables with PAE
// (swapper_pg_dir is the page-directory-pointer table; the kernel's PMDs are shared by
// every process), the direct map of lowmem only, the pkmap and fixmap page tables, the
// switch to PAE paging, and the flat mem_map array (FLATMEM's alloc_node_mem_map).
#include <cstdio>

#include "sw/mm/highmem.h"
#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

using ull = unsigned long long;

// The kernel's PDPT entries (KERNEL_PGD_BOUNDARY .. 3): each points to a PMD page from
// memblock, made before any process copies them (they never change after boot, so the
// PDPTE registers a process's CR3 loads stay right).
void preallocate_kernel_pmds(Kernel& k) {
  const PAddr pdpt = init_pgd(k);
  for (unsigned i = kernel_pgd_boundary(); i < ptrs_per_pgd(); ++i)
    if (!pgtable_entry(k, pdpt, static_cast<LAddr>(i) << 30, 2, true))
      k.panic("init_32: cannot allocate a kernel PMD");
}

// page_table_range_init(): PTE tables for [start, end), so that later mappings there
// (kmap, kmap_local, fixmap) only write PTEs.
void page_table_range_init(Kernel& k, LAddr start, LAddr end) {
  const PAddr pdpt = init_pgd(k);
  for (LAddr va = start & ~(PMD_SIZE - 1); va < end; va += PMD_SIZE)
    if (!pgtable_entry(k, pdpt, va, 1, true)) k.panic("init_32: cannot allocate a PTE table");
}

}  // namespace

std::uint64_t max_low_pfn(Kernel& k) {
  return k.mem.get(early_sym(k, MM_GLOBALS), mm_globals::max_low_pfn);
}

std::uint64_t find_low_pfn_range(Kernel& k, std::uint64_t max_pfn) {
  // find_low_pfn_range(): lowmem is what the direct map can hold, MAXMEM.
  const std::uint64_t maxmem_pfn = kernel_layout.maxmem >> PAGE_SHIFT;
  const std::uint64_t low = std::min(max_pfn, maxmem_pfn);
  const std::uint64_t high_pages = max_pfn - low;
  char line[96];
  // initmem_init() (CONFIG_HIGHMEM): the two lines, high_memory, VMALLOC_START.
  std::snprintf(line, sizeof line, "%lluMB HIGHMEM available.",
                static_cast<ull>(high_pages >> (20 - PAGE_SHIFT)));
  k.printk(line);
  const LAddr high_memory = PAGE_OFFSET + (low << PAGE_SHIFT);
  std::snprintf(line, sizeof line, "%lluMB LOWMEM available.",
                static_cast<ull>(low >> (20 - PAGE_SHIFT)));
  k.printk(line);
  const LAddr g = early_sym(k, MM_GLOBALS);
  k.mem.set(g, mm_globals::max_low_pfn, low);
  k.mem.set(g, mm_globals::high_memory, high_memory);
  set_vmalloc_start(high_memory);
  set_zone_max_low_pfn(low);
  // setup_bootmem_allocator(): memblock hands out lowmem only.
  k.mem.set(early_sym(k, layout::MEMBLOCK), memblock::current_limit, low << PAGE_SHIFT);
  std::snprintf(line, sizeof line, "  low ram: 0 - %08llx", static_cast<ull>(low << PAGE_SHIFT));
  k.printk(line);
  return low;
}

void init_mem_mapping_32(Kernel& k) {
  RoutineScope rs(k, Routine::paging_init);
  if (paging_enabled(k)) k.panic("init_mem_mapping: paging is already on");
  k.mem.zero(layout::pa_symbol(layout::INIT_PGD), PAGE_SIZE);
  const bool pae = PGTABLE_LEVELS == 3;
  if (pae) preallocate_kernel_pmds(k);

  // kernel_physical_mapping_init(): lowmem [0, max_low_pfn) at PAGE_OFFSET, 2 MB pages
  // (4 MB without PAE) where aligned (PSE), the rest in 4 KB pages.
  const std::uint64_t low = max_low_pfn(k);
  std::uint64_t counts[3] = {0, 0, 0};
  char line[96];
  std::snprintf(line, sizeof line, "init_memory_mapping: [mem 0x%08llx-0x%08llx]", 0ULL,
                static_cast<ull>((low << PAGE_SHIFT) - 1));
  k.printk(line);
  kernel_map_range(k, PAGE_OFFSET, 0, low << PAGE_SHIFT, PAGE_KERNEL, PageSize::size_2m, counts);
  const LAddr globals = early_sym(k, MM_GLOBALS);
  for (unsigned s = 0; s < 3; ++s) k.mem.set(globals, mm_globals::direct_pages_count(s), counts[s]);

  // pagetable_init() -> permanent_kmaps_init() and early_ioremap_page_table_range_init():
  // the PTE tables of the pkmap area and of the whole fixmap.
  page_table_range_init(k, kernel_layout.pkmap_base,
                        kernel_layout.pkmap_base + kernel_layout.last_pkmap * PAGE_SIZE);
  page_table_range_init(k, kernel_layout.fixaddr_boot_start, kernel_layout.fixaddr_top + PAGE_SIZE);
  // Without PAE each process has its own copy of the kernel's PGD entries, so the
  // vmalloc area's PTE tables are made now, before any process copies them (Linux
  // fills them in lazily instead, in vmalloc_fault).
  if (!pae) page_table_range_init(k, VMALLOC_START, VMALLOC_END);

  // Protected mode with PAE paging (SDM Vol. 3A 9.9, 4.4): PAE, PSE, PGE, SMEP/SMAP;
  // EFER.NXE for the XD bit (no LME: not IA-32e mode); CR3 = swapper_pg_dir's PDPT,
  // whose four PDPTEs the CPU loads; then PE|WP|PG.
  // Without PAE: 32-bit paging (SDM 4.3), CR4.PSE for the 4 MB pages, no XD.
  k.cpu.write_cr(4, (pae ? cr4::PAE : 0) | cr4::PSE | cr4::PGE | cr4::SMEP | cr4::SMAP);
  if (pae) k.cpu.wrmsr(msr::EFER, efer::NXE);
  k.cpu.write_cr(3, init_pgd(k));
  k.cpu.write_cr(0, cr0::PE | cr0::WP | cr0::PG);
  k.printk(pae ? "x86/mm: PAE paging on, CR3 = swapper_pg_dir (the PDPT); kernel PMDs shared"
               : "x86/mm: 2-level paging on, CR3 = swapper_pg_dir");
}

void alloc_node_mem_map(Kernel& k, std::uint64_t max_pfn) {
  RoutineScope rs(k, Routine::paging_init);
  // FLATMEM: one struct page per pfn below max_pfn, from memblock (in lowmem), never
  // cleared here (memmap_init writes each).
  const std::uint64_t bytes = max_pfn * page::kSize;
  const PAddr pa = memblock_phys_alloc(k, bytes, PAGE_SIZE);
  if (!pa) {
    char why[160];
    std::snprintf(why, sizeof why,
                  "alloc_node_mem_map: %llu MB of struct pages for %llu MB of RAM do not fit in "
                  "lowmem (%llu MB)",
                  static_cast<ull>(bytes >> 20), static_cast<ull>((max_pfn << PAGE_SHIFT) >> 20),
                  static_cast<ull>(max_low_pfn(k) >> (20 - PAGE_SHIFT)));
    k.panic(why);
  }
  set_mem_map(page::__va(pa));
  k.mem.set(MM_GLOBALS, mm_globals::mem_map, page::__va(pa));
  k.mem.set(MM_GLOBALS, mm_globals::nr_memmap_boot_pages, (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
  char line[128];
  std::snprintf(line, sizeof line, "mem_map: [0x%08llx-0x%08llx] struct pages for %llu pfns",
                static_cast<ull>(page::__va(pa)), static_cast<ull>(page::__va(pa) + bytes - 1),
                static_cast<ull>(max_pfn));
  k.printk(line);
}

void print_layout_32(Kernel& k) {
  // mem_init() of arch/x86/mm/init_32.c (as Linux printed it until 5.x).
  const LAddr high_memory = k.mem.get(MM_GLOBALS, mm_globals::high_memory);
  struct Area {
    const char* name;
    LAddr start, end;
    bool mb;
  };
  const Area areas[] = {
      {"    fixmap  ", kernel_layout.fixaddr_start, kernel_layout.fixaddr_top, false},
      {"    pkmap   ", kernel_layout.pkmap_base,
       kernel_layout.pkmap_base + kernel_layout.last_pkmap * PAGE_SIZE, false},
      {"    vmalloc ", VMALLOC_START, VMALLOC_END + 1, true},
      {"    lowmem  ", PAGE_OFFSET, high_memory, true},
      {"      .data ", layout::KERNEL_DATA, layout::KERNEL_DATA + layout::KERNEL_DATA_SIZE, false},
      {"      .text ", layout::KERNEL_TEXT, layout::KERNEL_TEXT + layout::KERNEL_TEXT_SIZE, false},
  };
  k.printk("virtual kernel memory layout:");
  char line[128];
  for (const Area& a : areas) {
    std::snprintf(line, sizeof line, "%s: 0x%08llx - 0x%08llx   (%4llu %s)", a.name,
                  static_cast<ull>(a.start), static_cast<ull>(a.end),
                  static_cast<ull>((a.end - a.start) >> (a.mb ? 20 : 10)), a.mb ? "MB" : "kB");
    k.printk(line);
  }
}

}  // namespace mmvp::sw
