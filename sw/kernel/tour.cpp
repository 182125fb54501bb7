#include "sw/kernel/tour.h"

#include <fmt/format.h>

#include "sw/mm/highmem.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"

namespace mmvp::sw {
namespace {

constexpr PAddr kHpetPhys = 0xFED00000;

SLAB_CTOR(demo_ctor)(Kernel& k, LAddr obj) {
  k.mem.w64(obj, 0x1234);
}

void buddy_tour(Kernel& k) {
  // Blocks of every order up to 5, a DMA page and a DMA32 page, then all freed.
  LAddr blocks[6];
  for (unsigned order = 0; order < 6; ++order) blocks[order] = alloc_pages(k, GFP_KERNEL, order);
  LAddr dma = alloc_page(k, GFP_KERNEL | GFP_DMA);
  LAddr dma32 = alloc_page(k, GFP_KERNEL | GFP_DMA32);
  // GFP_DMA32 is ZONE_NORMAL on a kernel without ZONE_DMA32 (i386).
  k.printk(
      fmt::format("tour: buddy: GFP_DMA page at pfn {:#x} ({}), GFP_DMA32 page at pfn {:#x} ({})",
                  page::page_to_pfn(dma), zone_names[page_zonenum(k, dma)],
                  page::page_to_pfn(dma32), zone_names[page_zonenum(k, dma32)]));
  for (unsigned order = 0; order < 6; ++order)
    if (blocks[order]) __free_pages(k, blocks[order], order);
  if (dma) __free_pages(k, dma, 0);
  if (dma32) __free_pages(k, dma32, 0);
}

void slab_tour(Kernel& k) {
  // kmalloc of every size class, one krealloc, one large kmalloc; all freed.
  LAddr objs[16];
  unsigned n = 0;
  for (std::uint64_t size : {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 20000})
    objs[n++] = kmalloc(k, size, GFP_KERNEL);
  objs[0] = krealloc(k, objs[0], 100, GFP_KERNEL);
  LAddr dma = kmalloc(k, 200, GFP_KERNEL | GFP_DMA);
  for (unsigned i = 0; i < n; ++i) kfree(k, objs[i]);
  kfree(k, dma);
  // A driver's cache that stays, with objects alive.
  LAddr cache = kmem_cache_create(k, "mmvp_demo", 200, 64, SLAB_HWCACHE_ALIGN, demo_ctor);
  for (int i = 0; i < 50; ++i) kmem_cache_alloc(k, cache, GFP_KERNEL);
  // A short-lived cache: created, used, emptied and destroyed.
  LAddr tmp = kmem_cache_create(k, "mmvp_tmp", 40, 8, 0, nullptr);
  LAddr t[20];
  for (auto& o : t) o = kmem_cache_alloc(k, tmp, GFP_KERNEL);
  for (auto& o : t) kmem_cache_free(k, tmp, o);
  kmem_cache_destroy(k, tmp);
}

void vmalloc_tour(Kernel& k) {
  LAddr buf = vmalloc(k, 256 * 1024, "vmalloc_tour");  // stays: a long-lived buffer
  if (buf) k.mem.zero(buf, 4096);
  LAddr scratch = vzalloc(k, 64 * 1024, "vmalloc_tour");
  if (scratch) vfree(k, scratch);
  // vmap of four scattered pages, then vunmap (the pages stay allocated until freed).
  LAddr pages = kmalloc(k, 4 * 8, GFP_KERNEL);
  for (unsigned i = 0; i < 4; ++i) k.mem.w64(pages + 8 * i, alloc_page(k, GFP_KERNEL));
  LAddr v = vmap(k, pages, 4, "vmalloc_tour");
  if (v) {
    k.mem.w64(v + 3 * PAGE_SIZE, 42);
    vunmap(k, v);
  }
  for (unsigned i = 0; i < 4; ++i) __free_pages(k, k.mem.r64(pages + 8 * i), 0);
  kfree(k, pages);
  // The HPET, mapped uncached like a driver would, and left mapped.
  LAddr hpet = ioremap(k, kHpetPhys, 0x400, "hpet_enable");
  if (hpet) {
    k.mem.w64(hpet + 0x10, 1);  // ENABLE_CNF
    std::uint64_t t0 = k.mem.r64(hpet + 0xF0);
    k.cpu.charge(30000);  // 10 us of other work
    std::uint64_t t1 = k.mem.r64(hpet + 0xF0);
    k.printk(
        fmt::format("tour: hpet: main counter advanced by {} ticks over 30000 cycles", t1 - t0));
  }
}

void highmem_tour(Kernel& k) {
  // i386: a page above lowmem has no kernel address until kmap gives it one; copying
  // one costs two fixmap mappings, their TLB misses and two INVLPGs.
  const LAddr a = alloc_page(k, GFP_HIGHUSER), b = alloc_page(k, GFP_HIGHUSER);
  const LAddr la = alloc_page(k, GFP_KERNEL), lb = alloc_page(k, GFP_KERNEL);
  if (!a || !b || !la || !lb) return;
  const LAddr va = kmap(k, a);
  k.mem.fill(va, 0x5a, PAGE_SIZE);
  k.printk(fmt::format("tour: highmem: page at pfn {:#x} (above max_low_pfn) kmapped at {:#x}",
                       page::page_to_pfn(a), va));
  kunmap(k, a);
  std::uint64_t t0 = k.cpu.cycles();
  copy_highpage(k, b, a);
  const std::uint64_t high = k.cpu.cycles() - t0;
  t0 = k.cpu.cycles();
  copy_highpage(k, lb, la);
  const std::uint64_t low = k.cpu.cycles() - t0;
  k.printk(
      fmt::format("tour: highmem: copy_highpage {} cycles through kmap_local, {} for lowmem "
                  "pages through the direct map",
                  high, low));
  for (LAddr p : {a, b, la, lb}) __free_pages(k, p, 0);
}

}  // namespace

void allocator_tour(Kernel& k) {
  RoutineScope r(k, Routine::selftest);
  std::uint64_t before = nr_free_pages(k);
  buddy_tour(k);
  slab_tour(k);
  vmalloc_tour(k);
  if (kernel_layout.x86_32) highmem_tour(k);
  k.printk(fmt::format("tour: {} pages in use by the tour's long-lived allocations",
                       before - nr_free_pages(k)));
}

}  // namespace mmvp::sw
