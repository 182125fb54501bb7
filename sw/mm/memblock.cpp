#include "sw/mm/memblock.h"

#include <algorithm>

namespace mmvp::sw {
namespace {

// A struct memblock_type in guest memory, reached at the address usable now.
struct TypeRef {
  Kernel& k;
  LAddr type;     // the memblock_type
  LAddr regions;  // its region array

  TypeRef(Kernel& kk, MemblockType t)
      : k(kk), type(early_sym(kk, layout::MEMBLOCK + static_cast<unsigned>(t))) {
    // type->regions holds the array's kernel virtual address.
    regions = early_sym(k, k.mem.get(type, memblock::type::regions));
  }
  LAddr at(unsigned i) const { return regions + i * memblock::region::kSize; }
  std::uint64_t cnt() { return k.mem.get(type, memblock::type::cnt); }
  void set_cnt(std::uint64_t n) { k.mem.set(type, memblock::type::cnt, n); }
  PAddr base(unsigned i) { return k.mem.get(at(i), memblock::region::base); }
  std::uint64_t size(unsigned i) { return k.mem.get(at(i), memblock::region::size); }
  void set(unsigned i, PAddr b, std::uint64_t s) {
    k.mem.set(at(i), memblock::region::base, b);
    k.mem.set(at(i), memblock::region::size, s);
    k.mem.set(at(i), memblock::region::flags, 0);
  }
  void add_total(std::int64_t delta) {
    k.mem.add(type, memblock::type::total_size, static_cast<std::uint64_t>(delta));
  }
  // memmove of regions [from, cnt) to index `to`.
  void move(unsigned from, unsigned to, unsigned cnt_now) {
    if (to > from) {
      for (unsigned i = cnt_now; i-- > from;) set(i + (to - from), base(i), size(i));
    } else {
      for (unsigned i = from; i < cnt_now; ++i) set(i - (from - to), base(i), size(i));
    }
  }
};

// memblock_add_range() followed by memblock_merge_regions(): the new range absorbs
// every region it overlaps or touches (all regions have the same flags and node).
void memblock_add_range(Kernel& k, MemblockType t, PAddr base, std::uint64_t size) {
  if (size == 0) return;
  TypeRef r(k, t);
  auto cnt = static_cast<unsigned>(r.cnt());
  PAddr end = base + size;
  unsigned i = 0;
  while (i < cnt && r.base(i) + r.size(i) < base) ++i;
  PAddr nb = base, ne = end;
  std::uint64_t absorbed = 0;
  unsigned j = i;
  for (; j < cnt; ++j) {
    PAddr rb = r.base(j);
    if (rb > ne) break;
    std::uint64_t rs = r.size(j);
    nb = std::min(nb, rb);
    ne = std::max(ne, rb + rs);
    absorbed += rs;
  }
  unsigned removed = j - i;
  if (removed == 0) {
    if (cnt >= memblock::INIT_MEMBLOCK_REGIONS)
      k.panic("memblock: too many regions (INIT_MEMBLOCK_REGIONS exhausted)");
    r.move(i, i + 1, cnt);
  } else if (removed > 1) {
    r.move(j, i + 1, cnt);
  }
  r.set(i, nb, ne - nb);
  r.set_cnt(cnt + 1 - removed);
  r.add_total(static_cast<std::int64_t>(ne - nb) - static_cast<std::int64_t>(absorbed));
}

// memblock_remove_range(): cuts [base, base + size) out of a type, splitting a region
// that contains it (memblock_isolate_range + memblock_remove_region).
void memblock_remove_range(Kernel& k, MemblockType t, PAddr base, std::uint64_t size) {
  TypeRef r(k, t);
  auto cnt = static_cast<unsigned>(r.cnt());
  PAddr end = base + size;
  unsigned i = 0;
  while (i < cnt) {
    PAddr rb = r.base(i);
    PAddr re = rb + r.size(i);
    if (re <= base) {
      ++i;
      continue;
    }
    if (rb >= end) break;
    if (rb < base && re > end) {  // the hole splits the region in two
      if (cnt >= memblock::INIT_MEMBLOCK_REGIONS)
        k.panic("memblock: too many regions (INIT_MEMBLOCK_REGIONS exhausted)");
      r.move(i + 1, i + 2, cnt);
      r.set(i, rb, base - rb);
      r.set(i + 1, end, re - end);
      ++cnt;
      r.add_total(-static_cast<std::int64_t>(size));
      break;
    }
    if (rb < base) {  // keep the head
      r.set(i, rb, base - rb);
      r.add_total(-static_cast<std::int64_t>(re - base));
      ++i;
    } else if (re > end) {  // keep the tail
      r.set(i, end, re - end);
      r.add_total(-static_cast<std::int64_t>(end - rb));
      break;
    } else {  // the whole region goes
      r.move(i + 1, i, cnt);
      --cnt;
      r.add_total(-static_cast<std::int64_t>(re - rb));
    }
  }
  r.set_cnt(cnt);
}

// __next_mem_range() over memory minus reserved, in either direction.
void free_ranges(Kernel& k, bool reverse, const MemRangeFn& fn) {
  TypeRef mem(k, MemblockType::memory), res(k, MemblockType::reserved);
  auto mcnt = static_cast<unsigned>(mem.cnt());
  auto rcnt = static_cast<unsigned>(res.cnt());
  for (unsigned n = 0; n < mcnt; ++n) {
    unsigned m = reverse ? mcnt - 1 - n : n;
    PAddr mb = mem.base(m), me = mb + mem.size(m);
    // The gaps between reserved regions inside [mb, me).
    PAddr cursor_lo = mb, cursor_hi = me;
    for (unsigned q = 0; q < rcnt; ++q) {
      unsigned ri = reverse ? rcnt - 1 - q : q;
      PAddr rb = res.base(ri), re = rb + res.size(ri);
      if (re <= mb || rb >= me) {
        if (reverse ? re <= mb : rb >= me) break;
        continue;
      }
      if (!reverse) {
        if (rb > cursor_lo && fn(cursor_lo, rb)) return;
        cursor_lo = std::max(cursor_lo, re);
      } else {
        if (re < cursor_hi && fn(re, cursor_hi)) return;
        cursor_hi = std::min(cursor_hi, rb);
      }
    }
    if (cursor_lo < cursor_hi && fn(cursor_lo, cursor_hi)) return;
  }
}

}  // namespace

void memblock_init(Kernel& k) {
  LAddr mb = early_sym(k, layout::MEMBLOCK);
  k.mem.set(mb, memblock::bottom_up, 0);
  k.mem.set(mb, memblock::current_limit, memblock::MEMBLOCK_ALLOC_ANYWHERE);
  const Embedded types[2] = {memblock::memory, memblock::reserved};
  const unsigned arrays[2] = {memblock::memory_regions, memblock::reserved_regions};
  for (int t = 0; t < 2; ++t) {
    k.mem.set(mb + types[t], memblock::type::cnt, 0);
    k.mem.set(mb + types[t], memblock::type::max, memblock::INIT_MEMBLOCK_REGIONS);
    k.mem.set(mb + types[t], memblock::type::total_size, 0);
    k.mem.set(mb + types[t], memblock::type::regions, layout::MEMBLOCK + arrays[t]);
  }
}

void memblock_add(Kernel& k, PAddr base, std::uint64_t size) {
  memblock_add_range(k, MemblockType::memory, base, size);
}
void memblock_reserve(Kernel& k, PAddr base, std::uint64_t size) {
  memblock_add_range(k, MemblockType::reserved, base, size);
}
void memblock_phys_free(Kernel& k, PAddr base, std::uint64_t size) {
  memblock_remove_range(k, MemblockType::reserved, base, size);
}

PAddr memblock_phys_alloc(Kernel& k, std::uint64_t size, std::uint64_t align) {
  size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (align == 0) align = PAGE_SIZE;
  PAddr limit = k.mem.get(early_sym(k, layout::MEMBLOCK), memblock::current_limit);
  PAddr found = 0;
  // memblock_find_in_range_node(), top-down: never the first page.
  for_each_free_mem_range_reverse(k, [&](PAddr start, PAddr end) {
    start = std::max<PAddr>(start, PAGE_SIZE);
    end = std::min(end, limit);
    if (end < size || end - size < start) return false;
    PAddr cand = (end - size) & ~(align - 1);
    if (cand < start) return false;
    found = cand;
    return true;
  });
  if (found) memblock_reserve(k, found, size);
  return found;
}

LAddr memblock_alloc(Kernel& k, std::uint64_t size, std::uint64_t align) {
  PAddr pa = memblock_phys_alloc(k, size, align);
  if (!pa) return 0;
  k.mem.zero(early_phys(k, pa), size);
  return page::__va(pa);
}

void memblock_region_at(Kernel& k, MemblockType t, unsigned i, PAddr* base, std::uint64_t* size) {
  TypeRef r(k, t);
  *base = r.base(i);
  *size = r.size(i);
}
unsigned memblock_region_count(Kernel& k, MemblockType t) {
  return static_cast<unsigned>(TypeRef(k, t).cnt());
}

PAddr memblock_start_of_DRAM(Kernel& k) {
  TypeRef r(k, MemblockType::memory);
  return r.cnt() ? r.base(0) : 0;
}
PAddr memblock_end_of_DRAM(Kernel& k) {
  TypeRef r(k, MemblockType::memory);
  auto n = static_cast<unsigned>(r.cnt());
  return n ? r.base(n - 1) + r.size(n - 1) : 0;
}
std::uint64_t memblock_phys_mem_size(Kernel& k) {
  return k.mem.get(early_sym(k, layout::MEMBLOCK) + memblock::memory, memblock::type::total_size);
}
std::uint64_t memblock_reserved_size(Kernel& k) {
  return k.mem.get(early_sym(k, layout::MEMBLOCK) + memblock::reserved, memblock::type::total_size);
}

bool memblock_is_region_reserved(Kernel& k, PAddr base, std::uint64_t size) {
  TypeRef r(k, MemblockType::reserved);
  auto n = static_cast<unsigned>(r.cnt());
  for (unsigned i = 0; i < n; ++i) {
    PAddr rb = r.base(i);
    if (rb >= base + size) break;
    if (rb + r.size(i) > base) return true;
  }
  return false;
}

bool memblock_is_memory(Kernel& k, PAddr addr) {
  TypeRef r(k, MemblockType::memory);
  auto n = static_cast<unsigned>(r.cnt());
  for (unsigned i = 0; i < n; ++i) {
    PAddr rb = r.base(i);
    if (addr >= rb && addr < rb + r.size(i)) return true;
  }
  return false;
}

void for_each_free_mem_range(Kernel& k, const MemRangeFn& fn) {
  free_ranges(k, false, fn);
}
void for_each_free_mem_range_reverse(Kernel& k, const MemRangeFn& fn) {
  free_ranges(k, true, fn);
}

}  // namespace mmvp::sw
