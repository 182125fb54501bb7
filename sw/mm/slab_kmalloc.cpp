// kmalloc (mm/slab_common.c, include/linux/slab.h): Linux's size classes
// (kmalloc_info[], kmalloc_index(), size_index[]), the dma-kmalloc caches for GFP_DMA,
// kmalloc_large() straight from the buddy allocator above KMALLOC_MAX_CACHE_SIZE, and
// kfree / ksize / krealloc / kzalloc.
#include <cstdio>
#include <string>

#include "sw/kernel/printk.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab_internal.h"

namespace mmvp::sw {
namespace {

// kmalloc_info[]: the name and size of each kmalloc index (1 and 2 are the 96 and 192
// byte caches, the others powers of two).
struct KmallocInfo {
  const char* name[NR_KMALLOC_TYPES];
  std::uint32_t size;
};
constexpr KmallocInfo kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
    {{nullptr, nullptr}, 0},
    {{"kmalloc-96", "dma-kmalloc-96"}, 96},
    {{"kmalloc-192", "dma-kmalloc-192"}, 192},
    {{"kmalloc-8", "dma-kmalloc-8"}, 8},
    {{"kmalloc-16", "dma-kmalloc-16"}, 16},
    {{"kmalloc-32", "dma-kmalloc-32"}, 32},
    {{"kmalloc-64", "dma-kmalloc-64"}, 64},
    {{"kmalloc-128", "dma-kmalloc-128"}, 128},
    {{"kmalloc-256", "dma-kmalloc-256"}, 256},
    {{"kmalloc-512", "dma-kmalloc-512"}, 512},
    {{"kmalloc-1k", "dma-kmalloc-1k"}, 1024},
    {{"kmalloc-2k", "dma-kmalloc-2k"}, 2048},
    {{"kmalloc-4k", "dma-kmalloc-4k"}, 4096},
    {{"kmalloc-8k", "dma-kmalloc-8k"}, 8192},
};

// size_index[]: kmalloc index of sizes 1..192 in steps of 8 (mm/slab_common.c, with
// KMALLOC_MIN_SIZE = 8: 65..96 -> kmalloc-96, 129..192 -> kmalloc-192).
constexpr std::uint8_t size_index[24] = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1,
                                         7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};

unsigned fls64(std::uint64_t x) {
  unsigned r = 0;
  for (; x; x >>= 1) ++r;
  return r;
}

// kmalloc_slab(): the cache of a size (1..KMALLOC_MAX_CACHE_SIZE) and gfp.
LAddr kmalloc_slab(Kernel& k, std::uint64_t size, gfp_t gfp) {
  unsigned index = size <= 192 ? size_index[(size - 1) / 8] : fls64(size - 1);
  unsigned type = (gfp & __GFP_DMA) ? KMALLOC_DMA : KMALLOC_NORMAL;  // kmalloc_type()
  LAddr s = k.mem.get(SLAB_GLOBALS, kmalloc_cache_slot(type, index));
  if (!s) k.panic("kmalloc before kmem_cache_init");
  return s;
}

// kmalloc_large(): a compound allocation from the buddy allocator (order >= 2, so
// alloc_pages() marks the head PG_head with its compound_order, and zeroes it for
// __GFP_ZERO). Accounted as unreclaimable slab memory, like Linux.
LAddr kmalloc_large(Kernel& k, std::uint64_t size, gfp_t gfp) {
  unsigned order = get_order(size);
  LAddr pg = alloc_pages(k, gfp, order);
  if (!pg) return 0;
  mod_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B, static_cast<std::int64_t>(PAGE_SIZE << order));
  return page::page_to_virt(pg);
}

void free_large_kmalloc(Kernel& k, LAddr pg) {
  unsigned order = k.mem.get(pg, page::compound_order);
  mod_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B, -static_cast<std::int64_t>(PAGE_SIZE << order));
  __free_pages(k, pg, order);
}

// new_kmalloc_cache() -> create_kmalloc_cache(): kmalloc caches are aligned to the
// largest power of two dividing their size (ARCH_KMALLOC_MINALIGN = 8 at least).
void new_kmalloc_cache(Kernel& k, unsigned index, unsigned type) {
  std::uint32_t size = kmalloc_info[index].size;
  LAddr s =
      slab_alloc(k, k.mem.get(SLAB_GLOBALS, slab_globals::kmem_cache), GFP_KERNEL | __GFP_ZERO);
  std::uint32_t align = size & (~size + 1);
  std::uint32_t flags = type == KMALLOC_DMA ? SLAB_CACHE_DMA : 0;
  if (!s || !kmem_cache_open(k, s, kmalloc_info[index].name[type], size, align, flags, nullptr))
    k.panic(std::string("Creation of kmalloc slab ") + kmalloc_info[index].name[type] + " failed");
  list::add(k.mem, s + kc::list, SLAB_GLOBALS + slab_globals::slab_caches);
  k.mem.set(SLAB_GLOBALS, kmalloc_cache_slot(type, index), s);
}

}  // namespace

// create_kmalloc_caches() (Linux 6.x order: 96 and 192, then the powers of two).
void create_kmalloc_caches(Kernel& k) {
  for (unsigned type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; ++type) {
    new_kmalloc_cache(k, 1, type);
    new_kmalloc_cache(k, 2, type);
    for (unsigned i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; ++i)
      new_kmalloc_cache(k, i, type);
  }
}

LAddr kmalloc(Kernel& k, std::uint64_t size, gfp_t gfp) {
  RoutineScope scope(k, Routine::kmalloc);
  if (size > KMALLOC_MAX_CACHE_SIZE) return kmalloc_large(k, size, gfp);
  if (size == 0) return ZERO_SIZE_PTR;
  return slab_alloc(k, kmalloc_slab(k, size, gfp), gfp);
}

LAddr kzalloc(Kernel& k, std::uint64_t size, gfp_t gfp) {
  return kmalloc(k, size, gfp | __GFP_ZERO);
}

void kfree(Kernel& k, LAddr p) {
  if (ZERO_OR_NULL_PTR(p)) return;
  RoutineScope scope(k, Routine::kfree);
  if (p < PAGE_OFFSET || p >= VMALLOC_START)
    k.panic("kfree: " + hex(p) + " is not a kernel address");
  LAddr pg = page::virt_to_page(p);
  std::uint64_t flags = k.mem.get(pg, page::flags);
  if (flags & page::PG_slab) {
    slab_free(k, k.mem.get(pg, page::slab_cache), virt_to_slab(k, p), p);
  } else if (flags & page::PG_head) {
    free_large_kmalloc(k, pg);
  } else {
    k.panic("kfree: " + hex(p) + " is neither a slab object nor a kmalloc_large block");
  }
}

// __ksize(): the usable size (object_size under red zoning/poisoning, else the stride).
std::uint64_t ksize(Kernel& k, LAddr p) {
  if (ZERO_OR_NULL_PTR(p) || p < PAGE_OFFSET || p >= VMALLOC_START) return 0;
  LAddr pg = page::virt_to_page(p);
  std::uint64_t flags = k.mem.get(pg, page::flags);
  if (flags & page::PG_slab) {
    LAddr s = k.mem.get(pg, page::slab_cache);
    if (k.mem.get(s, kc::flags) & (SLAB_RED_ZONE | SLAB_POISON))
      return k.mem.get(s, kc::object_size);
    return k.mem.get(s, kc::size);
  }
  if (flags & page::PG_head) return PAGE_SIZE << k.mem.get(pg, page::compound_order);
  return 0;
}

// krealloc(): in place while the new size fits ksize(), else allocate, copy, free.
LAddr krealloc(Kernel& k, LAddr p, std::uint64_t new_size, gfp_t gfp) {
  if (new_size == 0) {
    kfree(k, p);
    return ZERO_SIZE_PTR;
  }
  std::uint64_t ks = ZERO_OR_NULL_PTR(p) ? 0 : ksize(k, p);
  if (ks >= new_size) {
    if (gfp & __GFP_ZERO) k.mem.zero(p + new_size, ks - new_size);
    return p;
  }
  LAddr ret = kmalloc(k, new_size, gfp);
  if (ret && ks) k.mem.copy(ret, p, ks);
  if (ret) kfree(k, p);
  return ret;
}

}  // namespace mmvp::sw
