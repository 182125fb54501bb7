// vmalloc, vzalloc, vfree, vmap, vunmap (mm/vmalloc.c): virtually contiguous kernel
// memory from order-0 buddy pages, mapped 4 KB at a time into swapper_pg_dir.
#include "sw/mm/vmalloc.h"

#include <cstdio>

#include "sw/mm/init.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc_internal.h"

namespace mmvp::sw {
namespace {

void warn(Kernel& k, const char* fmt, unsigned long long a, unsigned long long b = 0) {
  char line[160];
  std::snprintf(line, sizeof line, fmt, a, b);
  k.printk(line);
}

void mod_vmalloc_pages(Kernel& k, std::int64_t delta) {
  // Linux's nr_vmalloc_pages (vmalloc_nr_pages()), and the node counter the /proc
  // renderers read next to the slab and page-table counters.
  k.mem.add(VMALLOC_GLOBALS, vmalloc_globals::nr_vmalloc_pages, static_cast<std::uint64_t>(delta));
  mod_node_page_state(k, NR_VMALLOC, delta);
}

void set_page_vmalloc(Kernel& k, LAddr page, bool on) {
  std::uint64_t flags = k.mem.get(page, page::flags);
  k.mem.set(page, page::flags, on ? flags | page::PG_vmalloc : flags & ~page::PG_vmalloc);
}

LAddr vmalloc_node(Kernel& k, std::uint64_t size, gfp_t gfp, const char* caller,
                   std::uint64_t align);

// __vmalloc_area_node(): the page array (kmalloc'd, or vmalloc'd itself when larger
// than a page: the recursion is bounded), order-0 pages one at a time, then the PTEs.
// Any failure frees everything through vfree and returns 0.
LAddr vmalloc_area_node(Kernel& k, LAddr vm, gfp_t gfp, const char* caller) {
  const LAddr addr = k.mem.get(vm, vm_struct::addr);
  const std::uint64_t size = get_vm_area_size(k, vm);
  const std::uint64_t nr_pages = size >> PAGE_SHIFT;
  const std::uint64_t array_size = nr_pages * 8;
  const gfp_t nested_gfp = gfp & ~__GFP_ZERO;
  LAddr pages = array_size > PAGE_SIZE ? vmalloc_node(k, array_size, nested_gfp, caller, PAGE_SIZE)
                                       : kmalloc(k, array_size, nested_gfp);
  if (!pages) {
    warn(k, "vmalloc error: size %llu, failed to allocated page array size %llu", size, array_size);
    free_vm_area(k, vm);
    return 0;
  }
  k.mem.set(vm, vm_struct::pages, pages);

  // vm_area_alloc_pages(): order-0 pages, stopping at the first failure.
  std::uint64_t allocated = 0;
  for (; allocated < nr_pages; ++allocated) {
    LAddr page = alloc_page(k, gfp | __GFP_NOWARN);
    if (!page) break;
    set_page_vmalloc(k, page, true);
    k.mem.w64(pages + 8 * allocated, page);
  }
  k.mem.set(vm, vm_struct::nr_pages, static_cast<std::uint32_t>(allocated));
  mod_vmalloc_pages(k, static_cast<std::int64_t>(allocated));
  if (allocated != nr_pages) {
    warn(k, "vmalloc error: size %llu, failed to allocate pages", allocated * PAGE_SIZE);
    vfree(k, addr);
    return 0;
  }

  // vmap_pages_range(): one PTE per page, PAGE_KERNEL (present, writable, global, NX).
  const PAddr pgd = init_pgd(k);
  for (std::uint64_t i = 0; i < nr_pages; ++i) {
    LAddr page = k.mem.r64(pages + 8 * i);
    if (!map_page(k, pgd, addr + i * PAGE_SIZE, page::page_to_pfn(page) << PAGE_SHIFT,
                  PAGE_KERNEL)) {
      warn(k, "vmalloc error: size %llu, failed to map pages", size);
      vfree(k, addr);
      return 0;
    }
  }
  return addr;
}

// __vmalloc_node_range() over the whole vmalloc space.
LAddr vmalloc_node(Kernel& k, std::uint64_t size, gfp_t gfp, const char* caller,
                   std::uint64_t align = PAGE_SIZE) {
  const std::uint64_t real_size = size;
  size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (!size || size < real_size) return 0;  // WARN_ON_ONCE(!size)
  if ((size >> PAGE_SHIFT) > totalram_pages(k)) {
    warn(k, "vmalloc error: size %llu, exceeds total pages", real_size);
    return 0;
  }
  LAddr vm = get_vm_area_caller(k, size, align, VM_ALLOC, caller);
  if (!vm) {
    warn(k, "vmalloc error: size %llu, vm_struct allocation failed", real_size);
    return 0;
  }
  return vmalloc_area_node(k, vm, gfp, caller);
}

}  // namespace

void vmalloc_init(Kernel& k) {
  // vmap_area_cachep = KMEM_CACHE(vmap_area, SLAB_PANIC); the busy list starts empty.
  list::init(k.mem, VMAP_AREA_LIST());
  k.mem.set(VMALLOC_GLOBALS, vmalloc_globals::vmap_area_cachep,
            kmem_cache_create(k, "vmap_area", vmap_area::kSize, 0, SLAB_PANIC, nullptr));
  k.mem.set(VMALLOC_GLOBALS, vmalloc_globals::nr_vmalloc_pages, 0);
  k.mem.set(VMALLOC_GLOBALS, vmalloc_globals::nr_flushed_pages, 0);
}

LAddr vmalloc(Kernel& k, std::uint64_t size, const char* caller) {
  RoutineScope rs(k, Routine::vmalloc);
  return vmalloc_node(k, size, GFP_KERNEL, caller);
}

LAddr __vmalloc_node(Kernel& k, std::uint64_t size, std::uint64_t align, gfp_t gfp,
                     const char* caller) {
  RoutineScope rs(k, Routine::vmalloc);
  return vmalloc_node(k, size, gfp, caller, align);
}

LAddr vzalloc(Kernel& k, std::uint64_t size, const char* caller) {
  // The buddy allocator clears each page (__GFP_ZERO) through the direct map.
  RoutineScope rs(k, Routine::vmalloc);
  return vmalloc_node(k, size, GFP_KERNEL | __GFP_ZERO, caller);
}

void vfree(Kernel& k, LAddr addr) {
  if (!addr) return;
  RoutineScope rs(k, Routine::vfree);
  if (addr & (PAGE_SIZE - 1)) {
    warn(k, "Trying to vfree() bad address (%016llx)", addr);
    return;
  }
  LAddr vm = remove_vm_area(k, addr);  // unmapped and flushed
  if (!vm) {
    warn(k, "Trying to vfree() nonexistent vm area (%016llx)", addr);
    return;
  }
  const std::uint64_t nr_pages = k.mem.get(vm, vm_struct::nr_pages);
  const LAddr pages = k.mem.get(vm, vm_struct::pages);
  for (std::uint64_t i = 0; i < nr_pages; ++i) {
    LAddr page = k.mem.r64(pages + 8 * i);
    if (!page) k.panic("vfree: NULL page in a vmalloc area's page array");  // BUG_ON(!page)
    set_page_vmalloc(k, page, false);
    __free_pages(k, page, 0);
  }
  mod_vmalloc_pages(k, -static_cast<std::int64_t>(nr_pages));
  // kvfree(vm->pages)
  if (is_vmalloc_addr(pages))
    vfree(k, pages);
  else if (pages)
    kfree(k, pages);
  kfree(k, vm);
}

LAddr vmap(Kernel& k, LAddr pages, unsigned count, const char* caller) {
  RoutineScope rs(k, Routine::vmap);
  if (!count || count > totalram_pages(k)) return 0;
  const std::uint64_t size = static_cast<std::uint64_t>(count) << PAGE_SHIFT;
  LAddr vm = get_vm_area_caller(k, size, PAGE_SIZE, VM_MAP, caller);
  if (!vm) return 0;
  const LAddr addr = k.mem.get(vm, vm_struct::addr);
  const PAddr pgd = init_pgd(k);
  for (unsigned i = 0; i < count; ++i) {
    LAddr page = k.mem.r64(pages + 8 * i);
    if (!map_page(k, pgd, addr + i * PAGE_SIZE, page::page_to_pfn(page) << PAGE_SHIFT,
                  PAGE_KERNEL)) {
      vunmap(k, addr);
      return 0;
    }
  }
  // The pages stay the caller's: vm->pages is set only for VM_MAP_PUT_PAGES in Linux.
  return addr;
}

void vunmap(Kernel& k, LAddr addr) {
  if (!addr) return;
  RoutineScope rs(k, Routine::vunmap);
  LAddr vm = remove_vm_area(k, addr);
  if (!vm) {
    warn(k, "vunmap: Trying to vunmap() nonexistent vm area (%016llx)", addr);
    return;
  }
  kfree(k, vm);
}

bool is_vmalloc_addr(LAddr addr) {
  return addr >= VMALLOC_START && addr < VMALLOC_END;
}

PAddr vmalloc_to_phys(Kernel& k, LAddr addr) {
  // vmalloc_to_page() + offset_in_page(): a walk of the kernel's page tables.
  unsigned level = 0;
  std::uint64_t e = lookup_address(k, init_pgd(k), addr, &level);
  if (!e) return ~0ULL;
  std::uint64_t page_mask = (1ULL << (PAGE_SHIFT + 9 * (level - 1))) - 1;
  std::uint64_t frame = e & pte::ADDR_MASK & ~page_mask;  // bit 12 is PAT in a large page
  return frame | (addr & page_mask);
}

std::uint64_t vmalloc_nr_pages(Kernel& k) {
  return k.mem.get(VMALLOC_GLOBALS, vmalloc_globals::nr_vmalloc_pages);
}

std::uint64_t vmap_flushed_pages(Kernel& k) {
  return k.mem.get(VMALLOC_GLOBALS, vmalloc_globals::nr_flushed_pages);
}

}  // namespace mmvp::sw
