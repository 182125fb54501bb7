// Page tables in guest memory (arch/x86/mm/pgtable.c, init_64.c): 4-level walks over
// tables reached through the direct map once paging is on (physically before), with
// intermediate tables from memblock during boot and from the buddy allocator after.
#include "sw/mm/pgtable.h"

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"

namespace mmvp::sw {
namespace {

// A new, zeroed page-table page: pte_alloc_one_kernel() once the buddy allocator is up
// (accounted in NR_PAGETABLE), spp_getpage()'s memblock allocation before.
PAddr alloc_table(Kernel& k) {
  if (k.mem.get(early_sym(k, MM_GLOBALS), mm_globals::after_bootmem)) {
    LAddr va = get_zeroed_page(k, GFP_KERNEL);
    if (!va) return 0;
    mod_node_page_state(k, NR_PAGETABLE, 1);
    return page::__pa(va);
  }
  PAddr pa = memblock_phys_alloc(k, PAGE_SIZE, PAGE_SIZE);
  if (!pa) k.panic("Out of memory: cannot allocate a boot page table");
  k.mem.zero(early_phys(k, pa), PAGE_SIZE);
  return pa;
}

// The physical address of va's entry at `level` (1 = PTE, 2 = PMD, 3 = PUD) under pgd,
// allocating missing tables when `alloc`; 0 if a table is missing (and !alloc), could
// not be allocated, or a large page is in the way.
PAddr entry_slot(Kernel& k, PAddr pgd, LAddr va, unsigned level, bool alloc,
                 std::uint64_t* tables = nullptr) {
  PAddr table = pgd;
  for (unsigned l = PGTABLE_LEVELS; l > level; --l) {
    PAddr slot = pt_slot(table, va, l);
    std::uint64_t e = pt_get(k.mem, early_phys(k, slot));
    if (!(e & pte::P)) {
      if (!alloc) return 0;
      PAddr t = alloc_table(k);
      if (!t) return 0;
      if (tables) ++*tables;
      if (l == 3 && PGTABLE_LEVELS == 3) {
        // pud_populate() under PAE: a PDPTE has only P (its other bits are reserved,
        // SDM 4.4.1), and the CPU reads it only when CR3 is loaded: reload it if this
        // is the live PDPT (Linux's flush_tlb_mm there).
        k.mem.w64(early_phys(k, slot), t | pte::P);
        if (paging_enabled(k) && (k.cpu.read_cr(3) & ~0xfffULL) == pgd)
          k.cpu.write_cr(3, k.cpu.read_cr(3));
        table = t;
        continue;
      }
      // User addresses get user-accessible tables (_PAGE_TABLE); the leaf decides.
      e = t | (va < TASK_SIZE_MAX ? PAGE_TABLE : KERNPG_TABLE);
      pt_set(k.mem, early_phys(k, slot), e);
    } else if (e & pte::PS) {
      return 0;
    }
    table = e & pte::ADDR_MASK;
  }
  return pt_slot(table, va, level);
}

}  // namespace

PAddr pgtable_entry(Kernel& k, PAddr pgd, LAddr va, unsigned level, bool alloc,
                    std::uint64_t* tables) {
  return entry_slot(k, pgd, va, level, alloc, tables);
}

PAddr init_pgd(Kernel&) {
  return layout::pa_symbol(layout::INIT_PGD);
}

bool map_page(Kernel& k, PAddr pgd, LAddr va, PAddr pa, std::uint64_t flags,
              std::uint64_t* tables) {
  PAddr slot = entry_slot(k, pgd, va, 1, true, tables);
  if (!slot) return false;
  pt_set(k.mem, early_phys(k, slot), (pa & pte::ADDR_MASK) | flags);
  return true;
}

std::uint64_t unmap_page(Kernel& k, PAddr pgd, LAddr va) {
  PAddr slot = entry_slot(k, pgd, va, 1, false);
  if (!slot) return 0;
  LAddr at = early_phys(k, slot);
  std::uint64_t old = pt_get(k.mem, at);
  if (old) pt_set(k.mem, at, 0);
  return old;
}

std::uint64_t lookup_address(Kernel& k, PAddr pgd, LAddr va, unsigned* level) {
  PAddr table = pgd;
  for (unsigned l = PGTABLE_LEVELS; l >= 1; --l) {
    std::uint64_t e = pt_get(k.mem, early_phys(k, pt_slot(table, va, l)));
    if (!(e & pte::P)) return 0;
    if (l == 1 || ((e & pte::PS) && l <= 3)) {
      if (level) *level = l;
      return e;
    }
    table = e & pte::ADDR_MASK;
  }
  return 0;
}

void flush_tlb_kernel_range(Kernel& k, LAddr start, LAddr end) {
  start &= ~(PAGE_SIZE - 1);
  if ((end - start) / PAGE_SIZE > kTlbSinglePageFlushCeiling) {
    flush_tlb_all(k);
    return;
  }
  for (LAddr va = start; va < end; va += PAGE_SIZE) k.cpu.invlpg(va);
}

void flush_tlb_all(Kernel& k) {
  // __native_flush_tlb_global(): toggling CR4.PGE drops global entries too (SDM 4.10.4.1).
  std::uint64_t c4 = k.cpu.read_cr(4);
  k.cpu.write_cr(4, c4 & ~cr4::PGE);
  k.cpu.write_cr(4, c4);
}

void preallocate_pgd_range(Kernel& k, LAddr start, LAddr end) {
  // preallocate_vmalloc_pages(): a PUD table under every PGD slot of the range, so
  // kernel mappings made later land in tables every process's PGD already points to.
  const PAddr pgd = init_pgd(k);
  const std::uint64_t pgdir_size = 1ULL << 39;
  for (LAddr va = start; va >= start && va <= end; va = (va + pgdir_size) & ~(pgdir_size - 1)) {
    if (!entry_slot(k, pgd, va, 3, true))
      k.panic("Failed to pre-allocate pud pages for vmalloc area");
  }
}

void kernel_map_range(Kernel& k, LAddr va, PAddr pa, std::uint64_t size, std::uint64_t prot,
                      PageSize max_size, std::uint64_t* counts) {
  const PAddr pgd = init_pgd(k);
  while (size > 0) {
    // The largest page both addresses are aligned to and the range covers
    // (split_mem_range in arch/x86/mm/init.c).
    unsigned level = 1;
    if (max_size == PageSize::size_1g && ((va | pa) & (PUD_SIZE - 1)) == 0 && size >= PUD_SIZE)
      level = 3;
    else if (max_size != PageSize::size_4k && ((va | pa) & (PMD_SIZE - 1)) == 0 && size >= PMD_SIZE)
      level = 2;
    std::uint64_t bytes = 1ULL << pt_shift(level);
    PAddr slot = entry_slot(k, pgd, va, level, true);
    if (!slot) k.panic("kernel_map_range: cannot map a kernel address (large page in the way)");
    pt_set(k.mem, early_phys(k, slot), pa | prot | (level > 1 ? pte::PS : 0));
    if (counts) ++counts[level - 1];
    va += bytes;
    pa += bytes;
    size -= bytes;
  }
}

}  // namespace mmvp::sw
