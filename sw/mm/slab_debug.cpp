// SLUB debugging (mm/slub.c, CONFIG_SLUB_DEBUG with slub_debug=FZP): red zones around
// each object (SLUB_RED_ACTIVE / SLUB_RED_INACTIVE), poisoned free objects
// (POISON_FREE ... POISON_END), the consistency checks on alloc and free, and the
// reports (slab_bug, print_trailer, slab_fix) in SLUB's words. A report is printed
// with printk and thrown as SlabCorruption carrying its BUG line; the bytes found
// wrong are restored first (restore_bytes), so the cache stays usable.
//
// One difference from SLUB, as SLAB did (mm/slab.c): an allocated object is filled
// with POISON_INUSE (0x5a) instead of keeping POISON_FREE.
#include <cstdio>
#include <string>

#include "sw/mm/slab_internal.h"

namespace mmvp::sw {
namespace {

std::string fmt(const char* f, unsigned long long a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}
std::string ptr(LAddr p) {
  return fmt("0x%016llx", p);
}

// The first report of one check sequence (the BUG line thrown at the end).
struct Report {
  std::string first;
  void bug(Kernel& k, const SlabGeom& g, const std::string& what) {
    std::string line = "BUG " + cache_name(k, g.s) + " (Not tainted): " + what;
    k.printk("=============================================================================");
    k.printk(line);
    k.printk("-----------------------------------------------------------------------------");
    k.printk("");
    if (first.empty()) first = line;
  }
  void raise() {
    if (!first.empty()) throw SlabCorruption(first);
  }
};

void slab_fix(Kernel& k, const SlabGeom& g, const std::string& what) {
  k.printk("FIX " + cache_name(k, g.s) + ": " + what);
}

// size_from_object(): the stride without the left red zone.
std::uint32_t size_from_object(const SlabGeom& g) {
  return (g.flags & SLAB_RED_ZONE) ? g.size - g.red_left_pad : g.size;
}
// get_info_end(): the end of the object's metadata (its free pointer, if outside).
std::uint32_t info_end(const SlabGeom& g) {
  return g.offset >= g.inuse ? g.inuse + 8 : g.inuse;
}

// print_hex_dump(KERN_ERR, text, DUMP_PREFIX_ADDRESS, 16, 1, addr, len, 1).
void print_section(Kernel& k, const char* text, LAddr addr, std::uint64_t len) {
  for (std::uint64_t off = 0; off < len; off += 16) {
    std::string hexpart, ascii;
    for (std::uint64_t i = off; i < off + 16 && i < len; ++i) {
      unsigned b = k.mem.r8(addr + i);
      hexpart += fmt(i == off ? "%02llx" : " %02llx", b);
      ascii += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
    }
    hexpart.resize(47, ' ');
    k.printk(std::string(text) + fmt("%016llx", addr + off) + ": " + hexpart + "  " + ascii);
  }
}

// print_slab_info(): flags as %pGp would name them.
void print_slab_info(Kernel& k, LAddr slab) {
  std::uint64_t f = k.mem.get(slab, page::flags);
  const std::uint32_t counters = k.mem.get(slab, page::counters);
  std::string names;
  if (f & page::PG_slab) names += "slab";
  if (f & page::PG_head) names += names.empty() ? "head" : "|head";
  names += (names.empty() ? "zone=" : "|zone=") + std::to_string(f >> page::ZONE_SHIFT);
  k.printk("INFO: Slab " + ptr(slab) +
           " objects=" + std::to_string(page::counters_objects(counters)) +
           " used=" + std::to_string(page::counters_inuse(counters)) + " fp=" +
           ptr(k.mem.get(slab, page::freelist)) + " flags=" + fmt("0x%llx", f) + "(" + names + ")");
}

void print_trailer(Kernel& k, const SlabGeom& g, LAddr slab, LAddr p) {
  LAddr addr = slab_address(slab);
  print_slab_info(k, slab);
  k.printk("INFO: Object " + ptr(p) + " @offset=" + std::to_string(p - addr) +
           " fp=" + ptr(k.mem.r64(p + g.offset)));
  k.printk("");
  if (g.flags & SLAB_RED_ZONE)
    print_section(k, "Redzone  ", p - g.red_left_pad, g.red_left_pad);
  else if (p > addr + 16)
    print_section(k, "Bytes b4 ", p - 16, 16);
  print_section(k, "Object   ", p, g.object_size < PAGE_SIZE ? g.object_size : PAGE_SIZE);
  if (g.flags & SLAB_RED_ZONE)
    print_section(k, "Redzone  ", p + g.object_size, g.inuse - g.object_size);
  std::uint32_t off = info_end(g);
  if (off != size_from_object(g)) print_section(k, "Padding  ", p + off, size_from_object(g) - off);
}

void object_err(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, LAddr object,
                const std::string& reason) {
  r.bug(k, g, reason);
  print_trailer(k, g, slab, object);
}

void slab_err(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, const std::string& what) {
  r.bug(k, g, what);
  print_slab_info(k, slab);
}

// memchr_inv(): the first byte of [start, start + bytes) that is not `value`, or 0.
LAddr memchr_inv(Kernel& k, LAddr start, std::uint8_t value, std::uint64_t bytes) {
  const std::uint64_t pattern = 0x0101010101010101ULL * value;
  LAddr p = start, end = start + bytes;
  while (p < end) {
    if ((p & 7) == 0 && end - p >= 8) {
      if (k.mem.r64(p) != pattern) break;
      p += 8;
    } else {
      if (k.mem.r8(p) != value) return p;
      ++p;
    }
  }
  for (; p < end; ++p)
    if (k.mem.r8(p) != value) return p;
  return 0;
}

// check_bytes_and_report() + restore_bytes().
bool check_bytes_and_report(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, LAddr object,
                            const char* what, LAddr start, std::uint8_t value,
                            std::uint64_t bytes) {
  LAddr fault = memchr_inv(k, start, value, bytes);
  if (!fault) return true;
  LAddr end = start + bytes;
  while (end > fault && k.mem.r8(end - 1) == value) --end;
  r.bug(k, g, std::string(what) + " overwritten");
  k.printk("INFO: " + ptr(fault) + "-" + ptr(end - 1) +
           " @offset=" + std::to_string(fault - slab_address(slab)) + ". First byte " +
           fmt("0x%llx", k.mem.r8(fault)) + " instead of " + fmt("0x%llx", value));
  print_trailer(k, g, slab, object);
  slab_fix(k, g,
           "Restoring " + std::string(what) + " " + ptr(fault) + "-" + ptr(end - 1) + "=" +
               fmt("0x%llx", value));
  k.mem.fill(fault, value, end - fault);
  return false;
}

// check_valid_pointer(): 0, or the start of an object of this slab.
bool check_valid_pointer(const SlabGeom& g, LAddr slab, unsigned objects, LAddr object) {
  if (!object) return true;
  LAddr base = slab_address(slab);
  LAddr o = object - g.red_left_pad;
  return o >= base && o < base + static_cast<std::uint64_t>(objects) * g.size &&
         (o - base) % g.size == 0;
}

// check_pad_bytes(): the padding after the metadata keeps POISON_INUSE.
bool check_pad_bytes(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, LAddr p) {
  std::uint32_t off = info_end(g);
  if (size_from_object(g) == off) return true;
  return check_bytes_and_report(k, r, g, slab, p, "Object padding", p + off, POISON_INUSE,
                                size_from_object(g) - off);
}

// check_object(): red zones, poison, padding and the free pointer of one object.
bool check_object(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, unsigned objects, LAddr p,
                  std::uint8_t val) {
  bool ok = true;
  LAddr endobject = p + g.object_size;
  if (g.flags & SLAB_RED_ZONE) {
    ok &= check_bytes_and_report(k, r, g, slab, p, "Left Redzone", p - g.red_left_pad, val,
                                 g.red_left_pad);
    ok &= check_bytes_and_report(k, r, g, slab, p, "Right Redzone", endobject, val,
                                 g.inuse - g.object_size);
  } else if ((g.flags & SLAB_POISON) && g.object_size < g.inuse) {
    ok &= check_bytes_and_report(k, r, g, slab, p, "Alignment padding", endobject, POISON_INUSE,
                                 g.inuse - g.object_size);
  }
  if (g.flags & SLAB_POISON) {
    if (val != SLUB_RED_ACTIVE && (g.flags & __OBJECT_POISON)) {
      ok &= check_bytes_and_report(k, r, g, slab, p, "Poison", p, POISON_FREE, g.object_size - 1);
      ok &= check_bytes_and_report(k, r, g, slab, p, "End Poison", endobject - 1, POISON_END, 1);
    }
    ok &= check_pad_bytes(k, r, g, slab, p);
  }
  if ((g.offset >= g.inuse || val != SLUB_RED_ACTIVE) &&
      !check_valid_pointer(g, slab, objects, k.mem.r64(p + g.offset))) {
    object_err(k, r, g, slab, p, "Freepointer corrupt");
    k.mem.w64(p + g.offset, 0);
    ok = false;
  }
  return ok;
}

// on_freelist(): is `search` on the slab's free list? Also checks the chain and the
// inuse count against it.
bool on_freelist(Kernel& k, Report& r, const SlabGeom& g, LAddr slab, LAddr search) {
  const std::uint32_t counters = k.mem.get(slab, page::counters);
  const unsigned objects = page::counters_objects(counters);
  const unsigned inuse = page::counters_inuse(counters);
  unsigned nr = 0;
  LAddr fp = k.mem.get(slab, page::freelist), object = 0;
  while (fp && nr <= objects) {
    if (fp == search) return true;
    if (!check_valid_pointer(g, slab, objects, fp)) {
      if (object) {
        object_err(k, r, g, slab, object, "Freechain corrupt");
        set_freepointer(k, g, object, 0);
      } else {
        slab_err(k, r, g, slab, "Freepointer corrupt");
        k.mem.set(slab, page::freelist, 0);
        k.mem.set(slab, page::inuse, static_cast<std::uint16_t>(objects));
        slab_fix(k, g, "Freelist cleared");
        return false;
      }
      break;
    }
    object = fp;
    fp = get_freepointer(k, g, object);
    ++nr;
  }
  if (inuse != objects - nr) {
    slab_err(k, r, g, slab,
             "Wrong object count. Counter is " + std::to_string(inuse) + " but counted were " +
                 std::to_string(objects - nr));
    k.mem.set(slab, page::inuse, static_cast<std::uint16_t>(objects - nr));
    slab_fix(k, g, "Object count adjusted");
  }
  return search == 0;
}

}  // namespace

// setup_slab_debug(): a new slab of a poisoning cache starts as POISON_INUSE.
void setup_slab_debug(Kernel& k, const SlabGeom& g, LAddr slab_addr, std::uint64_t bytes) {
  if (g.flags & SLAB_POISON) k.mem.fill(slab_addr, POISON_INUSE, bytes);
}

// init_object(): red zones to `val`; a free object poisoned, an allocated one POISON_INUSE.
void init_object(Kernel& k, const SlabGeom& g, LAddr object, std::uint8_t val) {
  if (g.flags & SLAB_RED_ZONE) k.mem.fill(object - g.red_left_pad, val, g.red_left_pad);
  if (g.flags & __OBJECT_POISON) {
    if (val == SLUB_RED_INACTIVE) {
      k.mem.fill(object, POISON_FREE, g.object_size - 1);
      k.mem.w8(object + g.object_size - 1, POISON_END);
    } else {
      k.mem.fill(object, POISON_INUSE, g.object_size);
    }
  }
  if (g.flags & SLAB_RED_ZONE) k.mem.fill(object + g.object_size, val, g.inuse - g.object_size);
}

void alloc_consistency_checks(Kernel& k, const SlabGeom& g, LAddr slab, LAddr object) {
  Report r;
  unsigned objects = k.mem.get(slab, page::objects);
  if (!object || !check_valid_pointer(g, slab, objects, object)) {
    slab_err(k, r, g, slab, "Freelist Pointer check fails");
  } else {
    check_object(k, r, g, slab, objects, object, SLUB_RED_INACTIVE);
  }
  r.raise();
}

void free_consistency_checks(Kernel& k, const SlabGeom& g, LAddr slab, LAddr object) {
  Report r;
  unsigned objects = k.mem.get(slab, page::objects);
  if (!check_valid_pointer(g, slab, objects, object)) {
    slab_err(k, r, g, slab, "Invalid object pointer " + ptr(object));
  } else if (on_freelist(k, r, g, slab, object)) {
    object_err(k, r, g, slab, object, "Object already free");
  } else if (r.first.empty() && check_object(k, r, g, slab, objects, object, SLUB_RED_ACTIVE) &&
             k.mem.get(slab, page::slab_cache) != g.s) {
    object_err(k, r, g, slab, object, "page slab pointer corrupt.");
  }
  if (!r.first.empty()) slab_fix(k, g, "Object at " + ptr(object) + " not freed");
  r.raise();
}

void report_not_a_slab_object(Kernel& k, const SlabGeom& g, LAddr object) {
  Report r;
  r.bug(k, g, "Invalid object pointer " + ptr(object));
  k.printk("INFO: " + ptr(object) + " is not in a slab page");
  slab_fix(k, g, "Object at " + ptr(object) + " not freed");
  r.raise();
  throw SlabCorruption(r.first);  // unreachable: raise() throws
}

// validate_slab_cache() -> validate_slab(): the free chain and every object of every
// slab on the partial and full lists.
std::uint64_t validate_slab_cache(Kernel& k, LAddr cache) {
  SlabGeom g = read_geom(k, cache);
  Report r;
  std::uint64_t slabs = 0;
  for (const Embedded& head : {kc::partial, kc::full}) {
    LAddr h = cache + head;
    for (LAddr e = k.mem.get(h, list::next); e != h; e = k.mem.get(e, list::next), ++slabs) {
      LAddr slab = e - page::lru;
      on_freelist(k, r, g, slab, 0);
      unsigned objects = k.mem.get(slab, page::objects);
      // The free objects, as a bitmap on the stack (Linux: obj_map).
      constexpr unsigned kMaxObjects = 4096;
      if (objects > kMaxObjects) k.panic("validate_slab_cache: too many objects per slab");
      std::uint64_t free_map[kMaxObjects / 64] = {};
      LAddr first = slab_first_object(g, slab);
      unsigned nr = 0;
      for (LAddr fp = k.mem.get(slab, page::freelist); fp && nr < objects;
           fp = get_freepointer(k, g, fp), ++nr) {
        unsigned idx = static_cast<unsigned>((fp - first) / g.size);
        free_map[idx / 64] |= 1ULL << (idx % 64);
      }
      if (g.debug()) {
        for (unsigned i = 0; i < objects; ++i) {
          bool is_free = (free_map[i / 64] >> (i % 64)) & 1;
          check_object(k, r, g, slab, objects, first + i * g.size,
                       is_free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE);
        }
      }
    }
  }
  r.raise();
  return slabs;
}

}  // namespace mmvp::sw
