#include "sw/mm/mmap.h"

#include "sw/kernel/boot.h"
#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/memory.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/vma.h"

namespace mmvp::sw {
namespace {

constexpr std::uint64_t kStackGuardGap = 256 * PAGE_SIZE;  // stack_guard_gap (mm/mmap.c)

LAddr vstart(Kernel& k, LAddr v) {
  return k.mem.get(v, vma::vm_start);
}
LAddr vend(Kernel& k, LAddr v) {
  return k.mem.get(v, vma::vm_end);
}

// The offset mask of v's hugetlb page size, 0 for other VMAs.
std::uint64_t hpage_mask(Kernel& k, LAddr v) {
  const std::uint32_t shift = k.mem.get(v, vma::vm_hpage_shift);
  return shift ? (1ULL << shift) - 1 : 0;
}

// calc_vm_prot_bits(): PROT_* to VM_READ/WRITE/EXEC (the same bit values).
std::uint64_t prot_bits(std::uint64_t prot) {
  return prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

// The part of v's range in [start, end) gets newflags, splitting v where the range
// ends inside it and merging the result with its neighbours (mprotect_fixup,
// madvise_update_vma). Returns the VMA holding the range, 0 if a split ran out of memory.
LAddr vma_set_flags(Kernel& k, LAddr m, LAddr v, LAddr start, LAddr end, std::uint64_t newflags) {
  if (k.mem.get(v, vma::vm_flags) == newflags) return v;
  if (vstart(k, v) < start) {
    if (!split_vma(k, m, v, start, false)) return 0;
    v = vma_next(k, m, v);
  }
  if (vend(k, v) > end && !split_vma(k, m, v, end, false)) return 0;
  k.mem.set(v, vma::vm_flags, newflags);
  return vma_merge_neighbours(k, m, v);
}

// The unmapping core of munmap, MAP_FIXED and brk (do_vmi_align_munmap): splits the
// VMAs at the ends of [start, end), tears down their pages and the page tables no
// neighbour shares, removes them and flushes the TLB.
std::int64_t unmap_range(Kernel& k, LAddr m, LAddr start, LAddr end) {
  LAddr v = find_vma(k, m, start);
  if (!v || vstart(k, v) >= end) return 0;
  // A hugetlb mapping is cut only at its page size (hugetlb_vm_op_split).
  for (LAddr w = v; w && vstart(k, w) < end; w = vma_next(k, m, w)) {
    const std::uint64_t hmask = hpage_mask(k, w);
    if (((vstart(k, w) < start ? start : 0) | (vend(k, w) > end ? end : 0)) & hmask) return -EINVAL;
  }
  if (vstart(k, v) < start) {
    if (k.mem.get(m, mm::map_count) >= MAX_MAP_COUNT) return -ENOMEM;
    if (!split_vma(k, m, v, start, false)) return -ENOMEM;
    v = vma_next(k, m, v);
  }
  if (LAddr last = find_vma(k, m, end - 1); last && vstart(k, last) < end && vend(k, last) > end) {
    if (!split_vma(k, m, last, end, false)) return -ENOMEM;
  }
  const LAddr prev = vma_prev(k, m, v);
  TlbGather tlb;
  LAddr next = v;
  while (next && vstart(k, next) < end) {
    LAddr after = vma_next(k, m, next);
    if (k.mem.get(next, vma::vm_hpage_shift))
      hugetlb_unmap(k, m, next, vstart(k, next), vend(k, next), tlb, true);
    vma_remove(k, m, next);
    next = after;
  }
  zap_page_range(k, m, start, end, tlb);
  free_pgd_range(k, m, start, end, prev ? vend(k, prev) : 0, next ? vstart(k, next) : 0, tlb);
  tlb_finish(k, m, tlb);
  return 0;
}

// Faults in every page of [start, end) (populate_vma_page_range, for MAP_POPULATE).
void populate(Kernel& k, LAddr m, LAddr v, LAddr start, LAddr end) {
  const LAddr t = current_task(k);
  const PAddr pgd = k.mem.get(m, mm::pgd);
  for (LAddr va = start; va < end; va += PAGE_SIZE) {
    if (!lookup_address(k, pgd, va) && !do_anonymous_page(k, t, m, v, va)) return;
  }
}

}  // namespace

std::int64_t do_mmap(Kernel& k, LAddr m, LAddr addr, std::uint64_t len, std::uint64_t prot,
                     std::uint64_t flags, std::int64_t fd, std::uint64_t off, const char* path) {
  if (!len) return -EINVAL;
  if (off & (PAGE_SIZE - 1)) return -EINVAL;  // sys_mmap: offset_in_page(off)
  const std::uint64_t aligned = page_align(len);
  if (!aligned || aligned < len) return -ENOMEM;
  len = aligned;
  if ((off >> PAGE_SHIFT) + (len >> PAGE_SHIFT) < (off >> PAGE_SHIFT)) return -EOVERFLOW;
  if (k.mem.get(m, mm::map_count) > MAX_MAP_COUNT) return -ENOMEM;
  const std::uint64_t type = flags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return -EINVAL;
  const bool anonymous = flags & MAP_ANONYMOUS;
  if (!anonymous && static_cast<std::int32_t>(fd) < 0) return -EBADF;
  // MAP_HUGETLB: pages of a pool size (MAP_HUGE_2MB / _1GB), the length rounded up to
  // it, placed on its alignment, and reserved now (hugetlb_reserve_pages).
  const int huge = (flags & MAP_HUGETLB) ? hstate_of_flags(flags) : -1;
  if ((flags & MAP_HUGETLB) && huge < 0) return -EINVAL;
  const std::uint64_t hsize = huge < 0 ? 0 : 1ULL << HUGETLB_SHIFTS[huge];
  if (hsize) {
    len = (len + hsize - 1) & ~(hsize - 1);
    if (!len) return -ENOMEM;
  }
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  if (flags & MAP_FIXED) {
    if (addr & ((hsize ? hsize : PAGE_SIZE) - 1)) return -EINVAL;
    if (addr > k.mem.get(m, mm::task_size) - len || addr < MMAP_MIN_ADDR) return -ENOMEM;
    if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(k, m, addr, addr + len))
      return -EEXIST;
  } else {
    // thp_get_unmapped_area: an anonymous length of whole 2 MB units is 2 MB-aligned.
    const std::uint64_t align = hsize ? hsize : (anonymous && len % PMD_SIZE == 0 ? PMD_SIZE : 0);
    const std::int64_t a = get_unmapped_area(k, m, addr, len, align);
    if (a < 0) return a;
    addr = static_cast<LAddr>(a);
  }
  if (hsize && !hugetlb_reserve(k, static_cast<unsigned>(huge), len / hsize)) return -ENOMEM;
  std::uint64_t vm_flags = prot_bits(prot) | VM_MAY_ALL;
  if (type != MAP_PRIVATE) vm_flags |= VM_SHARED | VM_MAYSHARE;
  if (flags & MAP_GROWSDOWN) vm_flags |= VM_GROWSDOWN;
  if (hsize) vm_flags |= VM_HUGETLB;
  auto unreserve = [&] {
    if (hsize) k.mem.add(hstate_addr(huge), hstate::resv_huge_pages, -(len / hsize));
  };
  if (flags & MAP_FIXED) {
    if (std::int64_t r = unmap_range(k, m, addr, addr + len); r < 0) {
      unreserve();
      return r;
    }
  }
  const bool file = !anonymous && !hsize;  // no hugetlbfs: a hugetlb mapping is anonymous
  LAddr v = vma_create(k, m, addr, addr + len, vm_flags, file ? (path ? path : "") : nullptr,
                       file ? off >> PAGE_SHIFT : 0);
  if (!v) {
    unreserve();
    return -ENOMEM;
  }
  if (hsize) k.mem.set(v, vma::vm_hpage_shift, HUGETLB_SHIFTS[huge]);
  v = vma_merge_neighbours(k, m, v);
  if ((flags & MAP_POPULATE) && !hsize) populate(k, m, v, addr, addr + len);
  return static_cast<std::int64_t>(addr);
}

std::int64_t do_munmap(Kernel& k, LAddr m, LAddr addr, std::uint64_t len) {
  const LAddr task_size = k.mem.get(m, mm::task_size);
  if ((addr & (PAGE_SIZE - 1)) || addr > task_size || len > task_size - addr) return -EINVAL;
  len = page_align(len);
  if (!len) return -EINVAL;
  return unmap_range(k, m, addr, addr + len);
}

std::int64_t do_brk(Kernel& k, LAddr m, LAddr brk) {
  Guest& g = k.mem;
  const LAddr origbrk = g.get(m, mm::brk);
  if (brk < g.get(m, mm::start_brk) || brk > g.get(m, mm::task_size))
    return static_cast<std::int64_t>(origbrk);
  const LAddr newbrk = page_align(brk), oldbrk = page_align(origbrk);
  if (oldbrk == newbrk) {
    g.set(m, mm::brk, brk);
    return static_cast<std::int64_t>(brk);
  }
  if (brk <= origbrk) {  // shrinking: unmap what lies above the new break
    g.set(m, mm::brk, brk);
    if (unmap_range(k, m, newbrk, oldbrk) < 0) {
      g.set(m, mm::brk, origbrk);
      return static_cast<std::int64_t>(origbrk);
    }
    return static_cast<std::int64_t>(brk);
  }
  // The heap may not grow into (or up to the guard page of) the next mapping.
  if (LAddr next = find_vma(k, m, oldbrk); next && newbrk + PAGE_SIZE > vstart(k, next))
    return static_cast<std::int64_t>(origbrk);
  // do_brk_flags(): extend the heap VMA that ends at the old break, or make one.
  constexpr std::uint64_t kDataFlags = VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT;
  LAddr v = oldbrk ? find_vma(k, m, oldbrk - 1) : 0;
  if (v && vend(k, v) == oldbrk && g.get(v, vma::vm_flags) == kDataFlags &&
      !g.get(v, vma::vm_file)) {
    g.set(v, vma::vm_end, newbrk);
    vm_stat_account(k, m, static_cast<std::int64_t>((newbrk - oldbrk) / PAGE_SIZE));
  } else if (!vma_create(k, m, oldbrk, newbrk, kDataFlags, nullptr, 0)) {
    return static_cast<std::int64_t>(origbrk);
  }
  g.set(m, mm::brk, brk);
  return static_cast<std::int64_t>(brk);
}

std::int64_t do_mprotect(Kernel& k, LAddr m, LAddr start, std::uint64_t len, std::uint64_t prot) {
  constexpr std::uint64_t PROT_SEM = 0x8;
  if (start & (PAGE_SIZE - 1)) return -EINVAL;
  if (!len) return 0;
  len = page_align(len);
  const LAddr end = start + len;
  if (end <= start) return -ENOMEM;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) return -EINVAL;
  LAddr v = find_vma(k, m, start);
  if (!v || vstart(k, v) > start) return -ENOMEM;
  TlbGather tlb;
  std::int64_t error = 0;
  for (LAddr at = start;;) {
    const std::uint64_t flags = k.mem.get(v, vma::vm_flags);
    const std::uint64_t newflags = prot_bits(prot) | (flags & ~VM_ACCESS_FLAGS);
    // Each access bit needs its VM_MAY* bit, four places up.
    if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
      error = -EACCES;
      break;
    }
    const LAddr stop = std::min(vend(k, v), end);
    if ((at | stop) & hpage_mask(k, v)) {
      error = -EINVAL;
      break;
    }
    LAddr changed = vma_set_flags(k, m, v, at, stop, newflags);
    if (!changed) {
      error = -ENOMEM;
      break;
    }
    if (flags != newflags) change_protection(k, m, at, stop, newflags, tlb);
    at = stop;
    if (at >= end) break;
    v = find_vma(k, m, at);
    if (!v || vstart(k, v) != at) {
      error = -ENOMEM;
      break;
    }
  }
  tlb_finish(k, m, tlb);
  return error;
}

std::int64_t do_madvise(Kernel& k, LAddr m, LAddr start, std::uint64_t len_in, int advice) {
  switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
      break;
    default:
      if (advice < 9 || advice > 25) return -EINVAL;  // 9..25: valid hints mmvp ignores
      break;
  }
  if (start & (PAGE_SIZE - 1)) return -EINVAL;
  const std::uint64_t len = page_align(len_in);
  if (len_in && !len) return -EINVAL;
  const LAddr end = start + len;
  if (end < start) return -EINVAL;
  if (end == start) return 0;
  TlbGather tlb;
  std::int64_t error = 0;
  LAddr at = start;
  for (LAddr v = find_vma(k, m, start); v && at < end;) {
    if (vstart(k, v) > at) error = -ENOMEM;  // a hole: the rest still gets the advice
    const LAddr from = std::max(at, vstart(k, v)), to = std::min(end, vend(k, v));
    if (from >= end) break;
    const std::uint64_t flags = k.mem.get(v, vma::vm_flags);
    if (advice == MADV_DONTNEED && hpage_mask(k, v)) {
      if ((from | to) & hpage_mask(k, v)) {
        error = -EINVAL;
        break;
      }
      hugetlb_unmap(k, m, v, from, to, tlb, false);
    } else if (advice == MADV_DONTNEED) {
      zap_page_range(k, m, from, to, tlb);
    } else if (advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE) {
      const std::uint64_t newflags = advice == MADV_HUGEPAGE
                                         ? (flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE
                                         : (flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
      v = vma_set_flags(k, m, v, from, to, newflags);
      if (!v) {
        error = -ENOMEM;
        break;
      }
    }
    at = to;
    v = at < end ? find_vma(k, m, at) : 0;
  }
  if (at < end && !error) error = -ENOMEM;
  tlb_finish(k, m, tlb);
  return error;
}

std::int64_t prctl_set_mm(Kernel& k, LAddr m, std::uint64_t opt, LAddr addr) {
  constexpr std::uint64_t PR_SET_MM_START_STACK = 5, PR_SET_MM_START_BRK = 6, PR_SET_MM_BRK = 7;
  if (addr >= k.mem.get(m, mm::task_size) || addr < MMAP_MIN_ADDR) return -EINVAL;
  switch (opt) {
    case PR_SET_MM_START_STACK:
      k.mem.set(m, mm::start_stack, addr);
      return 0;
    case PR_SET_MM_START_BRK:
      k.mem.set(m, mm::start_brk, addr);
      if (k.mem.get(m, mm::brk) < addr) k.mem.set(m, mm::brk, addr);
      return 0;
    case PR_SET_MM_BRK:
      if (addr < k.mem.get(m, mm::start_brk)) return -EINVAL;
      k.mem.set(m, mm::brk, addr);
      return 0;
    default:
      return -EINVAL;
  }
}

LAddr fault_vma(Kernel& k, LAddr m, LAddr addr) {
  LAddr v = find_vma(k, m, addr);
  if (v && vstart(k, v) <= addr) return v;
  const LAddr page = addr & ~(PAGE_SIZE - 1);
  if (v && (k.mem.get(v, vma::vm_flags) & VM_GROWSDOWN)) {
    // expand_downwards(): the stack grows to the page, keeping stack_guard_gap above the
    // mapping below it.
    LAddr prev = vma_prev(k, m, v);
    if (prev && vend(k, prev) + kStackGuardGap > page) return 0;
    vm_stat_account(k, m, static_cast<std::int64_t>((vstart(k, v) - page) / PAGE_SIZE));
    k.mem.set(v, vma::vm_start, page);
    return v;
  }
  if (!(k.mem.get(m, mm::flags) & mm::MMF_VMA_ON_TOUCH)) return 0;
  const LAddr task_size = k.mem.get(m, mm::task_size);
  if (page >= task_size) return 0;  // above a 32-bit process's address space
  // The page, or under kernel.user_page_size=2m/1g the free part of its 2 MB / 1 GB
  // range, which the large page will map.
  LAddr start = page, end = page + PAGE_SIZE;
  const auto mode = static_cast<ThpMode>(k.mem.get(MM_GLOBALS, mm_globals::transparent_hugepage));
  if (mode == ThpMode::every_fault || mode == ThpMode::every_fault_1g) {
    const std::uint64_t size = mode == ThpMode::every_fault ? PMD_SIZE : PUD_SIZE;
    const LAddr haddr = page & ~(size - 1);
    const LAddr prev = v ? vma_prev(k, m, v) : (first_vma(k, m) ? last_vma(k, m) : 0);
    start = std::max(haddr, prev ? vend(k, prev) : 0);
    end = std::min(haddr + size, v ? vstart(k, v) : task_size);
    // Leave the heap room to grow from the loader's break.
    const LAddr start_brk = k.mem.get(m, mm::start_brk);
    if (start_brk && page < start_brk) end = std::min(end, start_brk);
  }
  LAddr fresh = vma_create(k, m, start, end, VM_ACCESS_FLAGS | VM_MAY_ALL, nullptr, 0);
  if (!fresh) return 0;
  k.mem.add(m, mm::on_touch_faults, 1);
  return vma_merge_neighbours(k, m, fresh);
}

void exit_mmap(Kernel& k, LAddr m) {
  TlbGather unused;  // the mm is no longer loaded: its entries went with the CR3 switch
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v))
    if (k.mem.get(v, vma::vm_hpage_shift))
      hugetlb_unmap(k, m, v, vstart(k, v), vend(k, v), unused, true);
  // The user part only: above it an i386 kernel's PMDs are every process's.
  const LAddr task_size = k.mem.get(m, mm::task_size);
  zap_page_range(k, m, 0, task_size, unused);
  free_pgd_range(k, m, 0, task_size, 0, 0, unused);
  while (LAddr v = first_vma(k, m)) vma_remove(k, m, v);
}

}  // namespace mmvp::sw
