#include "sw/kernel/task.h"

#include <fmt/format.h>

#include "sw/kernel/layout.h"
#include "sw/mm/mmap.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/mm/vma.h"
#include "sw/mm/vmalloc.h"

namespace mmvp::sw {
namespace {

const LAddr& G = layout::TASKS;
constexpr unsigned kTaskCommLen = 16;

LAddr mm_of(Kernel& k, LAddr t) {
  return k.mem.get(t, task::mm);
}
PAddr pgd_of(Kernel& k, LAddr t) {
  return k.mem.get(mm_of(k, t), mm::pgd);
}

}  // namespace

void fork_init(Kernel& k) {
  Guest& g = k.mem;
  list::init(g, G + tasks_globals::task_list);
  g.set(G, tasks_globals::current, 0);
  g.set(G, tasks_globals::next_pid, 1);
  g.set(G, tasks_globals::nr_tasks, 0);
  g.set(G, tasks_globals::context_switches, 0);
  g.set(G, tasks_globals::pcid_enabled, 0);
  g.set(G, tasks_globals::next_asid, 1);
  g.set(G, tasks_globals::loaded_asid, 0);
  g.set(G, tasks_globals::last_mm_ctx_id, 1);
  for (unsigned i = 0; i < 2 * tasks_globals::TLB_NR_DYN_ASIDS; ++i)
    g.set(G, tasks_globals::ctxs(i), 0);
  g.set(G, tasks_globals::switches_flushed, 0);
  g.set(G, tasks_globals::switches_kept, 0);
  for (unsigned i = 0; i < NR_CACHED_STACKS; ++i) g.set(G, tasks_globals::cached_stacks(i), 0);
  LAddr tc = kmem_cache_create(k, "task_struct", task::kSize, 8, SLAB_PANIC, nullptr);
  LAddr mc = kmem_cache_create(k, "mm_struct", mm::kSize, 8, SLAB_PANIC, nullptr);
  if (!tc || !mc) k.panic("fork_init: cannot create the task caches");
  g.set(G, tasks_globals::task_cachep, tc);
  g.set(G, tasks_globals::mm_cachep, mc);
  vma_cache_init(k);
}

namespace {

// alloc_thread_stack_node(): a cached stack of an exited task (cleared), else a new
// vmalloc area; account_kernel_stack() either way.
LAddr alloc_thread_stack(Kernel& k) {
  Guest& g = k.mem;
  LAddr stack = 0;
  for (unsigned i = 0; i < NR_CACHED_STACKS && !stack; ++i) {
    stack = g.get(G, tasks_globals::cached_stacks(i));
    if (stack) {
      g.set(G, tasks_globals::cached_stacks(i), 0);
      g.zero(stack, THREAD_SIZE);  // memset(stack, 0, THREAD_SIZE)
    }
  }
  // THREADINFO_GFP; kernel_clone is where Linux 6.x's /proc/vmallocinfo shows stacks.
  if (!stack)
    stack = __vmalloc_node(k, THREAD_SIZE, THREAD_SIZE, GFP_KERNEL | __GFP_ZERO, "kernel_clone");
  if (stack) mod_node_page_state(k, NR_KERNEL_STACK_KB, THREAD_SIZE / 1024);
  return stack;
}

// free_thread_stack(): into a free cache slot, else vfree.
void free_thread_stack(Kernel& k, LAddr stack) {
  Guest& g = k.mem;
  mod_node_page_state(k, NR_KERNEL_STACK_KB, -static_cast<std::int64_t>(THREAD_SIZE / 1024));
  for (unsigned i = 0; i < NR_CACHED_STACKS; ++i) {
    if (g.get(G, tasks_globals::cached_stacks(i))) continue;
    g.set(G, tasks_globals::cached_stacks(i), stack);
    return;
  }
  vfree(k, stack);
}

// preallocate_pmds() under PAE (arch/x86/mm/pgtable.c): each user PDPT entry gets its
// PMD when the process is made, since the CPU reads PDPTEs only when CR3 is loaded.
bool preallocate_pmds(Kernel& k, LAddr m, LAddr pgd_va) {
  Guest& g = k.mem;
  const unsigned boundary = kernel_pgd_boundary();
  for (unsigned i = 0; i < boundary; ++i) {
    const LAddr pmd = get_zeroed_page(k, GFP_KERNEL);
    if (!pmd) {
      for (unsigned j = 0; j < i; ++j)
        free_page(k, page::__va(g.r64(pgd_va + 8 * j) & pte::ADDR_MASK));
      return false;
    }
    g.w64(pgd_va + 8 * i, page::__pa(pmd) | pte::P);  // a PDPTE: P only (SDM 4.4.1)
    mod_node_page_state(k, NR_PAGETABLE, 1);
    g.add(m, mm::pgtables, 1);
  }
  return true;
}

}  // namespace

LAddr create_process(Kernel& k, const std::string& comm, std::uint32_t mm_flags, ProcessAbi abi) {
  RoutineScope r(k, Routine::fork);
  Guest& g = k.mem;
  LAddr t = kmem_cache_alloc(k, g.get(G, tasks_globals::task_cachep), GFP_KERNEL);
  if (!t) return 0;
  const LAddr stack = alloc_thread_stack(k);
  if (!stack) {
    kmem_cache_free(k, g.get(G, tasks_globals::task_cachep), t);
    return 0;
  }
  g.set(t, task::stack, stack);
  LAddr m = kmem_cache_alloc(k, g.get(G, tasks_globals::mm_cachep), GFP_KERNEL);
  LAddr pgd_va = m ? get_zeroed_page(k, GFP_KERNEL) : 0;
  if (!pgd_va) {
    if (m) kmem_cache_free(k, g.get(G, tasks_globals::mm_cachep), m);
    free_thread_stack(k, stack);
    kmem_cache_free(k, g.get(G, tasks_globals::task_cachep), t);
    return 0;
  }
  g.set(m, mm::pgd, page::__pa(pgd_va));
  g.set(m, mm::rss, 0);
  g.set(m, mm::pgtables, 0);
  if (PGTABLE_LEVELS == 3 && !preallocate_pmds(k, m, pgd_va)) {
    free_page(k, pgd_va);
    kmem_cache_free(k, g.get(G, tasks_globals::mm_cachep), m);
    free_thread_stack(k, stack);
    kmem_cache_free(k, g.get(G, tasks_globals::task_cachep), t);
    return 0;
  }
  // pgd_alloc() -> clone_pgd_range(): the kernel's top-level entries are swapper_pg_dir's
  // (the PML4's kernel half; with PAE the PDPTEs of the shared kernel PMDs), so kernel
  // mappings are shared by every process.
  const unsigned entry = kernel_layout.pte_bytes, first = kernel_pgd_boundary();
  g.copy(pgd_va + entry * first, page::__va(init_pgd(k)) + entry * first,
         entry * (ptrs_per_pgd() - first));
  mm_vmas_init(k, m, abi);
  g.set(m, mm::flags, mm_flags);
  g.set(m, mm::ctx_id, g.add(G, tasks_globals::last_mm_ctx_id, 1));  // init_new_context
  g.set(m, mm::tlb_gen, 0);

  std::uint32_t pid = g.get(G, tasks_globals::next_pid);
  g.set(G, tasks_globals::next_pid, pid + 1);
  g.set(t, task::pid, pid);
  g.set(t, task::state, task::TASK_RUNNING);
  g.set(t, task::mm, m);
  g.set(t, task::min_flt, 0);
  g.set(t, task::nvcsw, 0);
  g.set(t, task::exit_code, 0);
  g.set(t, task::oom_victim, 0);
  g.write_string(t + task::comm, comm.c_str(), kTaskCommLen);
  list::add_tail(g, t + task::tasks, G + tasks_globals::task_list);
  g.set(G, tasks_globals::nr_tasks, g.get(G, tasks_globals::nr_tasks) + 1);
  return t;
}

LAddr current_task(Kernel& k) {
  return k.mem.get(G, tasks_globals::current);
}

namespace {

// choose_new_asid() (arch/x86/mm/tlb.c): the ASID that last held this mm if any, with a
// flush only if the mm's TLB generation moved on since; else the next one round-robin,
// flushed.
void choose_new_asid(Kernel& k, std::uint64_t ctx_id, std::uint64_t tlb_gen, unsigned& asid,
                     bool& need_flush) {
  Guest& g = k.mem;
  for (asid = 0; asid < tasks_globals::TLB_NR_DYN_ASIDS; ++asid) {
    if (g.get(G, tasks_globals::ctxs(2 * asid)) != ctx_id) continue;
    need_flush = g.get(G, tasks_globals::ctxs(2 * asid + 1)) < tlb_gen;
    return;
  }
  asid = g.get(G, tasks_globals::next_asid);
  g.set(G, tasks_globals::next_asid, asid + 1);
  if (asid >= tasks_globals::TLB_NR_DYN_ASIDS) {
    asid = 0;
    g.set(G, tasks_globals::next_asid, 1);
  }
  need_flush = true;
}

}  // namespace

void enable_pcid(Kernel& k) {
  k.cpu.write_cr(4, k.cpu.read_cr(4) | cr4::PCIDE);
  k.mem.set(G, tasks_globals::pcid_enabled, 1);
}

void switch_to(Kernel& k, LAddr t) {
  RoutineScope r(k, Routine::context_switch);
  Guest& g = k.mem;
  if (current_task(k) == t) return;
  g.set(G, tasks_globals::current, t);
  const PAddr pgd = t ? pgd_of(k, t) : init_pgd(k);
  if (g.get(G, tasks_globals::pcid_enabled)) {
    // switch_mm_irqs_off() with PCIDs: init_mm is ctx_id 1 and never flushes its TLB.
    const LAddr m = t ? mm_of(k, t) : 0;
    const std::uint64_t ctx_id = m ? g.get(m, mm::ctx_id) : 1;
    const std::uint64_t tlb_gen = m ? g.get(m, mm::tlb_gen) : 0;
    unsigned asid = 0;
    bool need_flush = true;
    choose_new_asid(k, ctx_id, tlb_gen, asid, need_flush);
    g.set(G, tasks_globals::loaded_asid, asid);
    if (need_flush) {
      g.set(G, tasks_globals::ctxs(2 * asid), ctx_id);
      g.set(G, tasks_globals::ctxs(2 * asid + 1), tlb_gen);
      g.add(G, tasks_globals::switches_flushed, 1);
    } else {
      g.add(G, tasks_globals::switches_kept, 1);
    }
    // build_cr3(): PCID = kern_pcid(asid) = asid + 1; bit 63 keeps the entries.
    k.cpu.write_cr(3, pgd | (asid + 1) | (need_flush ? 0 : cr3::NOFLUSH));
  } else {
    // Loading CR3 drops every non-global TLB entry (SDM 4.10.4.1); the kernel's global
    // mappings survive.
    k.cpu.write_cr(3, pgd);
    g.add(G, tasks_globals::switches_flushed, 1);
  }
  if (t) g.set(t, task::nvcsw, g.get(t, task::nvcsw) + 1);
  g.set(G, tasks_globals::context_switches, g.get(G, tasks_globals::context_switches) + 1);
}

void do_exit(Kernel& k, LAddr t, std::uint32_t code) {
  RoutineScope r(k, Routine::do_exit);
  Guest& g = k.mem;
  if (current_task(k) == t) switch_to(k, 0);  // run on swapper_pg_dir while tearing down
  g.set(t, task::exit_code, code);
  g.set(t, task::state, task::EXIT_DEAD);
  LAddr m = mm_of(k, t);
  PAddr pgd = g.get(m, mm::pgd);
  exit_mmap(k, m);
  free_page(k, page::__va(pgd));
  kmem_cache_free(k, g.get(G, tasks_globals::mm_cachep), m);
  list::del(g, t + task::tasks);
  g.set(G, tasks_globals::nr_tasks, g.get(G, tasks_globals::nr_tasks) - 1);
  free_thread_stack(k, g.get(t, task::stack));
  kmem_cache_free(k, g.get(G, tasks_globals::task_cachep), t);
}

void save_user_regs(Kernel& k, std::uint64_t orig_ax, const std::uint64_t* args) {
  const LAddr t = current_task(k);
  if (!t) return;
  // PUSH_AND_CLEAR_REGS after the CPU's ss, sp, flags, cs, ip (and error code as
  // orig_ax): r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss.
  std::uint64_t regs[21] = {};
  if (args) {
    regs[14] = args[0];                          // di
    regs[13] = args[1];                          // si
    regs[12] = args[2];                          // dx
    regs[7] = args[3];                           // r10
    regs[9] = args[4];                           // r8
    regs[8] = args[5];                           // r9
    regs[10] = static_cast<std::uint64_t>(-38);  // ax = -ENOSYS until the call returns
  }
  regs[15] = orig_ax;
  regs[17] = 0x33;   // __USER_CS
  regs[18] = 0x246;  // IF | ZF | PF: the flags user code runs with
  regs[20] = 0x2b;   // __USER_DS
  const LAddr frame = k.mem.get(t, task::stack) + THREAD_SIZE - PT_REGS_SIZE;  // task_pt_regs
  for (unsigned i = 0; i < 21; ++i) k.mem.w64(frame + 8 * i, regs[i]);
}

void check_stack_guard(Kernel& k, LAddr va) {
  const LAddr t = current_task(k);
  if (!t) return;
  const LAddr stack = k.mem.get(t, task::stack);
  if (va >= stack || va < stack - PAGE_SIZE) return;  // in_task_stack_guard()
  k.printk(fmt::format("BUG: TASK stack guard page was hit at {:016x} (stack is {:016x}..{:016x})",
                       va, stack, stack + THREAD_SIZE - 1));
  k.printk("Oops: stack guard page: 0000 [#1] SMP NOPTI");
  k.panic(fmt::format("kernel stack overflow in {}[{}]: stack guard page hit at {:#x}",
                      task_comm(k, t), task_pid(k, t), va));
}

std::uint32_t task_pid(Kernel& k, LAddr t) {
  return k.mem.get(t, task::pid);
}
void for_each_task(Kernel& k, const std::function<void(LAddr)>& f) {
  const LAddr head = G + tasks_globals::task_list;
  if (!k.mem.get(G, tasks_globals::task_cachep)) return;  // before fork_init: no tasks
  for (LAddr e = k.mem.get(head, list::next); e != head;) {
    const LAddr next = k.mem.get(e, list::next);  // f may not remove the task, but read first
    f(e - task::tasks);
    e = next;
  }
}

std::string task_comm(Kernel& k, LAddr t) {
  return k.mem.read_string(t + task::comm, kTaskCommLen);
}

}  // namespace mmvp::sw
