// Self-tests of slab debugging (suite `slab`): each catch (double free, use after
// free, overflow and underflow, invalid pointer, wrong cache) is reported the way SLUB
// reports it, and good objects are never flagged.
#include "sw/mm/slab_ktest_util.h"

namespace mmvp::sw {
namespace {

using slab_ktest::ConsoleCapture;
using slab_ktest::corruption_of;

constexpr std::uint32_t kObjSize = 64;

LAddr debug_cache(Kernel& k, const char* name, std::uint32_t size = kObjSize) {
  return kmem_cache_create(k, name, size, 0, SLAB_DEBUG_FLAGS, nullptr);
}

// Every byte of [p, p + n) equals b.
bool all_bytes(Kernel& k, LAddr p, std::uint64_t n, std::uint8_t b) {
  for (std::uint64_t i = 0; i < n; ++i)
    if (k.mem.r8(p + i) != b) return false;
  return true;
}

}  // namespace

KTEST(slab, debug_layout_poison_and_red_zones) {
  Kernel& k = t.k;
  LAddr s = debug_cache(k, "ktest-dbg-layout");
  SlabGeom g = read_geom(k, s);
  KEXPECT_EQ(g.object_size, kObjSize);
  KEXPECT_EQ(g.inuse, kObjSize + 8);   // a right red zone word
  KEXPECT_EQ(g.offset, kObjSize + 8);  // free pointer after it (poisoning)
  KEXPECT_EQ(g.red_left_pad, 8u);
  KEXPECT_EQ(g.size, kObjSize + 32);  // left pad, object, red zone, free pointer, padding
  LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL);
  KEXPECT(all_bytes(k, a, kObjSize, POISON_INUSE));
  KEXPECT(all_bytes(k, a - 8, 8, SLUB_RED_ACTIVE));
  KEXPECT(all_bytes(k, a + kObjSize, 8, SLUB_RED_ACTIVE));
  KEXPECT_EQ(ksize(k, a), std::uint64_t{kObjSize});
  kmem_cache_free(k, s, a);
  KEXPECT(all_bytes(k, a, kObjSize - 1, POISON_FREE));
  KEXPECT_EQ(k.mem.r8(a + kObjSize - 1), POISON_END);
  KEXPECT(all_bytes(k, a - 8, 8, SLUB_RED_INACTIVE));
  KEXPECT(all_bytes(k, a + kObjSize, 8, SLUB_RED_INACTIVE));
  kmem_cache_destroy(k, s);
}

KTEST(slab, debug_catches_double_free) {
  Kernel& k = t.k;
  LAddr s = debug_cache(k, "ktest-dbg-df");
  LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL);
  kmem_cache_free(k, s, a);
  ConsoleCapture con(k);
  KEXPECT_STREQ(corruption_of([&] { kmem_cache_free(k, s, a); }),
                "BUG ktest-dbg-df (Not tainted): Object already free");
  KEXPECT(
      con.has("=============================================================================\n"
              "BUG ktest-dbg-df (Not tainted): Object already free\n"
              "-----------------------------------------------------------------------------\n"));
  KEXPECT(con.has("INFO: Slab 0x"));
  KEXPECT(
      con.has(" objects=" + std::to_string(oo_objects(k.mem.get(s, kc::oo))) + " used=0 fp=0x"));
  KEXPECT(con.has("Object   "));
  KEXPECT(con.has(": 6b 6b 6b 6b"));
  KEXPECT(con.has("not freed"));
  KEXPECT_EQ(slab_ktest::node_field(k, s, kc::inuse_objects), 0u);  // counted once
  kmem_cache_destroy(k, s);
}

KTEST(slab, debug_catches_use_after_free) {
  Kernel& k = t.k;
  LAddr s = debug_cache(k, "ktest-dbg-uaf");
  LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL);
  kmem_cache_free(k, s, a);
  k.mem.w8(a + 10, 0x11);  // write after free
  ConsoleCapture con(k);
  KEXPECT_STREQ(corruption_of([&] { kmem_cache_alloc(k, s, GFP_KERNEL); }),
                "BUG ktest-dbg-uaf (Not tainted): Poison overwritten");
  KEXPECT(con.has("@offset="));
  KEXPECT(con.has(". First byte 0x11 instead of 0x6b"));
  KEXPECT(con.has("FIX ktest-dbg-uaf: Restoring Poison 0x"));
  // The poison was restored: the object is handed out cleanly next time.
  con.clear();
  KEXPECT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), a);
  KEXPECT(!con.has("BUG"));
  kmem_cache_free(k, s, a);
  // A use after free of an object deeper in the free list shows at validation.
  LAddr b = kmem_cache_alloc(k, s, GFP_KERNEL), c = kmem_cache_alloc(k, s, GFP_KERNEL);
  kmem_cache_free(k, s, b);
  kmem_cache_free(k, s, c);
  k.mem.w64(b + 16, 0);
  KEXPECT_STREQ(corruption_of([&] { validate_slab_cache(k, s); }),
                "BUG ktest-dbg-uaf (Not tainted): Poison overwritten");
  KEXPECT_EQ(validate_slab_cache(k, s), 1u);  // restored
  kmem_cache_destroy(k, s);
}

KTEST(slab, debug_catches_overflow_and_underflow) {
  Kernel& k = t.k;
  LAddr s = debug_cache(k, "ktest-dbg-rz");
  LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL);
  k.mem.w8(a + kObjSize, 0x00);  // one byte past the end
  ConsoleCapture con(k);
  KEXPECT_STREQ(corruption_of([&] { kmem_cache_free(k, s, a); }),
                "BUG ktest-dbg-rz (Not tainted): Right Redzone overwritten");
  KEXPECT(con.has(". First byte 0x0 instead of 0xcc"));
  KEXPECT(con.has("Redzone  "));
  KEXPECT(con.has(": cc cc"));
  KEXPECT_EQ(slab_ktest::node_field(k, s, kc::inuse_objects), 1u);  // not freed
  kmem_cache_free(k, s, a);  // red zone restored: frees cleanly now
  KEXPECT_EQ(slab_ktest::node_field(k, s, kc::inuse_objects), 0u);
  LAddr b = kmem_cache_alloc(k, s, GFP_KERNEL);
  k.mem.w8(b - 1, 0x42);  // one byte before the start
  KEXPECT_STREQ(corruption_of([&] { kmem_cache_free(k, s, b); }),
                "BUG ktest-dbg-rz (Not tainted): Left Redzone overwritten");
  KEXPECT(con.has("First byte 0x42 instead of 0xcc"));
  kmem_cache_free(k, s, b);
  kmem_cache_destroy(k, s);
  // An object size with alignment slack: the slack is red zone too.
  LAddr s60 = debug_cache(k, "ktest-dbg-rz60", 60);
  LAddr c = kmem_cache_alloc(k, s60, GFP_KERNEL);
  k.mem.w8(c + 61, 0x77);
  KEXPECT_STREQ(corruption_of([&] { kmem_cache_free(k, s60, c); }),
                "BUG ktest-dbg-rz60 (Not tainted): Right Redzone overwritten");
  kmem_cache_free(k, s60, c);
  kmem_cache_destroy(k, s60);
}

KTEST(slab, debug_catches_invalid_pointers) {
  Kernel& k = t.k;
  LAddr s = debug_cache(k, "ktest-dbg-ptr");
  LAddr a = kmem_cache_alloc(k, s, GFP_KERNEL);
  ConsoleCapture con(k);
  std::string msg = corruption_of([&] { kmem_cache_free(k, s, a + 8); });
  KEXPECT_HAS(msg, "BUG ktest-dbg-ptr (Not tainted): Invalid object pointer 0x");
  KEXPECT(con.has("INFO: Slab 0x"));
  // Not a slab page at all (a kmalloc_large block).
  LAddr large = kmalloc(k, 3 * PAGE_SIZE, GFP_KERNEL);
  KEXPECT_HAS(corruption_of([&] { kmem_cache_free(k, s, large); }), "Invalid object pointer");
  kfree(k, large);
  // An object of another cache.
  LAddr other = kmalloc(k, 64, GFP_KERNEL);
  KEXPECT_HAS(corruption_of([&] { kmem_cache_free(k, s, other); }), "Wrong slab cache");
  kfree(k, other);
  KEXPECT_EQ(slab_ktest::node_field(k, s, kc::inuse_objects), 1u);
  kmem_cache_free(k, s, a);
  kmem_cache_destroy(k, s);
}

KTEST(slab, debug_never_flags_good_objects) {
  Kernel& k = t.k;
  ConsoleCapture con(k);
  for (std::uint32_t size : {8u, 60u, 64u, 200u, 1000u}) {
    LAddr s = debug_cache(k, "ktest-dbg-good", size);
    unsigned n = 3 * (oo_objects(k.mem.get(s, kc::oo)));
    LAddr list = kmalloc(k, 8ULL * n, GFP_KERNEL);
    std::string msg = corruption_of([&] {
      for (unsigned i = 0; i < n; ++i) {
        LAddr o = kmem_cache_alloc(k, s, GFP_KERNEL);
        k.mem.fill(o, static_cast<std::uint8_t>(i), size);  // the whole object, no more
        k.mem.w64(list + 8 * i, o);
      }
      for (unsigned i = 0; i < n; i += 2) kmem_cache_free(k, s, k.mem.r64(list + 8 * i));
      validate_slab_cache(k, s);
      for (unsigned i = 0; i < n; i += 2)
        k.mem.w64(list + 8 * i, kmem_cache_alloc(k, s, GFP_KERNEL));
      validate_slab_cache(k, s);
      for (unsigned i = 0; i < n; ++i) kmem_cache_free(k, s, k.mem.r64(list + 8 * i));
      validate_slab_cache(k, s);
    });
    KEXPECT_STREQ(msg, "");
    kfree(k, list);
    kmem_cache_destroy(k, s);
  }
  KEXPECT(!con.has("BUG"));
  KEXPECT(!con.has("FIX"));
}

}  // namespace mmvp::sw
