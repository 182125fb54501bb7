// Self-tests of the slab allocator (suite `slab`): size classes and alignment, the
// constructor, slab list transitions, object placement, pages back to the buddy
// allocator, kmalloc_large, GFP_DMA, krealloc, counters and /proc/slabinfo. They hold
// with and without slub_debug (geometry is read from the descriptors).
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab_ktest_util.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

using slab_ktest::ConsoleCapture;
using slab_ktest::objects_per_slab;
using slab_ktest::slab_order;

constexpr std::uint64_t kCtorMagic = 0xc7c7c7c700000000ULL;
constexpr std::uint64_t kCtorTwice = 0xdeadc7c7deadc7c7ULL;

// Marks the object; a second run on the same object (without the slab having gone back
// to the buddy allocator) leaves kCtorTwice in word 1.
SLAB_CTOR(marking_ctor)(Kernel& k, LAddr object) {
  k.mem.w64(object, object ^ kCtorMagic);
  LAddr second = object + 8;
  k.mem.w64(second,
            k.mem.r64(second) == (object ^ ~kCtorMagic) ? kCtorTwice : object ^ ~kCtorMagic);
}

std::uint64_t pattern(LAddr object, unsigned word) {
  return object * 31 + word;
}

}  // namespace

KTEST(slab, kmalloc_size_classes) {
  Kernel& k = t.k;
  struct Case {
    std::uint64_t size;
    const char* cache;
    std::uint64_t align;  // the largest power of two dividing the class size
  } cases[] = {{1, "kmalloc-8", 8},        {8, "kmalloc-8", 8},        {9, "kmalloc-16", 16},
               {33, "kmalloc-64", 64},     {64, "kmalloc-64", 64},     {65, "kmalloc-96", 32},
               {96, "kmalloc-96", 32},     {97, "kmalloc-128", 128},   {129, "kmalloc-192", 64},
               {192, "kmalloc-192", 64},   {193, "kmalloc-256", 256},  {513, "kmalloc-1k", 1024},
               {2048, "kmalloc-2k", 2048}, {4000, "kmalloc-4k", 4096}, {8192, "kmalloc-8k", 8192}};
  for (const Case& c : cases) {
    LAddr p = kmalloc(k, c.size, GFP_KERNEL);
    KEXPECT(p != 0);
    KEXPECT_STREQ(cache_name(k, virt_to_cache(k, p)), c.cache);
    KEXPECT_EQ(p % c.align, 0u);
    std::uint64_t class_size = k.mem.get(virt_to_cache(k, p), kc::object_size);
    KEXPECT_EQ(ksize(k, p), class_size);
    KEXPECT(ksize(k, p) >= c.size);
    kfree(k, p);
  }
  KEXPECT_EQ(kmalloc(k, 0, GFP_KERNEL), ZERO_SIZE_PTR);
  KEXPECT_EQ(ksize(k, ZERO_SIZE_PTR), 0u);
  kfree(k, 0);  // no-ops
  kfree(k, ZERO_SIZE_PTR);
}

KTEST(slab, cache_alignment) {
  Kernel& k = t.k;
  struct Case {
    std::uint32_t size, align, flags, expect_align;
  } cases[] = {{40, 64, 0, 64},
               {100, 0, SLAB_HWCACHE_ALIGN, 64},
               {20, 0, SLAB_HWCACHE_ALIGN, 32},  // small objects: half a line at a time
               {24, 0, 0, 8}};
  for (const Case& c : cases) {
    LAddr s = kmem_cache_create(k, "ktest-align", c.size, c.align, c.flags, nullptr);
    KEXPECT(s != 0);
    KEXPECT_EQ(k.mem.get(s, kc::align), c.expect_align);
    LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL), b = kmem_cache_alloc(k, s, GFP_KERNEL);
    KEXPECT_EQ(a % c.expect_align, 0u);
    KEXPECT_EQ(b % c.expect_align, 0u);
    KEXPECT(b - a >= c.size);
    kmem_cache_free(k, s, a);
    kmem_cache_free(k, s, b);
    kmem_cache_destroy(k, s);
  }
  // Linux's argument checks: objects smaller than a pointer, odd alignment.
  ConsoleCapture con(k);
  KEXPECT_EQ(kmem_cache_create(k, "ktest-tiny", 4, 0, 0, nullptr), 0u);
  KEXPECT(con.has("kmem_cache_create(ktest-tiny) failed with error -22"));
  KEXPECT_EQ(kmem_cache_create(k, "ktest-odd", 64, 24, 0, nullptr), 0u);
}

KTEST(slab, ctor_runs_once_per_object_of_a_new_slab) {
  Kernel& k = t.k;
  LAddr s = kmem_cache_create(k, "ktest-ctor", 64, 0, 0, marking_ctor);
  KEXPECT(s != 0);
  KEXPECT(k.mem.get(s, kc::offset) >= 64u);  // the free pointer stays out of the object
  // Guest memory holds the constructor's index in the kernel's table, not a host address.
  const std::uint64_t index = k.mem.get(s, kc::ctor);
  KEXPECT(index >= 1 && index <= SlabCtorTable::size());
  KEXPECT(slab_ctor_at(index) == &marking_ctor);
  unsigned n = objects_per_slab(k, s);
  LAddr list = kmalloc(k, 8ULL * 2 * n, GFP_KERNEL);
  for (unsigned i = 0; i < 2 * n; ++i) k.mem.w64(list + 8 * i, kmem_cache_alloc(k, s, GFP_KERNEL));
  KEXPECT_EQ(slab_ktest::node_field(k, s, kc::nr_slabs), 2u);
  for (unsigned i = 0; i < 2 * n; ++i) {
    LAddr o = k.mem.r64(list + 8 * i);
    KEXPECT_EQ(k.mem.r64(o), o ^ kCtorMagic);
    KEXPECT_EQ(k.mem.r64(o + 8), o ^ ~kCtorMagic);  // and only once
    k.mem.w64(o, 0x1234);                           // the user changes the object
  }
  // Reuse does not construct again: the object comes back as the user left it.
  LAddr o = k.mem.r64(list);
  kmem_cache_free(k, s, o);
  KEXPECT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), o);
  KEXPECT_EQ(k.mem.r64(o), 0x1234u);
  for (unsigned i = 0; i < 2 * n; ++i) kmem_cache_free(k, s, k.mem.r64(list + 8 * i));
  kfree(k, list);
  kmem_cache_destroy(k, s);
}

KTEST(slab, full_partial_and_free_transitions) {
  Kernel& k = t.k;
  LAddr s = kmem_cache_create(k, "ktest-lists", 256, 0, 0, nullptr);
  unsigned n = objects_per_slab(k, s), min_partial = k.mem.get(s, kc::min_partial);
  unsigned slabs = min_partial + 3;
  LAddr list = kmalloc(k, 8ULL * slabs * n, GFP_KERNEL);
  auto nr = [&](Field<std::uint64_t> field) { return slab_ktest::node_field(k, s, field); };
  for (unsigned i = 0; i < n; ++i) k.mem.w64(list + 8 * i, kmem_cache_alloc(k, s, GFP_KERNEL));
  KEXPECT_EQ(nr(kc::nr_slabs), 1u);
  KEXPECT_EQ(nr(kc::nr_partial), 0u);  // full: on the full list
  KEXPECT_EQ(count_slabs(k, s).full, 1u);
  kmem_cache_free(k, s, k.mem.r64(list));  // full -> partial
  KEXPECT_EQ(nr(kc::nr_partial), 1u);
  KEXPECT_EQ(count_slabs(k, s).full, 0u);
  k.mem.w64(list, kmem_cache_alloc(k, s, GFP_KERNEL));  // partial -> full
  KEXPECT_EQ(nr(kc::nr_partial), 0u);
  KEXPECT_EQ(nr(kc::nr_slabs), 1u);
  for (unsigned i = n; i < slabs * n; ++i)
    k.mem.w64(list + 8 * i, kmem_cache_alloc(k, s, GFP_KERNEL));
  KEXPECT_EQ(nr(kc::nr_slabs), slabs);
  KEXPECT_EQ(nr(kc::total_objects), std::uint64_t{slabs} * n);
  KEXPECT_EQ(nr(kc::inuse_objects), std::uint64_t{slabs} * n);
  // Emptying slab after slab: each becomes partial; empty ones go back to the buddy
  // allocator once min_partial slabs are on the partial list (__slab_free).
  for (unsigned i = 0; i < slabs * n; ++i) kmem_cache_free(k, s, k.mem.r64(list + 8 * i));
  KEXPECT_EQ(nr(kc::inuse_objects), 0u);
  KEXPECT_EQ(nr(kc::nr_slabs), min_partial - 1u);
  KEXPECT_EQ(nr(kc::nr_partial), min_partial - 1u);
  SlabCounts c = count_slabs(k, s);
  KEXPECT_EQ(c.inuse, 0u);
  KEXPECT_EQ(c.full, 0u);
  kfree(k, list);
  kmem_cache_destroy(k, s);
}

KTEST(slab, objects_never_overlap) {
  Kernel& k = t.k;
  LAddr s = kmem_cache_create(k, "ktest-overlap", 72, 0, 0, nullptr);
  struct Pool {
    LAddr cache;  // 0: kmalloc
    std::uint64_t size;
    unsigned count;
  } pools[] = {{0, 192, 150}, {s, 72, 150}, {0, 96, 100}};
  LAddr list = kmalloc(k, 8 * 400, GFP_KERNEL);
  unsigned total = 0;
  for (const Pool& p : pools)
    for (unsigned i = 0; i < p.count; ++i, ++total) {
      LAddr o = p.cache ? kmem_cache_alloc(k, p.cache, GFP_KERNEL) : kmalloc(k, p.size, GFP_KERNEL);
      k.mem.w64(list + 8 * total, o);
      for (unsigned w = 0; w < p.size / 8; ++w) k.mem.w64(o + 8 * w, pattern(o, w));
    }
  // Any overlap would have overwritten an earlier object's words.
  unsigned bad = 0;
  total = 0;
  for (const Pool& p : pools)
    for (unsigned i = 0; i < p.count; ++i, ++total) {
      LAddr o = k.mem.r64(list + 8 * total);
      for (unsigned w = 0; w < p.size / 8; ++w) bad += k.mem.r64(o + 8 * w) != pattern(o, w);
      if (p.cache)
        kmem_cache_free(k, p.cache, o);
      else
        kfree(k, o);
    }
  KEXPECT_EQ(bad, 0u);
  kfree(k, list);
  kmem_cache_destroy(k, s);
}

KTEST(slab, destroy_returns_every_page) {
  Kernel& k = t.k;
  // The kmem_cache cache and the list array get their slabs before the count starts.
  kmem_cache_destroy(k, kmem_cache_create(k, "ktest-warm", 64, 0, 0, nullptr));
  LAddr list = kmalloc(k, 8 * 64, GFP_KERNEL);
  std::uint64_t before[MAX_NR_ZONES];
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    before[z] = zone_free_and_pcp_pages(k, static_cast<zone_type>(z));
  std::uint64_t slab_pages = global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B);

  LAddr s = kmem_cache_create(k, "ktest-destroy", 1000, 0, 0, nullptr);
  for (unsigned i = 0; i < 64; ++i) k.mem.w64(list + 8 * i, kmem_cache_alloc(k, s, GFP_KERNEL));
  std::uint64_t used = slab_ktest::node_field(k, s, kc::nr_slabs) << slab_order(k, s);
  KEXPECT(used > 0);
  KEXPECT_EQ(nr_free_and_pcp_pages(k), before[0] + before[1] + before[2] - used);
  KEXPECT_EQ(global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B), slab_pages + used);
  for (unsigned i = 0; i < 64; ++i) kmem_cache_free(k, s, k.mem.r64(list + 8 * i));
  kmem_cache_destroy(k, s);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    KEXPECT_EQ(zone_free_and_pcp_pages(k, static_cast<zone_type>(z)), before[z]);
  KEXPECT_EQ(global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B), slab_pages);
  kfree(k, list);
}

KTEST(slab, destroy_with_objects_is_refused) {
  Kernel& k = t.k;
  LAddr s = kmem_cache_create(k, "ktest-busy", 128, 0, 0, nullptr);
  LAddr o = kmem_cache_alloc(k, s, GFP_KERNEL);
  {
    ConsoleCapture con(k);
    kmem_cache_destroy(k, s);
    KEXPECT(con.has("kmem_cache_destroy ktest-busy: Slab cache still has objects"));
  }
  KEXPECT_HAS(proc_slabinfo(k), "\nktest-busy ");
  LAddr o2 = kmem_cache_alloc(k, s, GFP_KERNEL);  // still usable
  KEXPECT(o2 != 0);
  kmem_cache_free(k, s, o);
  kmem_cache_free(k, s, o2);
  kmem_cache_destroy(k, s);
  KEXPECT(proc_slabinfo(k).find("\nktest-busy ") == std::string::npos);
}

KTEST(slab, kmalloc_large_comes_from_the_buddy_allocator) {
  Kernel& k = t.k;
  std::uint64_t free0 = nr_free_and_pcp_pages(k);
  std::uint64_t slab0 = global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B);
  LAddr p = kmalloc(k, KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL);
  KEXPECT(p != 0);
  KEXPECT_EQ(p % PAGE_SIZE, 0u);
  LAddr pg = page::virt_to_page(p);
  std::uint64_t flags = k.mem.get(pg, page::flags);
  KEXPECT((flags & page::PG_slab) == 0);
  KEXPECT((flags & page::PG_head) != 0);
  KEXPECT_EQ(k.mem.get(pg, page::compound_order), 2u);
  KEXPECT_EQ(nr_free_and_pcp_pages(k), free0 - 4);
  KEXPECT_EQ(global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B), slab0 + 4);
  KEXPECT_EQ(ksize(k, p), 4 * PAGE_SIZE);
  KEXPECT_EQ(virt_to_cache(k, p), 0u);
  LAddr big = kzalloc(k, 100000, GFP_KERNEL);  // order 5, zeroed
  KEXPECT_EQ(k.mem.get(page::virt_to_page(big), page::compound_order), 5u);
  KEXPECT_EQ(k.mem.r64(big + 99992), 0u);
  kfree(k, big);
  kfree(k, p);
  KEXPECT_EQ(nr_free_and_pcp_pages(k), free0);
  KEXPECT_EQ(global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B), slab0);
  // The largest class still comes from a slab.
  LAddr q = kmalloc(k, KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, q)), "kmalloc-8k");
  kfree(k, q);
}

KTEST(slab, gfp_dma_objects_live_below_16mb) {
  Kernel& k = t.k;
  constexpr PAddr k16M = 16ULL << 20;
  LAddr list = kmalloc(k, 8 * 64, GFP_KERNEL);
  for (unsigned i = 0; i < 64; ++i) {
    LAddr p = kmalloc(k, 100, GFP_KERNEL | GFP_DMA);
    k.mem.w64(list + 8 * i, p);
    KEXPECT(p != 0 && page::__pa(p) + 100 <= k16M);
    KEXPECT_EQ(static_cast<unsigned>(page_zonenum(k, page::virt_to_page(p))), ZONE_DMA);
  }
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, k.mem.r64(list))), "dma-kmalloc-128");
  LAddr z = kzalloc(k, 3000, GFP_DMA);
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, z)), "dma-kmalloc-4k");
  KEXPECT(page::__pa(z) + 3000 <= k16M);
  KEXPECT_EQ(k.mem.r64(z + 2992), 0u);
  LAddr large = kmalloc(k, 20000, GFP_DMA);
  KEXPECT(large != 0 && page::__pa(large) + 20000 <= k16M);
  // Without GFP_DMA, the same size comes from the normal cache.
  LAddr normal = kmalloc(k, 100, GFP_KERNEL);
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, normal)), "kmalloc-128");
  for (unsigned i = 0; i < 64; ++i) kfree(k, k.mem.r64(list + 8 * i));
  kfree(k, z);
  kfree(k, large);
  kfree(k, normal);
  kfree(k, list);
}

KTEST(slab, krealloc_keeps_contents) {
  Kernel& k = t.k;
  LAddr p = kmalloc(k, 50, GFP_KERNEL);
  for (unsigned i = 0; i < 50; ++i) k.mem.w8(p + i, static_cast<std::uint8_t>(i + 1));
  KEXPECT_EQ(krealloc(k, p, 60, GFP_KERNEL), p);  // fits ksize(): in place
  LAddr q = krealloc(k, p, 300, GFP_KERNEL);
  KEXPECT(q != p);
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, q)), "kmalloc-512");
  LAddr r = krealloc(k, q, 20000, GFP_KERNEL);  // into kmalloc_large
  KEXPECT_EQ(virt_to_cache(k, r), 0u);
  unsigned bad = 0;
  for (unsigned i = 0; i < 50; ++i) bad += k.mem.r8(r + i) != i + 1;
  KEXPECT_EQ(bad, 0u);
  KEXPECT_EQ(krealloc(k, r, 0, GFP_KERNEL), ZERO_SIZE_PTR);  // frees
  LAddr fresh = krealloc(k, 0, 10, GFP_KERNEL);              // like kmalloc
  KEXPECT_STREQ(cache_name(k, virt_to_cache(k, fresh)), "kmalloc-16");
  kfree(k, fresh);
  // kzalloc zeroes even a recycled object.
  LAddr a = kmalloc(k, 64, GFP_KERNEL);
  k.mem.fill(a, 0xff, 64);
  kfree(k, a);
  LAddr b = kzalloc(k, 64, GFP_KERNEL);
  unsigned nonzero = 0;
  for (unsigned i = 0; i < 64; i += 8) nonzero += k.mem.r64(b + i) != 0;
  KEXPECT_EQ(nonzero, 0u);
  kfree(k, b);
}

KTEST(slab, counters_match_the_slab_lists) {
  Kernel& k = t.k;
  LAddr keep = kmalloc(k, 700, GFP_KERNEL);
  LAddr head = SLAB_GLOBALS + slab_globals::slab_caches;
  unsigned caches = 0;
  for (LAddr e = k.mem.r64(head); e != head; e = k.mem.r64(e), ++caches) {
    LAddr s = e - kc::list;
    SlabCounts c = count_slabs(k, s);
    KEXPECT_EQ(slab_ktest::node_field(k, s, kc::nr_slabs), c.slabs);
    KEXPECT_EQ(slab_ktest::node_field(k, s, kc::nr_partial), c.partial);
    KEXPECT_EQ(slab_ktest::node_field(k, s, kc::total_objects), c.objects);
    KEXPECT_EQ(slab_ktest::node_field(k, s, kc::inuse_objects), c.inuse);
  }
  KEXPECT(caches >= 2 * 13 + 1);  // kmem_cache and both kmalloc families
  kfree(k, keep);
}

KTEST(slab, slabinfo_reports_each_cache_newest_first) {
  Kernel& k = t.k;
  LAddr a = kmem_cache_create(k, "ktest-info-a", 256, 0, 0, nullptr);
  LAddr b = kmem_cache_create(k, "ktest-info-b", 256, 0, 0, nullptr);
  LAddr o[3];
  for (LAddr& x : o) x = kmem_cache_alloc(k, b, GFP_KERNEL);
  std::string text = proc_slabinfo(k);
  const char* header =
      "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> "
      "<objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
      "<active_slabs> <num_slabs> <sharedavail>\n";
  KEXPECT_EQ(text.rfind(header, 0), 0u);
  char line[160];
  unsigned n = objects_per_slab(k, b);
  std::snprintf(line, sizeof line,
                "ktest-info-b           3 %6u %6u %4u %4d : tunables    0    0    0 : slabdata "
                "     1      1      0\n",
                n, k.mem.get(b, kc::size), n, 1 << slab_order(k, b));
  KEXPECT_EQ(text.find(line), std::string(header).size());  // the newest cache comes first
  KEXPECT(text.find("\nktest-info-a ") > text.find(line));
  KEXPECT(text.find("\nkmem_cache ") != std::string::npos);
  KEXPECT(text.find("\ndma-kmalloc-8k ") < text.find("\nkmalloc-96 "));
  for (LAddr x : o) kmem_cache_free(k, b, x);
  kmem_cache_destroy(k, b);
  kmem_cache_destroy(k, a);
}

}  // namespace mmvp::sw
