// Processes (include/linux/sched.h, kernel/fork.c, kernel/exit.c): task_struct and
// mm_struct in guest memory, each process with its own PML4 whose kernel half is
// swapper_pg_dir's, context switches by CR3 writes, demand paging, and exit tearing
// down the user page tables and returning every page to the buddy allocator.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"
#include "sw/kernel/workload.h"
#include "sw/mm/mm_types.h"

namespace mmvp::sw {

// struct task_struct (the fields we model), kmem_cache "task_struct".
namespace task {
inline constexpr Field<std::uint32_t> pid{0};
inline constexpr Field<std::uint32_t> state{4};       // TASK_RUNNING / EXIT_DEAD
inline constexpr Field<LAddr> mm{8};                  // struct mm_struct *
inline constexpr Embedded tasks{16, list::kSize};     // all tasks (init_task.tasks)
inline constexpr Field<std::uint64_t> min_flt{32};    // page faults that mapped a page
inline constexpr Field<std::uint64_t> nvcsw{40};      // context switches into this task
inline constexpr Field<std::uint32_t> exit_code{48};  // 0, or the signal that ended it
// The OOM killer chose this task (tsk_is_oom_victim): SIGKILL is pending and its
// memory has been reaped (oom_reap_task_mm).
inline constexpr Field<std::uint32_t> oom_victim{52};
inline constexpr unsigned TASK_COMM_LEN = 16;
inline constexpr Embedded comm{56, TASK_COMM_LEN};
inline constexpr Field<LAddr> stack{72};  // the kernel stack's lowest address (vmalloc)
inline constexpr unsigned kSize = 80;
inline constexpr std::uint32_t TASK_RUNNING = 0;
inline constexpr std::uint32_t EXIT_DEAD = 16;
inline constexpr std::uint32_t SIGKILL = 9;   // exit_code of an OOM victim
inline constexpr std::uint32_t SIGSEGV = 11;  // exit_code of a process the kernel killed
}  // namespace task

// Kernel stacks (CONFIG_VMAP_STACK): THREAD_SIZE bytes, THREAD_SIZE aligned, vmalloc'd
// so the unmapped guard page below each one catches an overflow.
inline constexpr std::uint64_t THREAD_SIZE = 16384;   // THREAD_SIZE_ORDER 2
inline constexpr std::uint64_t NR_CACHED_STACKS = 2;  // freed stacks kept for reuse
// struct pt_regs: the 21 words the entry code and the CPU save at the stack's top.
inline constexpr unsigned PT_REGS_SIZE = 21 * 8;

// Globals at layout::TASKS.
inline const LAddr& TASKS_GLOBALS = layout::TASKS;
namespace tasks_globals {
inline constexpr Embedded task_list{0, list::kSize};  // every live task
inline constexpr Field<LAddr> current{16};            // the running task (0: the kernel)
inline constexpr Field<std::uint32_t> next_pid{24};
inline constexpr Field<std::uint32_t> nr_tasks{28};
inline constexpr Field<LAddr> task_cachep{32};  // kmem_cache for task_struct
inline constexpr Field<LAddr> mm_cachep{40};    // kmem_cache for mm_struct
inline constexpr Field<std::uint64_t> context_switches{48};
// struct tlb_state (cpu_tlbstate, arch/x86/include/asm/tlbflush.h) of the one CPU.
inline constexpr Field<std::uint32_t> pcid_enabled{56};  // X86_FEATURE_PCID in use (CR4.PCIDE)
inline constexpr Field<std::uint32_t> next_asid{60};
inline constexpr Field<std::uint32_t> loaded_asid{64};
inline constexpr Field<std::uint64_t> last_mm_ctx_id{72};  // init_mm has ctx_id 1
inline constexpr unsigned TLB_NR_DYN_ASIDS = 6;
// ctxs[asid]: {ctx_id, tlb_gen} of the mm that asid last held.
inline constexpr ArrayField<std::uint64_t, 2 * TLB_NR_DYN_ASIDS> ctxs{80};
inline constexpr Field<std::uint64_t> switches_flushed{176};  // switch_mm that flushed
inline constexpr Field<std::uint64_t> switches_kept{184};     // ... that reused a live ASID
// cached_stacks[NR_CACHED_STACKS] (kernel/fork.c): vmalloc'd stacks of exited tasks.
inline constexpr ArrayField<LAddr, 2> cached_stacks{192};
}  // namespace tasks_globals

// Creates the task caches and the empty task list (fork_init).
void fork_init(Kernel& k);
// A new process with an empty user address space (no VMA); returns its task_struct
// or 0. mm_flags go to mm->flags (mm::MMF_VMA_ON_TOUCH for a replayed trace).
// A 32-bit program (ProcessAbi::i386) gets a 4 GB address space and makes its system
// calls through INT 0x80 (the ia32 table).
LAddr create_process(Kernel& k, const std::string& comm, std::uint32_t mm_flags = 0,
                     ProcessAbi abi = ProcessAbi::x86_64);
// Switches to task t (0: the kernel's init_mm) (switch_mm_irqs_off): a CR3 write. Without
// PCIDs it drops every non-global TLB entry; with them (kernel.pcid) the mm gets one of
// TLB_NR_DYN_ASIDS ASIDs as choose_new_asid gives them, PCID = ASID + 1, and the write
// keeps the ASID's entries (CR3 bit 63) when they are still the mm's.
void switch_to(Kernel& k, LAddr t);
// setup_pcid(): CR4.PCIDE on, from the first switch on ASIDs are used.
void enable_pcid(Kernel& k);
LAddr current_task(Kernel& k);
// Ends task t: unmaps and frees every user page, user page-table page and VMA, the
// PGD, the mm and the task (exit_mmap, free_pgtables, __mmdrop).
void do_exit(Kernel& k, LAddr t, std::uint32_t code);
std::uint32_t task_pid(Kernel& k, LAddr t);
// Calls f for every live task, in creation order (for_each_process).
void for_each_task(Kernel& k, const std::function<void(LAddr)>& f);
std::string task_comm(Kernel& k, LAddr t);
// The entry code's register save on a system call or exception from user mode: the
// pt_regs frame at the top of the current task's kernel stack (task_pt_regs), with
// orig_ax the call number or error code and args the call's arguments (di, si, dx,
// r10, r8, r9).
void save_user_regs(Kernel& k, std::uint64_t orig_ax, const std::uint64_t* args = nullptr);
// handle_stack_overflow(): if va is in the guard page below the current task's stack,
// prints Linux's report and panics; otherwise returns.
void check_stack_guard(Kernel& k, LAddr va);

// The #PF handler (arch/x86/mm/fault.c): demand paging for user addresses, SIGSEGV
// for protection violations, oops for kernel faults; and the #GP handler (traps.c):
// SIGSEGV in user mode, oops in kernel mode. Installed by start_kernel.
void install_fault_handlers(Kernel& k);

}  // namespace mmvp::sw
