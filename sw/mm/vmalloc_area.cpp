// The vmalloc area allocator (mm/vmalloc.c: alloc_vmap_area, __get_vm_area_node,
// find_vmap_area, remove_vm_area) over the address-sorted busy list in guest memory.
#include <cstdio>

#include "sw/kernel/kallsyms.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"
#include "sw/mm/vmalloc_internal.h"

namespace mmvp::sw {
namespace {

LAddr va_of(LAddr list_entry) {
  return list_entry - vmap_area::list;  // list_entry(pos, struct vmap_area, list)
}

std::uint64_t align_up(std::uint64_t v, std::uint64_t align) {
  return (v + align - 1) & ~(align - 1);
}

// The first gap of the busy list, lowest address first, that holds `size` bytes at an
// `align`-aligned address in [VMALLOC_START, VMALLOC_END]. Returns the address and
// the list entry to insert before (the head when the gap is after the last area), or
// 0 when the vmalloc space is full. Linux finds the same lowest fitting address with
// its augmented free-space tree (find_vmap_lowest_match); a linear walk is our
// simplification.
LAddr find_lowest_fit(Kernel& k, std::uint64_t size, std::uint64_t align, LAddr* insert_before) {
  LAddr addr = align_up(VMALLOC_START, align);
  LAddr pos = k.mem.get(VMAP_AREA_LIST(), list::next);
  for (; pos != VMAP_AREA_LIST(); pos = k.mem.get(pos, list::next)) {
    LAddr va = va_of(pos);
    LAddr start = k.mem.get(va, vmap_area::va_start);
    if (addr + size <= start) break;  // fits in the gap below this area
    LAddr end = k.mem.get(va, vmap_area::va_end);
    if (end > addr) addr = align_up(end, align);
  }
  // VMALLOC_END is the last byte of the space (0xffffe8ffffffffff).
  if (addr < VMALLOC_START || addr + size < addr || addr + size - 1 > VMALLOC_END) return 0;
  *insert_before = pos;
  return addr;
}

// alloc_vmap_area(): a vmap_area covering the lowest fitting range, linked into the
// busy list; 0 (after the printk Linux gives) when the space is exhausted.
LAddr alloc_vmap_area(Kernel& k, std::uint64_t size, std::uint64_t align) {
  LAddr cachep = k.mem.get(VMALLOC_GLOBALS, vmalloc_globals::vmap_area_cachep);
  if (!cachep) k.panic("vmalloc used before vmalloc_init");
  LAddr va = kmem_cache_alloc(k, cachep, GFP_KERNEL);
  if (!va) return 0;
  LAddr insert_before = 0;
  LAddr addr = find_lowest_fit(k, size, align, &insert_before);
  if (!addr) {
    kmem_cache_free(k, cachep, va);
    char line[128];
    std::snprintf(line, sizeof line,
                  "vmap allocation for size %llu failed: use vmalloc=<size> to increase size",
                  static_cast<unsigned long long>(size));
    k.printk(line);
    return 0;
  }
  k.mem.set(va, vmap_area::va_start, addr);
  k.mem.set(va, vmap_area::va_end, addr + size);
  k.mem.set(va, vmap_area::vm, 0);
  list::add_tail(k.mem, va + vmap_area::list, insert_before);
  return va;
}

// __find_vmap_area(): the busy area with va_start <= addr < va_end, or 0. The list is
// sorted, so the walk stops at the first area starting above addr.
LAddr find_vmap_area(Kernel& k, LAddr addr) {
  if (!is_vmalloc_addr(addr)) return 0;
  for (LAddr pos = k.mem.get(VMAP_AREA_LIST(), list::next); pos != VMAP_AREA_LIST();
       pos = k.mem.get(pos, list::next)) {
    LAddr va = va_of(pos);
    if (k.mem.get(va, vmap_area::va_start) > addr) return 0;
    if (addr < k.mem.get(va, vmap_area::va_end)) return va;
  }
  return 0;
}

}  // namespace

std::string vm_caller(Kernel& k, LAddr vm) {
  const LAddr caller = k.mem.get(vm, vm_struct::caller);
  return caller ? sprint_symbol(k, caller) : "";
}

LAddr get_vm_area_caller(Kernel& k, std::uint64_t size, std::uint64_t align, std::uint64_t flags,
                         const char* caller) {
  // __get_vm_area_node(): kzalloc the vm_struct, then the range with one guard page.
  size = align_up(size, PAGE_SIZE);
  if (!size) return 0;
  LAddr vm = kzalloc(k, vm_struct::kSize, GFP_KERNEL);
  if (!vm) return 0;
  std::uint64_t with_guard = size + PAGE_SIZE;  // "We always allocate a guard page."
  LAddr va = alloc_vmap_area(k, with_guard, align < PAGE_SIZE ? PAGE_SIZE : align);
  if (!va) {
    kfree(k, vm);
    return 0;
  }
  // setup_vmalloc_vm(): the vm_struct describes the whole range, guard page included.
  LAddr addr = k.mem.get(va, vmap_area::va_start);
  k.mem.set(vm, vm_struct::addr, addr);
  k.mem.set(vm, vm_struct::size, with_guard);
  k.mem.set(vm, vm_struct::flags, flags);
  k.mem.set(vm, vm_struct::caller, kallsyms_call_site(k, caller));
  k.mem.set(va, vmap_area::vm, vm);
  DPRINTF(Vmalloc, "vmalloc", "area {:#x}-{:#x} ({} pages + guard) flags {:#x} for {}", addr,
          addr + with_guard, size / PAGE_SIZE, flags, caller);
  return vm;
}

LAddr find_vm_area(Kernel& k, LAddr addr) {
  LAddr va = find_vmap_area(k, addr);
  return va ? k.mem.get(va, vmap_area::vm) : 0;
}

std::uint64_t get_vm_area_size(Kernel& k, LAddr vm) {
  return k.mem.get(vm, vm_struct::size) - PAGE_SIZE;
}

void vunmap_range(Kernel& k, LAddr start, LAddr end) {
  const PAddr pgd = init_pgd(k);
  for (LAddr va = start; va < end; va += PAGE_SIZE) unmap_page(k, pgd, va);
  flush_tlb_kernel_range(k, start, end);
  k.mem.add(VMALLOC_GLOBALS, vmalloc_globals::nr_flushed_pages, (end - start) / PAGE_SIZE);
}

LAddr remove_vm_area(Kernel& k, LAddr addr) {
  LAddr va = find_vmap_area(k, addr);
  if (!va) return 0;
  LAddr vm = k.mem.get(va, vmap_area::vm);
  list::del(k.mem, va + vmap_area::list);
  // free_unmap_vmap_area(): the mapped part only, the guard page never had a PTE.
  LAddr start = k.mem.get(vm, vm_struct::addr);
  DPRINTF(Vmalloc, "vmalloc", "remove area at {:#x}", start);
  vunmap_range(k, start, start + get_vm_area_size(k, vm));
  kmem_cache_free(k, k.mem.get(VMALLOC_GLOBALS, vmalloc_globals::vmap_area_cachep), va);
  return vm;
}

void free_vm_area(Kernel& k, LAddr vm) {
  remove_vm_area(k, k.mem.get(vm, vm_struct::addr));
  kfree(k, vm);
}

}  // namespace mmvp::sw
