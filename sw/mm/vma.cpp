#include "sw/mm/vma.h"

#include <cstring>

#include "sw/mm/mmzone.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {
namespace {

LAddr vma_of(LAddr list_entry) {
  return list_entry - vma::vm_list;
}
LAddr cachep(Kernel& k) {
  return k.mem.get(MM_GLOBALS, mm_globals::vm_area_cachep);
}

LAddr kstrdup(Kernel& k, const char* s) {
  const std::uint64_t n = std::strlen(s) + 1;
  LAddr p = kmalloc(k, n, GFP_KERNEL);
  if (p) k.mem.write_string(p, s, n);
  return p;
}

// Both anonymous, or the same file with b's pages following a's (is_mergeable_vma).
bool mergeable(Kernel& k, LAddr a, LAddr b) {
  Guest& g = k.mem;
  if (g.get(a, vma::vm_flags) != g.get(b, vma::vm_flags)) return false;
  if (g.get(a, vma::vm_end) != g.get(b, vma::vm_start)) return false;
  if (g.get(a, vma::vm_hpage_shift) != g.get(b, vma::vm_hpage_shift)) return false;
  const LAddr fa = g.get(a, vma::vm_file), fb = g.get(b, vma::vm_file);
  if (!fa && !fb) return true;
  if (!fa || !fb) return false;
  const std::uint64_t pages = (g.get(a, vma::vm_end) - g.get(a, vma::vm_start)) / PAGE_SIZE;
  return g.get(a, vma::vm_pgoff) + pages == g.get(b, vma::vm_pgoff) &&
         vma_file_path(k, a) == vma_file_path(k, b);
}

// Joins b into a (a below b), freeing b. The range stays mapped: total_vm keeps b's
// pages, which vma_remove takes off.
void absorb_next(Kernel& k, LAddr m, LAddr a, LAddr b) {
  const LAddr end = k.mem.get(b, vma::vm_end);
  const auto pages = static_cast<std::int64_t>((end - k.mem.get(b, vma::vm_start)) / PAGE_SIZE);
  k.mem.set(a, vma::vm_end, end);
  vma_remove(k, m, b);
  vm_stat_account(k, m, pages);
}

}  // namespace

void vma_cache_init(Kernel& k) {
  LAddr c = kmem_cache_create(k, "vm_area_struct", vma::kSize, 8, SLAB_PANIC, nullptr);
  if (!c) k.panic("vma_cache_init: cannot create the vm_area_struct cache");
  k.mem.set(MM_GLOBALS, mm_globals::vm_area_cachep, c);
}

void mm_vmas_init(Kernel& k, LAddr m, ProcessAbi abi) {
  Guest& g = k.mem;
  list::init(g, m + mm::mmap);
  g.set(m, mm::map_count, 0);
  g.set(m, mm::flags, 0);
  // TASK_SIZE: the i386 kernel's PAGE_OFFSET, or under x86-64 IA32_PAGE_OFFSET for a
  // 32-bit program; mmap_base sits MMAP_GAP below it either way.
  const LAddr task_size = kernel_layout.x86_32      ? TASK_SIZE_MAX
                          : abi == ProcessAbi::i386 ? IA32_PAGE_OFFSET
                                                    : TASK_SIZE;
  g.set(m, mm::mmap_base, task_size - MMAP_GAP);
  g.set(m, mm::task_size, task_size);
  g.set(m, mm::start_brk, 0);
  g.set(m, mm::brk, 0);
  g.set(m, mm::start_stack, 0);
  g.set(m, mm::total_vm, 0);
  g.set(m, mm::mmap_cache, 0);
  g.set(m, mm::hiwater_rss, 0);
  g.set(m, mm::hiwater_vm, 0);
  g.set(m, mm::on_touch_faults, 0);
}

void vm_stat_account(Kernel& k, LAddr m, std::int64_t pages) {
  Guest& g = k.mem;
  const std::uint64_t total = g.get(m, mm::total_vm) + static_cast<std::uint64_t>(pages);
  g.set(m, mm::total_vm, total);
  if (total > g.get(m, mm::hiwater_vm)) g.set(m, mm::hiwater_vm, total);
}

LAddr first_vma(Kernel& k, LAddr m) {
  LAddr e = k.mem.get(m + mm::mmap, list::next);
  return e == m + mm::mmap ? 0 : vma_of(e);
}
LAddr last_vma(Kernel& k, LAddr m) {
  LAddr e = k.mem.get(m + mm::mmap, list::prev);
  return e == m + mm::mmap ? 0 : vma_of(e);
}
LAddr vma_next(Kernel& k, LAddr m, LAddr v) {
  LAddr e = k.mem.get(v + vma::vm_list, list::next);
  return e == m + mm::mmap ? 0 : vma_of(e);
}
LAddr vma_prev(Kernel& k, LAddr m, LAddr v) {
  LAddr e = k.mem.get(v + vma::vm_list, list::prev);
  return e == m + mm::mmap ? 0 : vma_of(e);
}

LAddr find_vma(Kernel& k, LAddr m, LAddr addr) {
  Guest& g = k.mem;
  const LAddr cached = g.get(m, mm::mmap_cache);
  if (cached && g.get(cached, vma::vm_start) <= addr && addr < g.get(cached, vma::vm_end))
    return cached;
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    if (g.get(v, vma::vm_end) > addr) {
      g.set(m, mm::mmap_cache, v);
      return v;
    }
  }
  return 0;
}

LAddr find_vma_intersection(Kernel& k, LAddr m, LAddr start, LAddr end) {
  LAddr v = find_vma(k, m, start);
  return v && k.mem.get(v, vma::vm_start) < end ? v : 0;
}

LAddr vma_create(Kernel& k, LAddr m, LAddr start, LAddr end, std::uint64_t flags, const char* path,
                 std::uint64_t pgoff) {
  Guest& g = k.mem;
  LAddr v = kmem_cache_alloc(k, cachep(k), GFP_KERNEL);
  if (!v) return 0;
  LAddr file = 0;
  if (path && (file = kstrdup(k, path)) == 0) {
    kmem_cache_free(k, cachep(k), v);
    return 0;
  }
  g.set(v, vma::vm_start, start);
  g.set(v, vma::vm_end, end);
  g.set(v, vma::vm_flags, flags);
  g.set(v, vma::vm_pgoff, pgoff);
  g.set(v, vma::vm_file, file);
  g.set(v, vma::vm_mm, m);
  g.set(v, vma::vm_hpage_shift, 0);
  // vma_link(): after the last VMA below it.
  LAddr after = m + mm::mmap;
  for (LAddr w = first_vma(k, m); w && g.get(w, vma::vm_start) < start; w = vma_next(k, m, w))
    after = w + vma::vm_list;
  list::add(g, v + vma::vm_list, after);
  g.add(m, mm::map_count, 1);
  vm_stat_account(k, m, static_cast<std::int64_t>((end - start) / PAGE_SIZE));
  return v;
}

void vma_remove(Kernel& k, LAddr m, LAddr v) {
  Guest& g = k.mem;
  if (g.get(m, mm::mmap_cache) == v) g.set(m, mm::mmap_cache, 0);
  list::del(g, v + vma::vm_list);
  g.add(m, mm::map_count, static_cast<std::uint32_t>(-1));
  g.add(m, mm::total_vm, -((g.get(v, vma::vm_end) - g.get(v, vma::vm_start)) / PAGE_SIZE));
  if (LAddr file = g.get(v, vma::vm_file)) kfree(k, file);
  kmem_cache_free(k, cachep(k), v);
}

LAddr split_vma(Kernel& k, LAddr m, LAddr v, LAddr addr, bool new_below) {
  Guest& g = k.mem;
  const LAddr start = g.get(v, vma::vm_start), end = g.get(v, vma::vm_end);
  const std::uint64_t flags = g.get(v, vma::vm_flags), pgoff = g.get(v, vma::vm_pgoff);
  const std::string path = vma_file_path(k, v);
  const char* p = g.get(v, vma::vm_file) ? path.c_str() : nullptr;
  const std::uint64_t low_pages = (addr - start) / PAGE_SIZE;
  // The old VMA keeps one part; vma_create links the other (total_vm stays).
  g.add(m, mm::total_vm, -((new_below ? addr - start : end - addr) / PAGE_SIZE));
  LAddr n;
  if (new_below) {
    g.set(v, vma::vm_start, addr);
    g.set(v, vma::vm_pgoff, pgoff + low_pages);
    n = vma_create(k, m, start, addr, flags, p, pgoff);
    if (!n) {
      g.set(v, vma::vm_start, start);
      g.set(v, vma::vm_pgoff, pgoff);
    }
  } else {
    g.set(v, vma::vm_end, addr);
    n = vma_create(k, m, addr, end, flags, p, pgoff + low_pages);
    if (!n) g.set(v, vma::vm_end, end);
  }
  if (!n) {
    g.add(m, mm::total_vm, (new_below ? addr - start : end - addr) / PAGE_SIZE);
    return 0;
  }
  g.set(n, vma::vm_hpage_shift, g.get(v, vma::vm_hpage_shift));
  return n;
}

LAddr vma_merge_neighbours(Kernel& k, LAddr m, LAddr v) {
  if (LAddr next = vma_next(k, m, v); next && mergeable(k, v, next)) absorb_next(k, m, v, next);
  if (LAddr prev = vma_prev(k, m, v); prev && mergeable(k, prev, v)) {
    absorb_next(k, m, prev, v);
    return prev;
  }
  return v;
}

std::int64_t get_unmapped_area(Kernel& k, LAddr m, LAddr hint, std::uint64_t len,
                               std::uint64_t align) {
  Guest& g = k.mem;
  const LAddr task_size = g.get(m, mm::task_size);
  if (len > task_size - MMAP_MIN_ADDR) return -ENOMEM;
  if (hint) {
    hint = align ? (hint + align - 1) & ~(align - 1) : page_align(hint);
    if (hint >= MMAP_MIN_ADDR && hint <= task_size - len &&
        !find_vma_intersection(k, m, hint, hint + len))
      return static_cast<std::int64_t>(hint);
  }
  // An aligned placement searches for a gap longer by the alignment.
  const std::uint64_t need = align ? len + align : len;
  auto place = [&](LAddr gap_end) {
    LAddr a = gap_end - len;
    if (align) a &= ~(align - 1);
    return static_cast<std::int64_t>(a);
  };
  // vm_unmapped_area() top-down: the highest gap that ends at or below mmap_base,
  // walking the VMAs from the top.
  LAddr gap_end = g.get(m, mm::mmap_base);
  for (LAddr v = last_vma(k, m); v; v = vma_prev(k, m, v)) {
    const LAddr vs = g.get(v, vma::vm_start), ve = g.get(v, vma::vm_end);
    if (vs >= gap_end) continue;  // at or above the top of the search
    if (ve <= gap_end && gap_end - ve >= need) return place(gap_end);
    gap_end = std::min(gap_end, vs);
  }
  if (gap_end >= MMAP_MIN_ADDR + need) return place(gap_end);
  return -ENOMEM;
}

std::string vma_file_path(Kernel& k, LAddr v) {
  const LAddr file = k.mem.get(v, vma::vm_file);
  return file ? k.mem.read_string(file, 4096) : std::string();
}

}  // namespace mmvp::sw
