// Self-tests of VMAs and the memory system calls, made with SYSCALL from CPL 3 as a
// process makes them: placement, merging and splitting, every error path, TLB
// invalidation, page and page-table freeing, and the fault rules of do_user_addr_fault.
#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/kernel/syscall.h"
#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/mmap.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/vma.h"

namespace mmvp::sw {
namespace {

constexpr std::uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr std::uint64_t kRW = PROT_READ | PROT_WRITE;
constexpr std::uint64_t kNoFd = ~std::uint64_t{0};

// A system call from user mode, as a 64-bit process makes it.
std::int64_t sys(Kernel& k, std::uint64_t nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                 std::uint64_t a2 = 0, std::uint64_t a3 = 0, std::uint64_t a4 = 0,
                 std::uint64_t a5 = 0) {
  return user_syscall(k, false, nr, a0, a1, a2, a3, a4, a5);
}
std::int64_t sys_mmap(Kernel& k, LAddr addr, std::uint64_t len, std::uint64_t prot,
                      std::uint64_t flags) {
  return sys(k, sysno::mmap, addr, len, prot, flags, kNoFd, 0);
}

// A user access; true if the kernel killed the process for it.
bool user_touch_kills(Kernel& k, LAddr va, AccessKind kind) {
  k.cpu.set_cpl(3);
  bool killed = false;
  try {
    k.cpu.touch(va, 8, kind, false);
  } catch (const ProcessKilled&) {
    killed = true;
  }
  k.cpu.set_cpl(0);
  return killed;
}

// A process switched to, its mm.
struct Proc {
  Kernel& k;
  LAddr task;
  LAddr mm;
  explicit Proc(Kernel& kk, const char* name = "ktest") : k(kk), task(create_process(kk, name)) {
    mm = k.mem.get(task, task::mm);
    switch_to(k, task);
  }
  ~Proc() { do_exit(k, task, 0); }
  std::uint32_t vmas() { return k.mem.get(mm, mm::map_count); }
  std::uint64_t rss() { return k.mem.get(mm, mm::rss); }
  std::uint64_t pte(LAddr va) { return lookup_address(k, k.mem.get(mm, mm::pgd), va); }
  LAddr vma_at(LAddr va) { return find_vma_intersection(k, mm, va, va + 1); }
  std::uint64_t flags_at(LAddr va) { return k.mem.get(vma_at(va), vma::vm_flags); }
};

}  // namespace

KTEST(vma, mmap_places_top_down_below_mmap_base_and_merges_neighbours) {
  Proc p(t.k);
  const std::int64_t a = sys_mmap(t.k, 0, 3 * PAGE_SIZE, kRW, kAnon);
  KEXPECT_EQ(a, static_cast<std::int64_t>(MMAP_BASE - 3 * PAGE_SIZE));
  const std::int64_t b = sys_mmap(t.k, 0, 5000, kRW, kAnon);  // rounded up to 2 pages
  KEXPECT_EQ(b, a - static_cast<std::int64_t>(2 * PAGE_SIZE));
  KEXPECT_EQ(p.vmas(), 1u);  // adjacent, same flags, anonymous: one VMA
  const LAddr v = p.vma_at(static_cast<LAddr>(b));
  KEXPECT_EQ(t.k.mem.get(v, vma::vm_start), static_cast<LAddr>(b));
  KEXPECT_EQ(t.k.mem.get(v, vma::vm_end), MMAP_BASE);
  const std::int64_t c = sys_mmap(t.k, 0, PAGE_SIZE, PROT_READ, kAnon);  // other flags
  KEXPECT_EQ(p.vmas(), 2u);
  // A free hint is taken; a hint inside a mapping is not.
  KEXPECT_EQ(sys_mmap(t.k, 0x10000000, PAGE_SIZE, kRW, kAnon), 0x10000000);
  KEXPECT_EQ(sys_mmap(t.k, static_cast<LAddr>(c), PAGE_SIZE, kRW, kAnon),
             c - static_cast<std::int64_t>(PAGE_SIZE));
}

// Regression: a merge took the absorbed VMA's pages off total_vm (VmSize, pmap's
// total) though they stayed mapped.
KTEST(vma, total_vm_counts_every_mapped_page_through_merges_and_splits) {
  Proc p(t.k);
  auto mapped_pages = [&] {
    std::uint64_t pages = 0;
    for (LAddr v = first_vma(t.k, p.mm); v; v = vma_next(t.k, p.mm, v))
      pages += (t.k.mem.get(v, vma::vm_end) - t.k.mem.get(v, vma::vm_start)) / PAGE_SIZE;
    return pages;
  };
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0x40000000, 4 * PAGE_SIZE, kRW, kAnon));
  sys_mmap(t.k, a + 4 * PAGE_SIZE, 4 * PAGE_SIZE, kRW, kAnon | MAP_FIXED);  // merges
  KEXPECT_EQ(p.vmas(), 1u);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::total_vm), 8u);
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);  // splits
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a + 2 * PAGE_SIZE, PAGE_SIZE, kRW), 0);        // merges
  KEXPECT_EQ(p.vmas(), 1u);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::total_vm), mapped_pages());
  KEXPECT_EQ(sys(t.k, sysno::munmap, a, 6 * PAGE_SIZE), 0);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::total_vm), 2u);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::hiwater_vm), 8u);  // VmPeak
}

KTEST(vma, munmap_splits_frees_pages_and_page_tables) {
  const std::uint64_t tables_before = global_node_page_state(t.k, NR_PAGETABLE);
  {
    Proc p(t.k);
    const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0x40000000, 8 * PAGE_SIZE, kRW, kAnon));
    for (unsigned i = 0; i < 8; ++i)
      KEXPECT(!user_touch_kills(t.k, a + i * PAGE_SIZE, AccessKind::write));
    KEXPECT_EQ(p.rss(), 8u);
    KEXPECT_EQ(t.k.mem.get(p.mm, mm::pgtables), 3u);  // PUD, PMD and PTE pages
    KEXPECT_EQ(sys(t.k, sysno::munmap, a + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
    KEXPECT_EQ(p.vmas(), 2u);  // [a, a+2) and [a+5, a+8)
    KEXPECT_EQ(p.rss(), 5u);
    KEXPECT_EQ(p.pte(a + 3 * PAGE_SIZE), 0u);
    KEXPECT(p.pte(a + 5 * PAGE_SIZE) != 0);
    KEXPECT_EQ(t.k.mem.get(p.vma_at(a + 5 * PAGE_SIZE), vma::vm_start), a + 5 * PAGE_SIZE);
    // Unmapping everything frees the page tables no other mapping shares.
    KEXPECT_EQ(sys(t.k, sysno::munmap, a, 8 * PAGE_SIZE), 0);
    KEXPECT_EQ(p.vmas(), 0u);
    KEXPECT_EQ(p.rss(), 0u);
    KEXPECT_EQ(t.k.mem.get(p.mm, mm::pgtables), 0u);
    KEXPECT_EQ(global_node_page_state(t.k, NR_PAGETABLE), tables_before);
    // Touching the unmapped range is now a segfault.
    KEXPECT(user_touch_kills(t.k, a, AccessKind::read));
  }
  KEXPECT_EQ(global_node_page_state(t.k, NR_PAGETABLE), tables_before);
}

KTEST(vma, exit_returns_page_tables_counter_to_its_boot_value) {
  const std::uint64_t tables_before = global_node_page_state(t.k, NR_PAGETABLE);
  for (int i = 0; i < 2; ++i) {
    Proc p(t.k);
    const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 4 * PMD_SIZE, kRW, kAnon));
    for (LAddr va = a; va < a + 4 * PMD_SIZE; va += PMD_SIZE)
      KEXPECT(!user_touch_kills(t.k, va, AccessKind::write));
    KEXPECT(global_node_page_state(t.k, NR_PAGETABLE) > tables_before);
  }
  KEXPECT_EQ(global_node_page_state(t.k, NR_PAGETABLE), tables_before);
}

KTEST(vma, munmap_flushes_page_by_page_up_to_33_pages_then_all) {
  Proc p(t.k);
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 64 * PAGE_SIZE, kRW, kAnon));
  for (unsigned i = 0; i < 64; ++i) user_touch_kills(t.k, a + i * PAGE_SIZE, AccessKind::write);
  const std::uint64_t one = vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ONE);
  const std::uint64_t all = vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ALL);
  KEXPECT_EQ(sys(t.k, sysno::munmap, a, 33 * PAGE_SIZE), 0);  // 33 INVLPGs
  KEXPECT_EQ(vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ONE) - one, 33u);
  KEXPECT_EQ(vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ALL) - all, 0u);
  KEXPECT_EQ(sys(t.k, sysno::munmap, a + 33 * PAGE_SIZE, 31 * PAGE_SIZE), 0);
  // 31 pages and their page-table pages freed: more than 33 pages of range, a full flush.
  KEXPECT_EQ(vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ALL) - all, 1u);
  // Unmapping what holds no page flushes nothing.
  const std::uint64_t one2 = vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ONE);
  KEXPECT_EQ(sys(t.k, sysno::munmap, a, 64 * PAGE_SIZE), 0);
  KEXPECT_EQ(vm_event_count(t.k, NR_TLB_LOCAL_FLUSH_ONE), one2);
}

KTEST(vma, mprotect_splits_changes_ptes_and_enforces_them) {
  Proc p(t.k);
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 4 * PAGE_SIZE, kRW, kAnon));
  for (unsigned i = 0; i < 4; ++i) user_touch_kills(t.k, a + i * PAGE_SIZE, AccessKind::write);
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
  KEXPECT_EQ(p.vmas(), 3u);
  KEXPECT_EQ(p.flags_at(a + PAGE_SIZE) & VM_ACCESS_FLAGS, VM_READ);
  KEXPECT_EQ(p.pte(a + PAGE_SIZE) & pte::RW, 0u);
  KEXPECT(!user_touch_kills(t.k, a + PAGE_SIZE, AccessKind::read));
  KEXPECT(user_touch_kills(t.k, a + PAGE_SIZE, AccessKind::write));
  // Back to read-write: the three VMAs merge again.
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a + PAGE_SIZE, PAGE_SIZE, kRW), 0);
  KEXPECT_EQ(p.vmas(), 1u);
  KEXPECT(!user_touch_kills(t.k, a + PAGE_SIZE, AccessKind::write));
  // PROT_NONE: every access faults; no-exec data: a fetch faults.
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a, PAGE_SIZE, 0), 0);
  KEXPECT(user_touch_kills(t.k, a, AccessKind::read));
  KEXPECT(user_touch_kills(t.k, a + 2 * PAGE_SIZE, AccessKind::fetch));
}

KTEST(vma, every_error_is_linuxs_errno) {
  Proc p(t.k);
  const auto e = [](std::int64_t errno_value) { return -errno_value; };
  KEXPECT_EQ(sys_mmap(t.k, 0, 0, kRW, kAnon), e(EINVAL));                  // length 0
  KEXPECT_EQ(sys_mmap(t.k, 0, PAGE_SIZE, kRW, MAP_ANONYMOUS), e(EINVAL));  // no type
  KEXPECT_EQ(sys_mmap(t.k, 0, PAGE_SIZE, kRW, MAP_PRIVATE), e(EBADF));     // fd -1
  KEXPECT_EQ(sys_mmap(t.k, 0x10001, PAGE_SIZE, kRW, kAnon | MAP_FIXED), e(EINVAL));
  KEXPECT_EQ(sys_mmap(t.k, TASK_SIZE, PAGE_SIZE, kRW, kAnon | MAP_FIXED), e(ENOMEM));
  KEXPECT_EQ(sys_mmap(t.k, 0, ~std::uint64_t{0} - 100, kRW, kAnon), e(ENOMEM));
  KEXPECT_EQ(sys(t.k, sysno::mmap, 0, PAGE_SIZE, kRW, kAnon, kNoFd, 100), e(EINVAL));  // offset
  KEXPECT_EQ(sys_mmap(t.k, 0, PAGE_SIZE, kRW, kAnon | MAP_HUGETLB), e(ENOMEM));        // empty pool
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0x20000000, 2 * PAGE_SIZE, kRW, kAnon));
  KEXPECT_EQ(sys_mmap(t.k, a + PAGE_SIZE, PAGE_SIZE, kRW, kAnon | MAP_FIXED_NOREPLACE), e(EEXIST));
  KEXPECT_EQ(sys(t.k, sysno::munmap, a + 1, PAGE_SIZE), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::munmap, a, 0), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::munmap, 0x30000000, PAGE_SIZE), 0);  // nothing there: fine
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a + 1, PAGE_SIZE, PROT_READ), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::mprotect, 0x30000000, PAGE_SIZE, PROT_READ), e(ENOMEM));
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a, 3 * PAGE_SIZE, PROT_READ), e(ENOMEM));  // runs past
  KEXPECT_EQ(sys(t.k, sysno::mprotect, a, PAGE_SIZE, 0x40), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::madvise, a, PAGE_SIZE, 99), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::madvise, a + 1, PAGE_SIZE, MADV_DONTNEED), e(EINVAL));
  KEXPECT_EQ(sys(t.k, sysno::madvise, a, 4 * PAGE_SIZE, MADV_DONTNEED), e(ENOMEM));  // hole
  KEXPECT_EQ(sys(t.k, 1000), e(ENOSYS));
  // MAP_FIXED replaces what was there.
  KEXPECT_EQ(sys_mmap(t.k, a, PAGE_SIZE, PROT_READ, kAnon | MAP_FIXED),
             static_cast<std::int64_t>(a));
  KEXPECT_EQ(p.flags_at(a) & VM_ACCESS_FLAGS, VM_READ);
}

KTEST(vma, brk_grows_and_shrinks_the_heap) {
  Proc p(t.k);
  constexpr LAddr kBase = 0x600000;
  KEXPECT_EQ(sys(t.k, sysno::prctl, PR_SET_MM, 6, kBase), 0);  // PR_SET_MM_START_BRK
  KEXPECT_EQ(sys(t.k, sysno::brk, 0), static_cast<std::int64_t>(kBase));
  KEXPECT_EQ(sys(t.k, sysno::brk, kBase + 10000), static_cast<std::int64_t>(kBase + 10000));
  KEXPECT_EQ(p.vmas(), 1u);
  KEXPECT_EQ(t.k.mem.get(p.vma_at(kBase), vma::vm_end), kBase + 3 * PAGE_SIZE);
  KEXPECT(!user_touch_kills(t.k, kBase + 9000, AccessKind::write));
  KEXPECT_EQ(sys(t.k, sysno::brk, kBase + 20000), static_cast<std::int64_t>(kBase + 20000));
  KEXPECT_EQ(p.vmas(), 1u);  // the heap VMA grew
  KEXPECT_EQ(sys(t.k, sysno::brk, kBase - 1), static_cast<std::int64_t>(kBase + 20000));  // below
  KEXPECT_EQ(sys(t.k, sysno::brk, kBase + 100), static_cast<std::int64_t>(kBase + 100));
  KEXPECT_EQ(p.rss(), 0u);  // the touched page went with the shrink
  KEXPECT(user_touch_kills(t.k, kBase + 9000, AccessKind::read));
}

KTEST(vma, faults_outside_vmas_segfault_and_stacks_grow_down) {
  {
    Proc p(t.k);
    KEXPECT(user_touch_kills(t.k, 0x50000000, AccessKind::read));
    const LAddr top = 0x7ff000000000;
    KEXPECT_EQ(sys_mmap(t.k, top - PAGE_SIZE, PAGE_SIZE, kRW, kAnon | MAP_FIXED | MAP_GROWSDOWN),
               static_cast<std::int64_t>(top - PAGE_SIZE));
    KEXPECT(!user_touch_kills(t.k, top - 5 * PAGE_SIZE, AccessKind::write));  // grows
    KEXPECT_EQ(t.k.mem.get(p.vma_at(top - PAGE_SIZE), vma::vm_start), top - 5 * PAGE_SIZE);
  }
  {
    Proc p(t.k);
    KEXPECT(user_touch_kills(t.k, 0x50000000, AccessKind::write));
  }
}

KTEST(vma, first_touches_make_merged_vmas_under_mmf_vma_on_touch) {
  LAddr task = create_process(t.k, "ontouch", mm::MMF_VMA_ON_TOUCH);
  switch_to(t.k, task);
  const LAddr m = t.k.mem.get(task, task::mm);
  for (unsigned i = 0; i < 3; ++i)
    user_touch_kills(t.k, 0x400000 + i * PAGE_SIZE, AccessKind::fetch);
  user_touch_kills(t.k, 0x800000, AccessKind::write);
  KEXPECT_EQ(t.k.mem.get(m, mm::map_count), 2u);
  KEXPECT_EQ(t.k.mem.get(m, mm::on_touch_faults), 4u);
  do_exit(t.k, task, 0);
}

KTEST(vma, madvise_dontneed_drops_pages_and_hugepage_marks_the_vma) {
  Proc p(t.k);
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 4 * PAGE_SIZE, kRW, kAnon));
  for (unsigned i = 0; i < 4; ++i) user_touch_kills(t.k, a + i * PAGE_SIZE, AccessKind::write);
  KEXPECT_EQ(sys(t.k, sysno::madvise, a, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
  KEXPECT_EQ(p.rss(), 2u);
  KEXPECT_EQ(p.vmas(), 1u);  // the mapping stays
  KEXPECT_EQ(sys(t.k, sysno::madvise, a, 2 * PAGE_SIZE, MADV_HUGEPAGE), 0);
  KEXPECT_EQ(p.vmas(), 2u);
  KEXPECT(p.flags_at(a) & VM_HUGEPAGE);
  KEXPECT(!(p.flags_at(a + 3 * PAGE_SIZE) & VM_HUGEPAGE));
}

}  // namespace mmvp::sw

namespace mmvp::sw {
namespace {

// Sets the THP mode for one test and restores the boot's after.
struct ThpModeScope {
  Kernel& k;
  std::uint32_t saved;
  ThpModeScope(Kernel& kk, ThpMode mode)
      : k(kk), saved(kk.mem.get(MM_GLOBALS, mm_globals::transparent_hugepage)) {
    k.mem.set(MM_GLOBALS, mm_globals::transparent_hugepage, static_cast<std::uint32_t>(mode));
  }
  ~ThpModeScope() { k.mem.set(MM_GLOBALS, mm_globals::transparent_hugepage, saved); }
};

std::uint64_t pmd_of(Proc& p, LAddr va) {
  unsigned level = 0;
  const std::uint64_t e = lookup_address(p.k, p.k.mem.get(p.mm, mm::pgd), va, &level);
  return level == 2 ? e : 0;
}

}  // namespace

KTEST(thp, madvised_fault_maps_a_2mb_page_and_munmap_splits_it) {
  ThpModeScope mode(t.k, ThpMode::madvise);
  Proc p(t.k);
  const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 2 * PMD_SIZE, kRW, kAnon));
  KEXPECT_EQ(a % PMD_SIZE, 0u);  // thp_get_unmapped_area: 2 MB-aligned
  // Without MADV_HUGEPAGE, madvise mode faults 4 KB pages.
  KEXPECT(!user_touch_kills(t.k, a + PMD_SIZE, AccessKind::write));
  KEXPECT_EQ(pmd_of(p, a + PMD_SIZE), 0u);
  KEXPECT_EQ(sys(t.k, sysno::madvise, a, PMD_SIZE, MADV_HUGEPAGE), 0);
  const std::uint64_t allocs = vm_event_count(t.k, THP_FAULT_ALLOC);
  const std::uint64_t thps = global_node_page_state(t.k, NR_ANON_THPS);
  KEXPECT(!user_touch_kills(t.k, a + 12345, AccessKind::write));
  KEXPECT_EQ(vm_event_count(t.k, THP_FAULT_ALLOC) - allocs, 1u);
  KEXPECT((pmd_of(p, a) & (pte::P | pte::PS | pte::US | pte::RW)) ==
          (pte::P | pte::PS | pte::US | pte::RW));
  KEXPECT_EQ(p.rss(), 513u);
  KEXPECT_EQ(global_node_page_state(t.k, NR_ANON_THPS) - thps, 512u);
  t.k.cpu.set_ac(true);  // STAC: a kernel read of user memory past SMAP (copy_from_user)
  KEXPECT_EQ(t.k.mem.r64(a + 4096), 0u);  // zeroed
  t.k.cpu.set_ac(false);
  // munmap of one page in the middle: split_huge_pmd, the other 511 pages stay.
  const std::uint64_t splits = vm_event_count(t.k, THP_SPLIT_PMD);
  KEXPECT_EQ(sys(t.k, sysno::munmap, a + 100 * PAGE_SIZE, PAGE_SIZE), 0);
  KEXPECT_EQ(vm_event_count(t.k, THP_SPLIT_PMD) - splits, 1u);
  KEXPECT_EQ(pmd_of(p, a), 0u);
  KEXPECT(p.pte(a + 99 * PAGE_SIZE) != 0);
  KEXPECT_EQ(p.pte(a + 100 * PAGE_SIZE), 0u);
  KEXPECT_EQ(p.rss(), 512u);
  KEXPECT_EQ(global_node_page_state(t.k, NR_ANON_THPS), thps);
}

KTEST(thp, always_mode_mprotect_of_part_splits_and_whole_unmap_frees_the_block) {
  ThpModeScope mode(t.k, ThpMode::always);
  const std::uint64_t free_before = nr_free_and_pcp_pages(t.k);
  {
    Proc p(t.k);
    const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, 2 * PMD_SIZE, kRW, kAnon));
    KEXPECT(!user_touch_kills(t.k, a, AccessKind::write));
    KEXPECT(!user_touch_kills(t.k, a + PMD_SIZE, AccessKind::write));
    KEXPECT(pmd_of(p, a) != 0 && pmd_of(p, a + PMD_SIZE) != 0);
    // mprotect of a whole 2 MB page changes the PMD; of part of one splits it.
    KEXPECT_EQ(sys(t.k, sysno::mprotect, a + PMD_SIZE, PMD_SIZE, PROT_READ), 0);
    KEXPECT_EQ(pmd_of(p, a + PMD_SIZE) & pte::RW, 0u);
    KEXPECT(user_touch_kills(t.k, a + PMD_SIZE, AccessKind::write));
    KEXPECT_EQ(sys(t.k, sysno::mprotect, a, PAGE_SIZE, PROT_READ), 0);
    KEXPECT_EQ(pmd_of(p, a), 0u);
    KEXPECT_EQ(p.pte(a) & pte::RW, 0u);
    KEXPECT(p.pte(a + PAGE_SIZE) & pte::RW);
    // MADV_NOHUGEPAGE keeps a VMA on 4 KB pages even in always mode.
    const LAddr b = static_cast<LAddr>(sys_mmap(t.k, 0, PMD_SIZE, kRW, kAnon));
    KEXPECT_EQ(sys(t.k, sysno::madvise, b, PMD_SIZE, MADV_NOHUGEPAGE), 0);
    KEXPECT(!user_touch_kills(t.k, b, AccessKind::write));
    KEXPECT_EQ(pmd_of(p, b), 0u);
  }
  KEXPECT(nr_free_and_pcp_pages(t.k) + 8 >=
          free_before);  // all but slab and table-cache pages back
}

KTEST(thp, no_free_2mb_block_falls_back_to_4kb) {
  ThpModeScope mode(t.k, ThpMode::always);
  // Take every free order-9 block, chained through their first words.
  LAddr chain = 0;
  while (LAddr blk = alloc_pages(t.k, GFP_KERNEL | __GFP_NOWARN, 9)) {
    t.k.mem.w64(page::page_to_virt(blk), chain);
    chain = page::page_to_virt(blk);
  }
  {
    Proc p(t.k);
    const LAddr a = static_cast<LAddr>(sys_mmap(t.k, 0, PMD_SIZE, kRW, kAnon));
    const std::uint64_t fallbacks = vm_event_count(t.k, THP_FAULT_FALLBACK);
    KEXPECT(!user_touch_kills(t.k, a, AccessKind::write));
    KEXPECT_EQ(vm_event_count(t.k, THP_FAULT_FALLBACK) - fallbacks, 1u);
    KEXPECT_EQ(pmd_of(p, a), 0u);
    KEXPECT(p.pte(a) != 0);
  }
  while (chain) {
    const LAddr next = t.k.mem.r64(chain);
    free_pages(t.k, chain, 9);
    chain = next;
  }
}

KTEST(thp, user_page_size_2m_maps_every_anonymous_fault_huge) {
  ThpModeScope mode(t.k, ThpMode::every_fault);
  LAddr task = create_process(t.k, "bound", mm::MMF_VMA_ON_TOUCH);
  switch_to(t.k, task);
  KEXPECT(!user_touch_kills(t.k, 0x400123, AccessKind::write));  // a one-page on-touch VMA
  unsigned level = 0;
  const LAddr m = t.k.mem.get(task, task::mm);
  KEXPECT(lookup_address(t.k, t.k.mem.get(m, mm::pgd), 0x5ff000, &level) != 0);
  KEXPECT_EQ(level, 2u);
  do_exit(t.k, task, 0);
}

}  // namespace mmvp::sw

namespace mmvp::sw {

// Booted with hugepages_2m = 4 and hugepages_1g = 1 (tb/sc/kernel_selftest_test.cpp).
KTEST(hugetlb, map_huge_2mb_reserves_faults_from_the_pool_and_unmap_returns_it) {
  const LAddr h = hstate_addr(0);
  KEXPECT_EQ(t.k.mem.get(h, hstate::nr_huge_pages), 4u);
  Proc p(t.k);
  constexpr std::uint64_t kHuge2m = MAP_HUGETLB | (21ULL << MAP_HUGE_SHIFT);
  const std::int64_t a = sys_mmap(t.k, 0, 3 * PMD_SIZE - 100, kRW, kAnon | kHuge2m);
  KEXPECT(a > 0 && a % static_cast<std::int64_t>(PMD_SIZE) == 0);
  const LAddr la = static_cast<LAddr>(a);
  KEXPECT_EQ(t.k.mem.get(h, hstate::resv_huge_pages), 3u);  // reserved at mmap
  KEXPECT_EQ(t.k.mem.get(h, hstate::free_huge_pages), 4u);
  // Only one page is left unreserved: a second mapping of two cannot be made.
  KEXPECT_EQ(sys_mmap(t.k, 0, 2 * PMD_SIZE, kRW, kAnon | kHuge2m), -ENOMEM);
  KEXPECT(!user_touch_kills(t.k, la + PMD_SIZE + 77, AccessKind::write));
  KEXPECT_EQ(t.k.mem.get(h, hstate::free_huge_pages), 3u);
  KEXPECT_EQ(t.k.mem.get(h, hstate::resv_huge_pages), 2u);
  KEXPECT((pmd_of(p, la + PMD_SIZE) & (pte::PS | pte::US)) == (pte::PS | pte::US));
  KEXPECT_EQ(p.rss(), 0u);  // hugetlb pages are not in the RSS
  // Unaligned munmap of a hugetlb mapping is refused; an aligned one gives back the
  // faulted page and the other reservations.
  KEXPECT_EQ(sys(t.k, sysno::munmap, la + PAGE_SIZE, PAGE_SIZE), -EINVAL);
  KEXPECT_EQ(sys(t.k, sysno::munmap, la, 3 * PMD_SIZE), 0);
  KEXPECT_EQ(t.k.mem.get(h, hstate::free_huge_pages), 4u);
  KEXPECT_EQ(t.k.mem.get(h, hstate::resv_huge_pages), 0u);
  KEXPECT_EQ(sys_mmap(t.k, 0, PMD_SIZE, kRW, kAnon | MAP_HUGETLB | (25ULL << MAP_HUGE_SHIFT)),
             -EINVAL);  // a size with no pool
}

KTEST(hugetlb, map_huge_1gb_maps_a_pud_leaf) {
  const LAddr h = hstate_addr(1);
  KEXPECT_EQ(t.k.mem.get(h, hstate::nr_huge_pages), 1u);
  Proc p(t.k);
  constexpr std::uint64_t kHuge1g = MAP_HUGETLB | (30ULL << MAP_HUGE_SHIFT);
  const std::int64_t a = sys_mmap(t.k, 0, PUD_SIZE, kRW, kAnon | kHuge1g);
  KEXPECT(a > 0 && a % static_cast<std::int64_t>(PUD_SIZE) == 0);
  const LAddr la = static_cast<LAddr>(a);
  KEXPECT(!user_touch_kills(t.k, la + 123456789, AccessKind::write));
  unsigned level = 0;
  const std::uint64_t e = lookup_address(t.k, t.k.mem.get(p.mm, mm::pgd), la, &level);
  KEXPECT_EQ(level, 3u);
  KEXPECT((e & pte::ADDR_MASK) % PUD_SIZE == 0);
  KEXPECT_EQ(t.k.mem.get(h, hstate::free_huge_pages), 0u);
  KEXPECT_EQ(sys(t.k, sysno::mprotect, la, PUD_SIZE, PROT_READ), 0);
  KEXPECT(user_touch_kills(t.k, la, AccessKind::write));
}

}  // namespace mmvp::sw

namespace mmvp::sw {

KTEST(hugetlb, user_page_size_1g_maps_faults_with_the_pools_1gb_pages) {
  ThpModeScope mode(t.k, ThpMode::every_fault_1g);
  const std::uint64_t free = t.k.mem.get(hstate_addr(1), hstate::free_huge_pages);
  LAddr task = create_process(t.k, "bound1g", mm::MMF_VMA_ON_TOUCH);
  switch_to(t.k, task);
  KEXPECT(!user_touch_kills(t.k, 0x400123, AccessKind::write));
  unsigned level = 0;
  const LAddr m = t.k.mem.get(task, task::mm);
  KEXPECT(lookup_address(t.k, t.k.mem.get(m, mm::pgd), 0x3ffff000, &level) != 0);
  KEXPECT_EQ(level, 3u);
  KEXPECT_EQ(t.k.mem.get(hstate_addr(1), hstate::free_huge_pages) + 1, free);
  do_exit(t.k, task, 0);
  KEXPECT_EQ(t.k.mem.get(hstate_addr(1), hstate::free_huge_pages), free);  // back in the pool
}

}  // namespace mmvp::sw
