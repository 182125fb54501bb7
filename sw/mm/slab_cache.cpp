// kmem_cache descriptors (mm/slab_common.c, mm/slub.c): object layout and slab order
// (calculate_sizes, calculate_order), kmem_cache_create / kmem_cache_destroy, and the
// boot: kmem_cache_init() with the static boot_kmem_cache moved into a slab object by
// bootstrap(), then the kmalloc caches.
#include <algorithm>
#include <string>

#include "sw/mm/page_alloc.h"
#include "sw/mm/slab_internal.h"

namespace mmvp::sw {
namespace {

constexpr std::uint32_t ARCH_SLAB_MINALIGN = 8;  // sizeof(unsigned long long)
constexpr unsigned MAX_OBJS_PER_PAGE = 32767;
constexpr std::uint32_t WORD = 8;  // sizeof(void *)
// The flags kmem_cache_create keeps (CACHE_CREATE_MASK, of those this kernel has;
// SLAB_STORE_USER tracking is not modelled).
constexpr std::uint32_t CACHE_CREATE_MASK =
    SLAB_DEBUG_FLAGS | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_PANIC;

constexpr std::uint32_t ALIGN(std::uint32_t x, std::uint32_t a) {
  return (x + a - 1) & ~(a - 1);
}

unsigned fls(unsigned x) {
  unsigned r = 0;
  for (; x; x >>= 1) ++r;
  return r;
}
unsigned ilog2(unsigned x) {
  return fls(x) - 1;
}

unsigned order_objects(unsigned order, unsigned size) {
  return static_cast<unsigned>((PAGE_SIZE << order) / size);
}

// calc_slab_order(): the smallest order in [min_order, max_order] that wastes at most
// 1/fract_leftover of the slab.
unsigned calc_slab_order(unsigned size, unsigned min_order, unsigned max_order,
                         unsigned fract_leftover) {
  unsigned order = min_order;
  for (; order <= max_order; ++order) {
    unsigned slab_size = static_cast<unsigned>(PAGE_SIZE << order);
    if (slab_size % size <= slab_size / fract_leftover) break;
  }
  return order;
}

// calculate_order() (Linux 6.x): min_objects = 4 * (fls(nr_cpu_ids) + 1) = 8 on one
// CPU, waste fractions 1/16, 1/8, 1/4 up to slub_max_order, else get_order(size).
int calculate_order(unsigned size) {
  unsigned min_objects = 4 * (fls(1) + 1);
  unsigned max_objects = std::max(order_objects(slub_max_order, size), 1U);
  min_objects = std::min(min_objects, max_objects);
  unsigned min_order = get_order(static_cast<std::uint64_t>(min_objects) * size);
  if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
    return static_cast<int>(get_order(static_cast<std::uint64_t>(size) * MAX_OBJS_PER_PAGE)) - 1;
  for (unsigned fraction = 16; fraction > 1; fraction /= 2) {
    unsigned order = calc_slab_order(size, min_order, slub_max_order, fraction);
    if (order <= slub_max_order) return static_cast<int>(order);
  }
  unsigned order = get_order(size);
  return order <= MAX_ORDER ? static_cast<int>(order) : -1;
}

// calculate_alignment() (mm/slab_common.c).
std::uint32_t calculate_alignment(std::uint32_t flags, std::uint32_t align, std::uint32_t size) {
  if (flags & SLAB_HWCACHE_ALIGN) {
    std::uint32_t ralign = cache_line_size;
    while (size <= ralign / 2) ralign /= 2;
    align = std::max(align, ralign);
  }
  align = std::max(align, ARCH_SLAB_MINALIGN);
  return ALIGN(align, WORD);
}

// list_replace() of a list head that memcpy moved: the neighbours point at the copy.
void list_moved(Kernel& k, LAddr old_head, LAddr new_head) {
  LAddr next = k.mem.get(new_head, list::next), prev = k.mem.get(new_head, list::prev);
  if (next == old_head) {
    list::init(k.mem, new_head);
    return;
  }
  k.mem.set(next, list::prev, new_head);
  k.mem.set(prev, list::next, new_head);
}

// bootstrap(): the static boot cache copied into an object of itself; its slabs now
// name the copy.
LAddr bootstrap(Kernel& k, LAddr static_cache) {
  LAddr s = slab_alloc(k, static_cache, GFP_KERNEL | __GFP_ZERO);
  if (!s) k.panic("kmem_cache_init: no memory for the kmem_cache descriptor");
  k.mem.copy(s, static_cache, kc::kSize);
  for (const Embedded& head : {kc::partial, kc::full}) {
    list_moved(k, static_cache + head, s + head);
    for (LAddr e = k.mem.get(s + head, list::next); e != s + head; e = k.mem.get(e, list::next)) {
      LAddr slab = e - page::lru;
      unsigned pages = (k.mem.get(slab, page::flags) & page::PG_head)
                           ? 1U << k.mem.get(slab, page::compound_order)
                           : 1U;
      for (unsigned i = 0; i < pages; ++i) k.mem.set(slab + i * page::kSize, page::slab_cache, s);
    }
  }
  list::add(k.mem, s + kc::list, SLAB_GLOBALS + slab_globals::slab_caches);
  return s;
}

}  // namespace

unsigned get_order(std::uint64_t size) {
  unsigned order = 0;
  while ((PAGE_SIZE << order) < size) ++order;
  return order;
}

// kmem_cache_open(): calculate_sizes() and the node's lists, in the descriptor at s.
std::uint64_t slab_ctor_index(Kernel& k, slab_ctor_t ctor) {
  if (!ctor) return 0;
  for (const auto* e = SlabCtorTable::first(); e; e = e->next())
    if (e->value.fn == ctor) return e->index();
  k.panic("kmem_cache_create: a constructor not defined with SLAB_CTOR");
}

slab_ctor_t slab_ctor_at(std::uint64_t index) {
  for (const auto* e = SlabCtorTable::first(); e; e = e->next())
    if (e->index() == index) return e->value.fn;
  return nullptr;
}

bool kmem_cache_open(Kernel& k, LAddr s, const char* name, std::uint32_t size, std::uint32_t align,
                     std::uint32_t flags, slab_ctor_t ctor) {
  flags |= k.mem.get(SLAB_GLOBALS, slab_globals::slub_debug);  // kmem_cache_flags()
  align = calculate_alignment(flags, align, size);
  std::uint32_t sz = ALIGN(size, WORD);
  if ((flags & SLAB_POISON) && !ctor)
    flags |= __OBJECT_POISON;
  else
    flags &= ~__OBJECT_POISON;
  // Red zoning needs a word after the object if alignment left no room.
  if ((flags & SLAB_RED_ZONE) && sz == size) sz += WORD;
  std::uint32_t inuse = sz, offset = 0;
  // The free pointer goes after the object when the object must stay intact while free
  // (poison, constructor, a red zone on a tiny object); else in its first word (SLUB
  // before 5.7; later kernels put it mid-object).
  if ((flags & SLAB_POISON) || ((flags & SLAB_RED_ZONE) && size < WORD) || ctor) {
    offset = sz;
    sz += WORD;
  }
  std::uint32_t red_left_pad = 0;
  if (flags & SLAB_RED_ZONE) {
    sz += WORD;  // padding that catches writes before the next object
    red_left_pad = ALIGN(WORD, align);
    sz += red_left_pad;
  }
  sz = ALIGN(sz, align);
  int order = calculate_order(sz);
  if (order < 0) return false;
  unsigned min_order = get_order(sz);
  std::uint32_t oo = oo_make(order, order_objects(order, sz));
  std::uint32_t min = oo_make(min_order, order_objects(min_order, sz));
  std::uint32_t min_partial =
      std::clamp(ilog2(sz) / 2, MIN_PARTIAL, MAX_PARTIAL);  // set_min_partial
  gfp_t allocflags = (flags & SLAB_CACHE_DMA)     ? GFP_DMA
                     : (flags & SLAB_CACHE_DMA32) ? GFP_DMA32
                                                  : 0;

  k.mem.set_pair(s, kc::flags, flags, kc::offset, offset);
  k.mem.set_pair(s, kc::object_size, size, kc::size, sz);
  k.mem.set_pair(s, kc::oo, oo, kc::min, min);
  k.mem.set_pair(s, kc::inuse, inuse, kc::red_left_pad, red_left_pad);
  k.mem.set_pair(s, kc::align, align, kc::min_partial, min_partial);
  k.mem.set_pair(s, kc::allocflags, allocflags, kc::refcount, 1);
  k.mem.set(s, kc::ctor, slab_ctor_index(k, ctor));
  k.mem.write_string(s + kc::name, name, kc::kNameLen);
  k.mem.set(s, kc::nr_partial, 0);
  list::init(k.mem, s + kc::partial);
  list::init(k.mem, s + kc::full);
  k.mem.set(s, kc::nr_slabs, 0);
  k.mem.set(s, kc::total_objects, 0);
  k.mem.set(s, kc::inuse_objects, 0);
  return true;
}

void slab_debug_enable(Kernel& k, bool on) {
  k.mem.set(SLAB_GLOBALS, slab_globals::slub_debug, on ? SLAB_DEBUG_FLAGS : 0);
}

void kmem_cache_init(Kernel& k) {
  RoutineScope scope(k, Routine::kmem_cache_create);
  list::init(k.mem, SLAB_GLOBALS + slab_globals::slab_caches);
  k.mem.zero(SLAB_GLOBALS + slab_globals::kmalloc_caches,
             8 * NR_KMALLOC_TYPES * (KMALLOC_SHIFT_HIGH + 1));
  k.mem.set(SLAB_GLOBALS, slab_globals::slab_state, DOWN);
  // create_boot_cache(kmem_cache, "kmem_cache", ...) in the static boot_kmem_cache.
  LAddr boot = SLAB_GLOBALS + slab_globals::boot_kmem_cache;
  if (!kmem_cache_open(k, boot, "kmem_cache", kc::kSize, 0, SLAB_HWCACHE_ALIGN, nullptr))
    k.panic("kmem_cache_init: cannot lay out kmem_cache");
  k.mem.set(boot, kc::refcount, static_cast<std::uint32_t>(-1));
  k.mem.set(SLAB_GLOBALS, slab_globals::kmem_cache, boot);
  k.mem.set(SLAB_GLOBALS, slab_globals::slab_state, PARTIAL);
  LAddr s = bootstrap(k, boot);
  k.mem.set(SLAB_GLOBALS, slab_globals::kmem_cache, s);
  create_kmalloc_caches(k);
  k.mem.set(SLAB_GLOBALS, slab_globals::slab_state, UP);
  k.printk("SLUB: HWalign=" + std::to_string(cache_line_size) + ", Order=0-" +
           std::to_string(slub_max_order) + ", MinObjects=0, CPUs=1, Nodes=1");
}

LAddr kmem_cache_create(Kernel& k, const char* name, std::uint32_t size, std::uint32_t align,
                        std::uint32_t flags, slab_ctor_t ctor) {
  RoutineScope scope(k, Routine::kmem_cache_create);
  if (k.mem.get(SLAB_GLOBALS, slab_globals::slab_state) < UP)
    k.panic("kmem_cache_create before kmem_cache_init");
  const int kEINVAL = 22, kENOMEM = 12;  // errno values
  int err = 0;
  LAddr s = 0;
  // kmem_cache_create_usercopy() argument checks (and a power-of-two alignment).
  if (!name || size < WORD || size > 0x7fffffffU || (align & (align - 1))) {
    err = kEINVAL;
  } else {
    s = slab_alloc(k, k.mem.get(SLAB_GLOBALS, slab_globals::kmem_cache), GFP_KERNEL | __GFP_ZERO);
    if (!s) {
      err = kENOMEM;
    } else if (!kmem_cache_open(k, s, name, size, align, flags & CACHE_CREATE_MASK, ctor)) {
      kmem_cache_free(k, k.mem.get(SLAB_GLOBALS, slab_globals::kmem_cache), s);
      s = 0;
      err = kEINVAL;
    }
  }
  if (err) {
    std::string cname = name ? name : "(null)";
    if (flags & SLAB_PANIC)
      k.panic("kmem_cache_create: Failed to create slab '" + cname + "'. Error " +
              std::to_string(-err));
    k.printk("kmem_cache_create(" + cname + ") failed with error " + std::to_string(-err));
    return 0;
  }
  list::add(k.mem, s + kc::list, SLAB_GLOBALS + slab_globals::slab_caches);
  DPRINTF(Slab, "slab", "kmem_cache_create {} size {} align {} flags {:#x} -> {:#x}", name, size,
          align, flags, s);
  return s;
}

// kmem_cache_destroy() -> __kmem_cache_shutdown(): refused while objects are allocated
// (the cache stays usable); else every (empty) slab goes back to the buddy allocator and
// the descriptor to the kmem_cache cache.
void kmem_cache_destroy(Kernel& k, LAddr cache) {
  if (!cache) return;
  RoutineScope scope(k, Routine::kmem_cache_destroy);
  DPRINTF(Slab, "slab", "kmem_cache_destroy {:#x}", cache);
  auto refcount = static_cast<std::int32_t>(k.mem.get(cache, kc::refcount)) - 1;
  if (refcount != 0) {  // still shared (or a boot cache, refcount -1)
    k.mem.set(cache, kc::refcount, static_cast<std::uint32_t>(refcount));
    return;
  }
  if (k.mem.get(cache, kc::inuse_objects) != 0) {
    k.printk("kmem_cache_destroy " + cache_name(k, cache) + ": Slab cache still has objects");
    return;
  }
  k.mem.set(cache, kc::refcount, 0);
  LAddr head = cache + kc::partial;
  for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(head, list::next)) {
    list::del(k.mem, e);
    discard_slab(k, cache, e - page::lru);
  }
  k.mem.set(cache, kc::nr_partial, 0);
  list::del(k.mem, cache + kc::list);
  LAddr kmem_cache = k.mem.get(SLAB_GLOBALS, slab_globals::kmem_cache);
  slab_free(k, kmem_cache, virt_to_slab(k, cache), cache);
}

}  // namespace mmvp::sw
