// Self-tests of processes: address spaces, context switches, demand paging, exit.
#include "sw/kernel/selftest.h"
#include "sw/kernel/task.h"
#include "sw/mm/highmem.h"
#include "sw/mm/mmap.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/vmalloc.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

// A user access at CPL 3 from the current task.
void user_touch(Kernel& k, LAddr va, AccessKind kind) {
  k.cpu.set_cpl(3);
  try {
    k.cpu.touch(va, 8, kind, false);
  } catch (...) {
    k.cpu.set_cpl(0);
    throw;
  }
  k.cpu.set_cpl(0);
}

// A process that maps and exits, so that the slab caches a process uses hold their
// pages before a test counts free pages.
void warm_process_caches(Kernel& k) {
  LAddr p = create_process(k, "warm");
  do_mmap(k, k.mem.get(p, task::mm), 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
          nullptr);
  do_exit(k, p, 0);
}

}  // namespace

KTEST(process, kernel_half_is_shared_and_user_half_empty) {
  LAddr p = create_process(t.k, "ktest");
  KEXPECT(p != 0);
  PAddr pgd = t.k.mem.get(t.k.mem.get(p, task::mm), mm::pgd);
  // The top-level table: PML4 (512 entries, the kernel's from 256), or i386's PDPT (4,
  // from PAGE_OFFSET's GB) or PGD (1024 four-byte entries, from PAGE_OFFSET >> 22).
  const unsigned levels = PGTABLE_LEVELS;
  const unsigned boundary = kernel_pgd_boundary();
  for (unsigned i = 0; i < ptrs_per_pgd(); i += levels == 3 ? 1 : 37) {
    const std::uint64_t mine = pt_get(t.k.mem, page::__va(pgd) + kernel_layout.pte_bytes * i);
    const std::uint64_t kern =
        pt_get(t.k.mem, page::__va(init_pgd(t.k)) + kernel_layout.pte_bytes * i);
    if (i >= boundary)
      KEXPECT_EQ(mine, kern);
    else if (levels == 3)  // PAE: the user PMDs are there from the start (P only)
      KEXPECT_EQ(mine & ~pte::ADDR_MASK, pte::P);
    else
      KEXPECT_EQ(mine, 0u);
  }
  do_exit(t.k, p, 0);
}

KTEST(process, demand_paging_maps_zeroed_pages_and_exit_frees_them) {
  warm_process_caches(t.k);
  std::uint64_t free_before = nr_free_and_pcp_pages(t.k);
  LAddr p = create_process(t.k, "pager");
  switch_to(t.k, p);
  const LAddr m = t.k.mem.get(p, task::mm);
  KEXPECT_EQ(do_mmap(t.k, m, 0x400000, 10 * PAGE_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, nullptr),
             0x400000);
  for (unsigned i = 0; i < 10; ++i) user_touch(t.k, 0x400000 + i * PAGE_SIZE, AccessKind::write);
  user_touch(t.k, 0x400000, AccessKind::read);  // already mapped: no fault
  KEXPECT_EQ(t.k.mem.get(p, task::min_flt), 10u);
  KEXPECT_EQ(t.k.mem.get(t.k.mem.get(p, task::mm), mm::rss), 10u);
  PAddr pgd = t.k.mem.get(t.k.mem.get(p, task::mm), mm::pgd);
  std::uint64_t e = lookup_address(t.k, pgd, 0x401000);
  KEXPECT((e & (pte::P | pte::RW | pte::US)) == (pte::P | pte::RW | pte::US));
  // Zeroed (read through kmap_local: on i386 the page is in highmem).
  const LAddr frame = kmap_local_page(t.k, page::pfn_to_page((e & pte::ADDR_MASK) >> PAGE_SHIFT));
  KEXPECT_EQ(t.k.mem.r64(frame), 0u);
  kunmap_local(t.k, frame);
  do_exit(t.k, p, 0);
  KEXPECT_EQ(current_task(t.k), 0u);
  KEXPECT_EQ(nr_free_and_pcp_pages(t.k), free_before);  // pages, tables, pgd, task, mm all back
}

KTEST(process, protection_violation_kills_only_the_process) {
  LAddr p = create_process(t.k, "victim");
  switch_to(t.k, p);
  bool killed = false;
  try {
    user_touch(t.k, PAGE_OFFSET + 0x1000, AccessKind::read);  // a kernel address from CPL 3
  } catch (const ProcessKilled&) {
    killed = true;
  }
  KEXPECT(killed);
  KEXPECT_EQ(t.k.cpu.cpl(), 0u);
  do_exit(t.k, p, 11);
  // The kernel goes on: another process runs fine.
  LAddr q = create_process(t.k, "survivor", mm::MMF_VMA_ON_TOUCH);
  switch_to(t.k, q);
  user_touch(t.k, 0x7000, AccessKind::write);
  KEXPECT_EQ(t.k.mem.get(q, task::min_flt), 1u);
  do_exit(t.k, q, 0);
}

KTEST(process, context_switch_loads_cr3) {
  LAddr a = create_process(t.k, "a");
  LAddr b = create_process(t.k, "b");
  switch_to(t.k, a);
  PAddr pa = t.k.mem.get(t.k.mem.get(a, task::mm), mm::pgd);
  KEXPECT_EQ(t.k.cpu.read_cr(3) & pte::ADDR_MASK, pa);
  switch_to(t.k, b);
  KEXPECT(t.k.cpu.read_cr(3) != pa);
  switch_to(t.k, 0);
  KEXPECT_EQ(t.k.cpu.read_cr(3) & pte::ADDR_MASK, init_pgd(t.k));
  do_exit(t.k, a, 0);
  do_exit(t.k, b, 0);
}

}  // namespace mmvp::sw

namespace mmvp::sw {

// ASIDs as choose_new_asid hands them out: a process switched back to keeps its ASID
// and its TLB entries (CR3 bit 63); a seventh address space takes ASID 0 back and flushes.
KTEST(process, pcid_asids_are_reused_without_a_flush_until_evicted) {
  if (kernel_layout.x86_32) {  // PCIDs need IA-32e mode: the i386 kernel never sets PCIDE
    KEXPECT(!(t.k.cpu.read_cr(4) & cr4::PCIDE));
    KEXPECT_EQ(t.k.mem.get(TASKS_GLOBALS, tasks_globals::pcid_enabled), 0u);
    return;
  }
  if (!t.k.mem.get(TASKS_GLOBALS, tasks_globals::pcid_enabled)) enable_pcid(t.k);
  const LAddr G = TASKS_GLOBALS;
  LAddr procs[7];
  for (auto& p : procs) p = create_process(t.k, "asid");
  auto kept = [&] { return t.k.mem.get(G, tasks_globals::switches_kept); };
  auto flushed = [&] { return t.k.mem.get(G, tasks_globals::switches_flushed); };
  switch_to(t.k, procs[0]);
  const unsigned asid0 = t.k.mem.get(G, tasks_globals::loaded_asid);
  KEXPECT_EQ(t.k.cpu.read_cr(3) & cr3::PCID_MASK, asid0 + 1u);  // kern_pcid(asid)
  switch_to(t.k, procs[1]);
  const std::uint64_t k0 = kept(), f0 = flushed();
  switch_to(t.k, procs[0]);  // back: same ASID, no flush
  KEXPECT_EQ(t.k.mem.get(G, tasks_globals::loaded_asid), asid0);
  KEXPECT_EQ(kept() - k0, 1u);
  KEXPECT_EQ(flushed(), f0);
  // Six more address spaces (with init_mm's): procs[0]'s ASID is taken over.
  for (int i = 2; i < 7; ++i) switch_to(t.k, procs[i]);
  switch_to(t.k, 0);
  const std::uint64_t f1 = flushed();
  switch_to(t.k, procs[0]);
  KEXPECT_EQ(flushed() - f1, 1u);  // its ASID went to another mm: a fresh one, flushed
  switch_to(t.k, 0);
  for (LAddr p : procs) do_exit(t.k, p, 0);
}

}  // namespace mmvp::sw

namespace mmvp::sw {

KTEST(process, kernel_stacks_are_vmalloced_with_a_guard_page) {
  const std::uint64_t stacks_kb = global_node_page_state(t.k, NR_KERNEL_STACK_KB);
  LAddr p = create_process(t.k, "stacky");
  KEXPECT(p != 0);
  if (!p) return;
  // THREAD_SIZE, THREAD_SIZE aligned, in the vmalloc space; KernelStack counts it.
  const LAddr stack = t.k.mem.get(p, task::stack);
  KEXPECT(is_vmalloc_addr(stack));
  KEXPECT_EQ(stack % THREAD_SIZE, 0u);
  KEXPECT_EQ(global_node_page_state(t.k, NR_KERNEL_STACK_KB), stacks_kb + 16);
  KEXPECT(proc_vmallocinfo(t.k).find("   20480 kernel_clone+") != std::string::npos);
  // The entry code saves pt_regs at the top: a system call's number and arguments.
  switch_to(t.k, p);
  const std::uint64_t args[6] = {1, 2, 3, 4, 5, 6};
  save_user_regs(t.k, 9, args);
  const LAddr regs = stack + THREAD_SIZE - PT_REGS_SIZE;
  KEXPECT_EQ(t.k.mem.r64(regs + 15 * 8), 9u);     // orig_ax
  KEXPECT_EQ(t.k.mem.r64(regs + 14 * 8), 1u);     // di
  KEXPECT_EQ(t.k.mem.r64(regs + 7 * 8), 4u);      // r10
  KEXPECT_EQ(t.k.mem.r64(regs + 17 * 8), 0x33u);  // cs
  // Running off the bottom hits the unmapped guard page: handle_stack_overflow.
  bool caught = false;
  std::string why;
  try {
    t.k.mem.w64(stack - 8, 0xdead);
  } catch (const KernelPanic& e) {
    why = e.what();
    caught = true;
  }
  KEXPECT(caught);
  KEXPECT(why.find("stack guard page hit") != std::string::npos);
  switch_to(t.k, 0);
  do_exit(t.k, p, 0);
  KEXPECT_EQ(global_node_page_state(t.k, NR_KERNEL_STACK_KB), stacks_kb);
  // The freed stack waits in the cache and is handed to the next task, cleared.
  LAddr q = create_process(t.k, "stacky2");
  KEXPECT_EQ(t.k.mem.get(q, task::stack), stack);
  KEXPECT_EQ(t.k.mem.r64(regs + 15 * 8), 0u);
  do_exit(t.k, q, 0);
}

}  // namespace mmvp::sw
