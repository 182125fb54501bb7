// SLUB-like slabs and objects (mm/slub.c): allocate_slab / discard_slab on the buddy
// allocator, the free list threaded through the free objects, the node's partial and
// full lists, kmem_cache_alloc / kmem_cache_free. One CPU and one node: there is no
// per-CPU slab, allocation takes the first partial slab (Linux's get_partial_node
// refilling the CPU slab, collapsed into one step).
#include <cstdio>

#include "sw/kernel/printk.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab_internal.h"

namespace mmvp::sw {
namespace {

// Node counters (inc_slabs_node / dec_slabs_node, the inuse count).
void add_to_counter(Kernel& k, LAddr s, Field<std::uint64_t> counter, std::int64_t delta) {
  k.mem.add(s, counter, static_cast<std::uint64_t>(delta));
}

// add_partial / remove_partial and the debug full list (mm/slub.c).
void add_partial(Kernel& k, LAddr s, LAddr slab, bool tail) {
  if (tail)
    list::add_tail(k.mem, slab + page::lru, s + kc::partial);
  else
    list::add(k.mem, slab + page::lru, s + kc::partial);
  add_to_counter(k, s, kc::nr_partial, 1);
}
void remove_partial(Kernel& k, LAddr s, LAddr slab) {
  list::del(k.mem, slab + page::lru);
  add_to_counter(k, s, kc::nr_partial, -1);
}

// setup_object(): debug init of a fresh object, then the constructor.
void setup_object(Kernel& k, const SlabGeom& g, LAddr object) {
  if (g.debug()) init_object(k, g, object, SLUB_RED_INACTIVE);
  if (g.ctor) slab_ctor_at(g.ctor)(k, object);
}

// The pages of a slab (head first): PG_slab and slab_cache (__folio_set_slab), and the
// compound_head of the tail pages (prep_compound_page; alloc_pages() already gave the
// head PG_head and its compound_order).
void mark_slab_pages(Kernel& k, LAddr slab, LAddr s, unsigned order) {
  k.mem.set(slab, page::flags, k.mem.get(slab, page::flags) | page::PG_slab);
  k.mem.set(slab, page::slab_cache, s);
  for (unsigned i = 1; i < (1U << order); ++i) {
    LAddr tail = slab + i * page::kSize;
    k.mem.set(tail, page::flags, k.mem.get(tail, page::flags) | page::PG_slab);
    k.mem.set(tail + page::lru, list::next, slab | 1);  // compound_head
    k.mem.set(tail, page::slab_cache, s);
  }
}

// allocate_slab(): a slab of the cache's order, or of s->min if that fails.
LAddr allocate_slab(Kernel& k, const SlabGeom& g, gfp_t gfp) {
  gfp_t alloc_gfp = (gfp & ~__GFP_ZERO) | g.allocflags;
  std::uint32_t oo = g.oo;
  LAddr slab = alloc_pages(k, alloc_gfp | __GFP_NOWARN, oo_order(oo));
  if (!slab && g.min != g.oo) {
    oo = g.min;
    slab = alloc_pages(k, alloc_gfp, oo_order(oo));
  }
  if (!slab) return 0;
  const unsigned order = oo_order(oo), objects = oo_objects(oo);
  mark_slab_pages(k, slab, g.s, order);
  LAddr start = slab_address(slab);
  setup_slab_debug(k, g, start, PAGE_SIZE << order);
  // Objects in address order (CONFIG_SLAB_FREELIST_RANDOM not modelled).
  LAddr p = start + g.red_left_pad;
  setup_object(k, g, p);
  k.mem.set(slab, page::freelist, p);
  for (unsigned i = 1; i < objects; ++i) {
    LAddr next = p + g.size;
    setup_object(k, g, next);
    set_freepointer(k, g, p, next);
    p = next;
  }
  set_freepointer(k, g, p, 0);
  k.mem.set(slab, page::counters, page::make_counters(0, objects));
  add_to_counter(k, g.s, kc::nr_slabs, 1);
  add_to_counter(k, g.s, kc::total_objects, objects);
  mod_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B, static_cast<std::int64_t>(PAGE_SIZE << order));
  DPRINTF(Slab, "slab", "cache {:#x}: new slab pfn {:#x} order {}, {} objects", g.s,
          page::page_to_pfn(slab), order, objects);
  return slab;
}

}  // namespace

SlabGeom read_geom(Kernel& k, LAddr s) {
  SlabGeom g;
  g.s = s;
  k.mem.get_pair(s, kc::flags, g.flags, kc::offset, g.offset);
  k.mem.get_pair(s, kc::object_size, g.object_size, kc::size, g.size);
  k.mem.get_pair(s, kc::oo, g.oo, kc::min, g.min);
  k.mem.get_pair(s, kc::inuse, g.inuse, kc::red_left_pad, g.red_left_pad);
  k.mem.get_pair(s, kc::align, g.align, kc::min_partial, g.min_partial);
  g.allocflags = k.mem.get(s, kc::allocflags);
  g.ctor = k.mem.get(s, kc::ctor);
  return g;
}

LAddr virt_to_slab(Kernel& k, LAddr object) {
  LAddr pg = page::virt_to_page(object);
  std::uint64_t head = k.mem.get(pg + page::lru, list::next);
  return (head & 1) ? head - 1 : pg;
}

LAddr virt_to_cache(Kernel& k, LAddr object) {
  if (object < PAGE_OFFSET || object >= VMALLOC_START) return 0;
  LAddr pg = page::virt_to_page(object);
  if (!(k.mem.get(pg, page::flags) & page::PG_slab)) return 0;
  return k.mem.get(pg, page::slab_cache);
}

std::string cache_name(Kernel& k, LAddr s) {
  return k.mem.read_string(s + kc::name, kc::kNameLen);
}

// discard_slab() -> __free_slab(): the pages lose PG_slab and go back to the buddy
// allocator (which checks and clears the head's compound order).
void discard_slab(Kernel& k, LAddr s, LAddr slab) {
  std::uint64_t f = k.mem.get(slab, page::flags);
  unsigned order = (f & page::PG_head) ? k.mem.get(slab, page::compound_order) : 0;
  unsigned objects = k.mem.get(slab, page::objects);
  DPRINTF(Slab, "slab", "cache {:#x}: discard slab pfn {:#x} order {}", s, page::page_to_pfn(slab),
          order);
  for (unsigned i = 1; i < (1U << order); ++i) {
    LAddr tail = slab + i * page::kSize;
    k.mem.set(tail, page::flags, k.mem.get(tail, page::flags) & ~page::PG_slab);
    k.mem.set(tail + page::lru, list::next, 0);
    k.mem.set(tail, page::slab_cache, 0);
  }
  k.mem.set(slab, page::flags, f & ~page::PG_slab);
  k.mem.set(slab, page::slab_cache, 0);
  k.mem.set(slab, page::freelist, 0);
  add_to_counter(k, s, kc::nr_slabs, -1);
  add_to_counter(k, s, kc::total_objects, -static_cast<std::int64_t>(objects));
  mod_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B, -static_cast<std::int64_t>(PAGE_SIZE << order));
  __free_pages(k, slab, order);
}

// slab_alloc(): the first free object of the first partial slab, or of a new slab.
LAddr slab_alloc(Kernel& k, LAddr s, gfp_t gfp) {
  k.cpu.charge(10);
  SlabGeom g;
  k.mem.get_pair(s, kc::flags, g.flags, kc::offset, g.offset);
  const bool debug = g.debug();
  if (debug) g = read_geom(k, s);
  LAddr head = s + kc::partial;
  LAddr first = k.mem.get(head, list::next);
  LAddr slab;
  if (first == head) {
    if (!debug) g = read_geom(k, s);
    slab = allocate_slab(k, g, gfp);
    if (!slab) return 0;
    add_partial(k, s, slab, false);
  } else {
    slab = first - page::lru;
  }
  LAddr object = k.mem.get(slab, page::freelist);
  if (g.flags & SLAB_CONSISTENCY_CHECKS) alloc_consistency_checks(k, g, slab, object);
  k.mem.set(slab, page::freelist, get_freepointer(k, g, object));
  const std::uint32_t counters = k.mem.get(slab, page::counters);
  const unsigned inuse = page::counters_inuse(counters) + 1;
  const unsigned objects = page::counters_objects(counters);
  k.mem.set(slab, page::inuse, static_cast<std::uint16_t>(inuse));
  if (inuse == objects) {  // the slab is full: off the partial list
    remove_partial(k, s, slab);
    list::add(k.mem, slab + page::lru, s + kc::full);
  }
  add_to_counter(k, s, kc::inuse_objects, 1);
  if (debug) init_object(k, g, object, SLUB_RED_ACTIVE);
  if (gfp & __GFP_ZERO) k.mem.zero(object, k.mem.get(s, kc::object_size));
  DPRINTF(Slab, "slab", "cache {:#x}: alloc {:#x} ({} of {} in use)", s, object, inuse, objects);
  return object;
}

// __slab_free(): back on the slab's free list; a full slab becomes partial; an empty
// slab goes back to the buddy allocator once the node keeps min_partial partial slabs
// (the Linux rule: `!new.inuse && n->nr_partial >= s->min_partial` -> slab_empty).
void slab_free(Kernel& k, LAddr s, LAddr slab, LAddr object) {
  k.cpu.charge(10);
  SlabGeom g;
  k.mem.get_pair(s, kc::flags, g.flags, kc::offset, g.offset);
  if (g.debug()) {
    g = read_geom(k, s);
    if (g.flags & SLAB_CONSISTENCY_CHECKS) free_consistency_checks(k, g, slab, object);
    init_object(k, g, object, SLUB_RED_INACTIVE);
  }
  LAddr prior = k.mem.get(slab, page::freelist);
  set_freepointer(k, g, object, prior);
  k.mem.set(slab, page::freelist, object);
  const unsigned inuse = slab_inuse(k, slab) - 1u;
  k.mem.set(slab, page::inuse, static_cast<std::uint16_t>(inuse));
  add_to_counter(k, s, kc::inuse_objects, -1);
  DPRINTF(Slab, "slab", "cache {:#x}: free {:#x} ({} in use)", s, object, inuse);
  if (!prior) list::del(k.mem, slab + page::lru);  // was full
  if (inuse == 0 && k.mem.get(s, kc::nr_partial) >= k.mem.get(s, kc::min_partial)) {
    if (prior) remove_partial(k, s, slab);
    discard_slab(k, s, slab);
  } else if (!prior) {
    add_partial(k, s, slab, true);  // DEACTIVATE_TO_TAIL
  }
}

LAddr kmem_cache_alloc(Kernel& k, LAddr cache, gfp_t gfp) {
  RoutineScope scope(k, Routine::kmem_cache_alloc);
  return slab_alloc(k, cache, gfp);
}

void kmem_cache_free(Kernel& k, LAddr cache, LAddr object) {
  if (!object) return;
  RoutineScope scope(k, Routine::kmem_cache_free);
  LAddr s = virt_to_cache(k, object);
  bool debug = (k.mem.get(cache, kc::flags) & SLAB_CONSISTENCY_CHECKS) != 0;
  if (!s) {
    if (debug) report_not_a_slab_object(k, read_geom(k, cache), object);
    k.panic("kmem_cache_free: object " + hex(object) + " is not in a slab page");
  }
  if (s != cache && debug) {
    // cache_from_obj(): the WARN of a free into the wrong cache.
    std::string what = "kmem_cache_free: Wrong slab cache. " + cache_name(k, cache) +
                       " but object is from " + cache_name(k, s);
    k.printk(what);
    throw SlabCorruption(what);
  }
  slab_free(k, s, virt_to_slab(k, object), object);
}

SlabCounts count_slabs(Kernel& k, LAddr s) {
  SlabCounts c;
  for (const Embedded& slab_list : {kc::partial, kc::full}) {
    LAddr head = s + slab_list;
    for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) {
      LAddr slab = e - page::lru;
      const std::uint32_t counters = k.mem.get(slab, page::counters);
      ++c.slabs;
      c.inuse += page::counters_inuse(counters);
      c.objects += page::counters_objects(counters);
      ++(slab_list.offset == kc::partial.offset ? c.partial : c.full);
    }
  }
  return c;
}

}  // namespace mmvp::sw
