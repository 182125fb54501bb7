// ioremap and iounmap (arch/x86/mm/ioremap.c): device memory mapped uncached into a
// VM_IOREMAP area of the vmalloc space. Memory-type (PAT) reservation and mmiotrace
// are not modelled.
#include <cstdio>

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"
#include "sw/mm/vmalloc_internal.h"

namespace mmvp::sw {
namespace {

// PAGE_KERNEL_IO_NOCACHE with both cache-disable bits. Linux's ioremap() asks for
// _PAGE_CACHE_MODE_UC_MINUS, which the default PAT layout encodes as PCD alone; we
// set PCD and PWT (strong UC, PAT entry 3, what ioremap_uc() gets), as this platform
// specifies for device mappings.
constexpr std::uint64_t PAGE_KERNEL_IO_NOCACHE = PAGE_KERNEL | pte::PCD | pte::PWT;
// IOREMAP_MAX_ORDER (include/linux/vmalloc.h): ioremap areas are aligned to their size
// rounded up to a power of two, at most 128 pages.
constexpr unsigned IOREMAP_MAX_ORDER = 7 + PAGE_SHIFT;

unsigned get_count_order(std::uint64_t v) {
  unsigned order = 0;
  while ((1ULL << order) < v) ++order;
  return order;
}

// __ioremap_check_ram() over walk_mem_res(): a range holds usable RAM when a page it
// would map lies wholly in a RAM range (memblock.memory, filled from the e820 map) and
// is not PageReserved. Reserved RAM (firmware tables, the kernel image) may be
// remapped. We check the page-aligned range the mapping covers, as the pfn-based
// walk_system_ram_range() check did: Linux now clips the RAM resource to the byte
// range asked for, which lets a sub-page request into RAM through.
bool range_has_usable_ram(Kernel& k, PAddr phys, PAddr last_addr) {
  const PAddr start = phys & ~(PAGE_SIZE - 1);
  const PAddr last = last_addr | (PAGE_SIZE - 1);
  const unsigned n = memblock_region_count(k, MemblockType::memory);
  const std::uint64_t pfn_limit = max_pfn(k);
  for (unsigned i = 0; i < n; ++i) {
    PAddr base = 0;
    std::uint64_t size = 0;
    memblock_region_at(k, MemblockType::memory, i, &base, &size);
    if (!size || base > last || base + size - 1 < start) continue;
    PAddr res_start = base > start ? base : start;  // the resource clipped to the range
    PAddr res_end = base + size - 1 < last ? base + size - 1 : last;
    std::uint64_t start_pfn = (res_start + PAGE_SIZE - 1) >> PAGE_SHIFT;
    std::uint64_t stop_pfn = (res_end + 1) >> PAGE_SHIFT;
    for (std::uint64_t pfn = start_pfn; pfn < stop_pfn; ++pfn) {
      if (pfn >= pfn_limit) break;  // !pfn_valid()
      if (!(k.mem.get(page::pfn_to_page(pfn), page::flags) & page::PG_reserved)) return true;
    }
  }
  return false;
}

}  // namespace

LAddr ioremap(Kernel& k, PAddr phys, std::uint64_t size, const char* caller) {
  RoutineScope rs(k, Routine::ioremap);
  // __ioremap_caller()
  const PAddr last_addr = phys + size - 1;
  if (!size || last_addr < phys) return 0;
  if (range_has_usable_ram(k, phys, last_addr)) {
    char line[96];
    std::snprintf(line, sizeof line, "ioremap on RAM at 0x%016llx - 0x%016llx",
                  static_cast<unsigned long long>(phys),
                  static_cast<unsigned long long>(last_addr));
    k.printk(line);  // WARN_ONCE in Linux
    return 0;
  }
  // Mappings have to be page-aligned; the offset comes back on the returned address.
  const std::uint64_t offset = phys & (PAGE_SIZE - 1);
  const PAddr base = phys & ~(PAGE_SIZE - 1);
  const std::uint64_t mapped = ((last_addr + PAGE_SIZE) & ~(PAGE_SIZE - 1)) - base;

  unsigned order = get_count_order(mapped);
  if (order < PAGE_SHIFT) order = PAGE_SHIFT;
  if (order > IOREMAP_MAX_ORDER) order = IOREMAP_MAX_ORDER;
  LAddr vm = get_vm_area_caller(k, mapped, 1ULL << order, VM_IOREMAP, caller);
  if (!vm) return 0;
  k.mem.set(vm, vm_struct::phys_addr, base);
  const LAddr vaddr = k.mem.get(vm, vm_struct::addr);

  // ioremap_page_range(): one PTE per page of the device range.
  const PAddr pgd = init_pgd(k);
  for (std::uint64_t off = 0; off < mapped; off += PAGE_SIZE) {
    if (!map_page(k, pgd, vaddr + off, base + off, PAGE_KERNEL_IO_NOCACHE)) {
      free_vm_area(k, vm);
      return 0;
    }
  }
  return vaddr + offset;
}

void iounmap(Kernel& k, LAddr addr) {
  RoutineScope rs(k, Routine::iounmap);
  // Not an ioremap address (a direct-map address handed back, or NULL): nothing to do.
  if (!is_vmalloc_addr(addr)) return;
  addr &= ~(PAGE_SIZE - 1);
  LAddr vm = find_vm_area(k, addr);
  if (!vm) {
    char line[64];
    std::snprintf(line, sizeof line, "iounmap: bad address %016llx",
                  static_cast<unsigned long long>(addr));
    k.printk(line);
    return;
  }
  LAddr removed = remove_vm_area(k, addr);                          // unmapped and flushed
  if (removed != vm) k.panic("iounmap: vm area changed under us");  // BUG_ON(p != o)
  kfree(k, vm);
}

}  // namespace mmvp::sw
