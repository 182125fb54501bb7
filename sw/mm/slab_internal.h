// The slab allocator's guest-memory structures and the helpers shared by its files
// (slab.cpp: caches and slabs, slab_kmalloc.cpp: size classes, slab_debug.cpp: red
// zones, poisoning and reports, sw/proc/slabinfo.cpp, the self-tests).
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"
#include "sw/mm/page.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {

// struct kmem_cache (include/linux/slub_def.h) with its single struct kmem_cache_node
// (mm/slub.c) embedded at `node` instead of pointed to: one node, one CPU, so there
// are no per-CPU slabs and no kmem_cache_node cache. The name is stored inline.
namespace kc {
inline constexpr Field<std::uint32_t> flags{0};        // slab_flags_t (+ __OBJECT_POISON)
inline constexpr Field<std::uint32_t> offset{4};       // free pointer offset in a free object
inline constexpr Field<std::uint32_t> object_size{8};  // the size the user asked for
inline constexpr Field<std::uint32_t> size{12};   // stride of objects in a slab (with metadata)
inline constexpr Field<std::uint32_t> oo{16};     // kmem_cache_order_objects: order << 16 | objects
inline constexpr Field<std::uint32_t> min{20};    // the fallback order/objects (get_order(size))
inline constexpr Field<std::uint32_t> inuse{24};  // offset of the metadata after the object
inline constexpr Field<std::uint32_t> red_left_pad{28};  // left red zone in front of each object
inline constexpr Field<std::uint32_t> align{32};
inline constexpr Field<std::uint32_t> min_partial{36};  // empty slabs kept on the partial list
inline constexpr Field<std::uint32_t> allocflags{40};   // gfp_t added to every slab allocation
inline constexpr Field<std::int32_t> refcount{44};      // -1 for boot caches (never merged)
// The constructor, as an index into the kernel's constructor table (slab_ctor_index):
// a code address fixed at link time, never a host pointer. 0: none.
inline constexpr Field<std::uint64_t> ctor{48};
inline constexpr unsigned kNameLen = 32;
inline constexpr Embedded name{56, kNameLen};     // char[32]
inline constexpr Embedded list{88, list::kSize};  // on slab_caches
// struct kmem_cache_node node[0]
inline constexpr Field<std::uint64_t> nr_partial{104};
inline constexpr Embedded partial{112, list::kSize};  // slabs with free and used objects
// The full list: Linux keeps it only with SLAB_STORE_USER debugging; here always, so
// /proc/slabinfo, destroy and validation can walk every slab.
inline constexpr Embedded full{128, list::kSize};
inline constexpr Field<std::uint64_t> nr_slabs{144};       // atomic_long_t nr_slabs
inline constexpr Field<std::uint64_t> total_objects{152};  // atomic_long_t total_objects
inline constexpr Field<std::uint64_t> inuse_objects{160};  // allocated objects (not in Linux)
inline constexpr unsigned kSize = 168;
}  // namespace kc

// Linux's global slab state (mm/slab_common.c, mm/slub.c) in the SLAB .data slot.
inline const LAddr& SLAB_GLOBALS = layout::SLAB;
namespace slab_globals {
inline constexpr Embedded slab_caches{0, list::kSize};  // every cache, newest first
inline constexpr Field<std::uint32_t> slab_state{16};   // enum slab_state
inline constexpr Field<std::uint32_t> slub_debug{20};   // debug flags for caches created next
inline constexpr Field<LAddr> kmem_cache{24};           // the cache of kmem_cache descriptors
inline constexpr unsigned kmalloc_caches = 32;  // LAddr[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1]
inline constexpr Embedded boot_kmem_cache{512, kc::kSize};  // struct kmem_cache, until bootstrap()
inline constexpr unsigned kSize = boot_kmem_cache.end();
}  // namespace slab_globals
static_assert(slab_globals::kSize <= 0x4000, "slab globals outgrow their .data slot");

enum slab_state : std::uint32_t { DOWN = 0, PARTIAL = 1, UP = 2, FULL = 3 };

// kmalloc geometry (include/linux/slab.h for SLUB on x86-64 with 4 KB pages).
inline constexpr unsigned KMALLOC_SHIFT_LOW = 3;
inline constexpr unsigned KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1;
inline constexpr std::uint64_t KMALLOC_MAX_CACHE_SIZE = 1ULL << KMALLOC_SHIFT_HIGH;  // 8192
inline constexpr unsigned KMALLOC_MIN_SIZE = 8;
enum kmalloc_cache_type : unsigned { KMALLOC_NORMAL = 0, KMALLOC_DMA = 1, NR_KMALLOC_TYPES = 2 };
inline constexpr LAddr ZERO_SIZE_PTR = 16;  // kmalloc(0)
inline bool ZERO_OR_NULL_PTR(LAddr p) {
  return p <= ZERO_SIZE_PTR;
}
// kmalloc_caches[type][index] (read and written at SLAB_GLOBALS).
inline constexpr Field<LAddr> kmalloc_cache_slot(unsigned type, unsigned index) {
  return Field<LAddr>{slab_globals::kmalloc_caches + 8 * (type * (KMALLOC_SHIFT_HIGH + 1) + index)};
}

// Internal flags and SLUB's debug byte values (include/linux/poison.h, mm/slub.c).
inline constexpr std::uint32_t __OBJECT_POISON = 0x80000000U;
inline constexpr std::uint8_t SLUB_RED_INACTIVE = 0xbb;
inline constexpr std::uint8_t SLUB_RED_ACTIVE = 0xcc;
inline constexpr std::uint8_t POISON_INUSE = 0x5a;
inline constexpr std::uint8_t POISON_FREE = 0x6b;
inline constexpr std::uint8_t POISON_END = 0xa5;
inline constexpr unsigned OO_SHIFT = 16;
inline constexpr unsigned slub_max_order = 3;  // PAGE_ALLOC_COSTLY_ORDER
inline constexpr unsigned MIN_PARTIAL = 5, MAX_PARTIAL = 10;
inline constexpr unsigned cache_line_size = 64;

// The fields of one cache, read into locals for one operation (registers, not state).
// struct kmem_cache_order_objects (mm/slub.c): order << OO_SHIFT | objects.
inline constexpr std::uint32_t oo_make(unsigned order, unsigned objects) {
  return (order << OO_SHIFT) | objects;
}
inline constexpr unsigned oo_order(std::uint32_t oo) {
  return oo >> OO_SHIFT;
}
inline constexpr unsigned oo_objects(std::uint32_t oo) {
  return oo & ((1U << OO_SHIFT) - 1);
}

struct SlabGeom {
  LAddr s = 0;
  std::uint32_t flags = 0, offset = 0, object_size = 0, size = 0, oo = 0, min = 0, inuse = 0,
                red_left_pad = 0, align = 0, min_partial = 0, allocflags = 0;
  std::uint64_t ctor = 0;  // constructor index (kc::ctor)
  unsigned order() const { return oo_order(oo); }
  unsigned objects() const { return oo_objects(oo); }
  bool debug() const { return (flags & SLAB_DEBUG_FLAGS) != 0; }
};

// The free pointer of a free object (mm/slub.c get_freepointer / set_freepointer): the
// next free object, stored s->offset bytes into this one.
inline LAddr get_freepointer(Kernel& k, const SlabGeom& g, LAddr object) {
  return k.mem.r64(object + g.offset);
}
inline void set_freepointer(Kernel& k, const SlabGeom& g, LAddr object, LAddr fp) {
  k.mem.w64(object + g.offset, fp);
}
// The objects in use in a slab (struct slab's inuse).
inline unsigned slab_inuse(Kernel& k, LAddr slab) {
  return k.mem.get(slab, page::inuse);
}
SlabGeom read_geom(Kernel& k, LAddr s);

// The slab (head struct page) an object lives in: compound_head() of its page; tail
// pages of a slab hold head | 1 in their first lru word like Linux's compound_head.
LAddr virt_to_slab(Kernel& k, LAddr object);
// The cache of a slab object, or 0 if the address is not in a slab page.
LAddr virt_to_cache(Kernel& k, LAddr object);
std::string cache_name(Kernel& k, LAddr s);
inline LAddr slab_address(LAddr slab) {
  return page::page_to_virt(slab);
}
// The first object of a slab (fixup_red_left).
inline LAddr slab_first_object(const SlabGeom& g, LAddr slab) {
  return slab_address(slab) + g.red_left_pad;
}

// slab.cpp: objects in and out of slabs, slabs in and out of the buddy allocator.
LAddr slab_alloc(Kernel& k, LAddr s, gfp_t gfp);
void slab_free(Kernel& k, LAddr s, LAddr slab, LAddr object);
void discard_slab(Kernel& k, LAddr s, LAddr slab);
// slab_cache.cpp: kmem_cache_open() of a descriptor (calculate_sizes, orders, lists).
bool kmem_cache_open(Kernel& k, LAddr s, const char* name, std::uint32_t size, std::uint32_t align,
                     std::uint32_t flags, slab_ctor_t ctor);
// The table index a cache stores for ctor (0 for none; a panic for a constructor not
// defined with SLAB_CTOR), and the constructor of an index.
std::uint64_t slab_ctor_index(Kernel& k, slab_ctor_t ctor);
slab_ctor_t slab_ctor_at(std::uint64_t index);
// get_order(): the smallest order whose block holds `size` bytes.
unsigned get_order(std::uint64_t size);
// slab_kmalloc.cpp: create_kmalloc_caches() at boot.
void create_kmalloc_caches(Kernel& k);

// slab_debug.cpp: the SLUB debug hooks (mm/slub.c CONFIG_SLUB_DEBUG), all throwing
// SlabCorruption after printing the report.
void setup_slab_debug(Kernel& k, const SlabGeom& g, LAddr slab_addr, std::uint64_t bytes);
void init_object(Kernel& k, const SlabGeom& g, LAddr object, std::uint8_t val);
void alloc_consistency_checks(Kernel& k, const SlabGeom& g, LAddr slab, LAddr object);
void free_consistency_checks(Kernel& k, const SlabGeom& g, LAddr slab, LAddr object);
// kmem_cache_free() of an address outside any slab page of a debug cache.
[[noreturn]] void report_not_a_slab_object(Kernel& k, const SlabGeom& g, LAddr object);

// The number of objects of a cache counted by walking its slabs: used / total.
struct SlabCounts {
  std::uint64_t slabs = 0, objects = 0, inuse = 0, partial = 0, full = 0;
};
SlabCounts count_slabs(Kernel& k, LAddr s);

}  // namespace mmvp::sw
