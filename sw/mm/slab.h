// The slab allocator (SLUB-like, mm/slub.c): kmem_cache descriptors, slabs of
// objects in buddy pages with the free list threaded through the free objects,
// full/partial/free slabs, kmalloc size classes and dma-kmalloc caches, and a debug
// mode with red zones and poisoning. Implemented in sw/mm/slab.cpp (+ slab_debug.cpp).
#pragma once
#include <cstdint>
#include <functional>

#include "sw/kernel/kernel.h"
#include "sw/kernel/static_table.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// kmem_cache_create flags (include/linux/slab.h values).
inline constexpr std::uint32_t SLAB_CONSISTENCY_CHECKS = 0x00000100;
inline constexpr std::uint32_t SLAB_RED_ZONE = 0x00000400;
inline constexpr std::uint32_t SLAB_POISON = 0x00000800;
inline constexpr std::uint32_t SLAB_HWCACHE_ALIGN = 0x00002000;
inline constexpr std::uint32_t SLAB_CACHE_DMA = 0x00004000;
inline constexpr std::uint32_t SLAB_CACHE_DMA32 = 0x00008000;
inline constexpr std::uint32_t SLAB_STORE_USER = 0x00010000;
inline constexpr std::uint32_t SLAB_PANIC = 0x00040000;
// Red zones + poisoning + consistency checks (like slub_debug=FZP).
inline constexpr std::uint32_t SLAB_DEBUG_FLAGS =
    SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON;

// A constructor runs on every object when a new slab is allocated (object address).
using slab_ctor_t = void (*)(Kernel& k, LAddr object);

// The kernel image's constructors (static_table.h): kmem_cache_create takes only
// constructors defined with SLAB_CTOR, and struct kmem_cache keeps the constructor's
// index in this table, so guest memory never holds a host address.
struct SlabCtor {
  const char* name;
  slab_ctor_t fn;
};
using SlabCtorTable = StaticTable<SlabCtor>;
// SLAB_CTOR(my_ctor)(Kernel& k, LAddr object) { ... } defines and registers my_ctor.
#define SLAB_CTOR(fn)                                                             \
  static void fn(::mmvp::sw::Kernel&, ::mmvp::LAddr);                             \
  static const ::mmvp::sw::SlabCtorTable::Entry slab_ctor_entry_##fn{{#fn, &fn}}; \
  static void fn

// Sets up the boot caches (kmem_cache, kmalloc-*, dma-kmalloc-*); after the buddy
// allocator is up (kmem_cache_init()).
void kmem_cache_init(Kernel& k);
// Turn slab debugging on for every cache created afterwards (slub_debug=FZP).
void slab_debug_enable(Kernel& k, bool on);

LAddr kmem_cache_create(Kernel& k, const char* name, std::uint32_t size, std::uint32_t align,
                        std::uint32_t flags, slab_ctor_t ctor);
void kmem_cache_destroy(Kernel& k, LAddr cache);
LAddr kmem_cache_alloc(Kernel& k, LAddr cache, gfp_t gfp);
void kmem_cache_free(Kernel& k, LAddr cache, LAddr object);

LAddr kmalloc(Kernel& k, std::uint64_t size, gfp_t gfp);
LAddr kzalloc(Kernel& k, std::uint64_t size, gfp_t gfp);
LAddr krealloc(Kernel& k, LAddr p, std::uint64_t new_size, gfp_t gfp);
void kfree(Kernel& k, LAddr p);
std::uint64_t ksize(Kernel& k, LAddr p);

// Checks every slab and every free object of a debug cache, like writing to
// /sys/kernel/slab/<name>/validate (mm/slub.c validate_slab_cache): a corruption is
// reported and thrown as below. Returns the number of slabs checked.
std::uint64_t validate_slab_cache(Kernel& k, LAddr cache);

// A slab debug report ("BUG kmalloc-64 (Not tainted): Redzone overwritten" and the
// like, as SLUB prints them) is printed with printk and thrown as SlabCorruption.
struct SlabCorruption : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mmvp::sw
