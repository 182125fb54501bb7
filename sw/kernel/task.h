// Processes (include/linux/sched.h, kernel/fork.c, kernel/exit.c): task_struct and
// mm_struct in guest memory, each process with its own PML4 whose kernel half is
// swapper_pg_dir's, context switches by CR3 writes, demand paging, and exit tearing
// down the user page tables and returning every page to the buddy allocator.
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// struct task_struct (the fields we model), kmem_cache "task_struct".
namespace task {
inline constexpr unsigned pid = 0;         // u32
inline constexpr unsigned state = 4;       // u32: TASK_RUNNING / EXIT_DEAD
inline constexpr unsigned mm = 8;          // u64: struct mm_struct *
inline constexpr unsigned tasks = 16;      // list_head: all tasks (init_task.tasks)
inline constexpr unsigned min_flt = 32;    // u64: page faults that mapped a page
inline constexpr unsigned nvcsw = 40;      // u64: context switches into this task
inline constexpr unsigned exit_code = 48;  // u32: 0, or the signal that ended it (SIGSEGV 11)
inline constexpr unsigned comm = 56;       // char[16] TASK_COMM_LEN
inline constexpr unsigned kSize = 72;
inline constexpr std::uint32_t TASK_RUNNING = 0;
inline constexpr std::uint32_t EXIT_DEAD = 16;
}  // namespace task

// struct mm_struct (the fields we model), kmem_cache "mm_struct".
namespace mm {
inline constexpr unsigned pgd = 0;        // u64: physical address of the PML4
inline constexpr unsigned rss = 8;        // u64: resident user pages
inline constexpr unsigned pgtables = 16;  // u64: page-table pages of the user half
inline constexpr unsigned kSize = 24;
}  // namespace mm

// Globals at layout::TASKS.
namespace tasks_globals {
inline constexpr unsigned task_list = 0;          // list_head of every live task
inline constexpr unsigned current = 16;           // u64: the running task (0: the kernel)
inline constexpr unsigned next_pid = 24;          // u32
inline constexpr unsigned nr_tasks = 28;          // u32
inline constexpr unsigned task_cachep = 32;       // u64: kmem_cache for task_struct
inline constexpr unsigned mm_cachep = 40;         // u64: kmem_cache for mm_struct
inline constexpr unsigned context_switches = 48;  // u64
}  // namespace tasks_globals

// Creates the task caches and the empty task list (fork_init).
void fork_init(Kernel& k);
// A new process with an empty user address space; returns its task_struct or 0.
LAddr create_process(Kernel& k, const std::string& comm);
// Switches to task t (switch_mm: CR3 write, TLB flush of non-global entries).
void switch_to(Kernel& k, LAddr t);
LAddr current_task(Kernel& k);
// Ends task t: unmaps and frees every user page and user page-table page, the PGD,
// the mm and the task (exit_mmap, free_pgtables, __mmdrop).
void do_exit(Kernel& k, LAddr t, std::uint32_t code);
std::uint32_t task_pid(Kernel& k, LAddr t);
std::string task_comm(Kernel& k, LAddr t);

// The #PF handler (arch/x86/mm/fault.c): demand paging for user addresses, SIGSEGV
// for protection violations, oops for kernel faults. Installed by start_kernel.
void install_fault_handlers(Kernel& k);

}  // namespace mmvp::sw
