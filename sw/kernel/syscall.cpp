#include "sw/kernel/syscall.h"

#include "sw/kernel/task.h"
#include "sw/mm/mmap.h"

namespace mmvp::sw {
namespace {

// do_syscall_64() -> x64_sys_call(): the current task's call, its result in RAX.
std::int64_t do_syscall_64(Kernel& k, const SyscallFrame& f) {
  const LAddr t = current_task(k);
  if (!t) k.panic("SYSCALL with no current task");
  const LAddr m = k.mem.get(t, task::mm);
  const std::uint64_t* a = f.arg;
  switch (f.nr) {
    case sysno::mmap: {
      RoutineScope r(k, Routine::mmap);
      return do_mmap(k, m, a[0], a[1], a[2], a[3], static_cast<std::int64_t>(a[4]), a[5], f.path);
    }
    case sysno::munmap: {
      RoutineScope r(k, Routine::munmap);
      return do_munmap(k, m, a[0], a[1]);
    }
    case sysno::brk: {
      RoutineScope r(k, Routine::brk);
      return do_brk(k, m, a[0]);
    }
    case sysno::mprotect: {
      RoutineScope r(k, Routine::mprotect);
      return do_mprotect(k, m, a[0], a[1], a[2]);
    }
    case sysno::madvise: {
      RoutineScope r(k, Routine::madvise);
      return do_madvise(k, m, a[0], a[1], static_cast<int>(a[2]));
    }
    case sysno::prctl:
      if (a[0] != PR_SET_MM) return -EINVAL;
      return prctl_set_mm(k, m, a[1], a[2]);
    case sysno::getpid:
      return task_pid(k, t);
    case sysno::exit:
    case sysno::exit_group:
      throw ProcessExited(static_cast<int>(a[0] & 0xff));
    default:
      return -ENOSYS;
  }
}

}  // namespace

void syscall_init(Kernel& k) {
  k.cpu.wrmsr(msr::EFER, k.cpu.rdmsr(msr::EFER) | efer::SCE);
  k.cpu.set_syscall_handler([&k](const SyscallFrame& f) {
    RoutineScope r(k, Routine::syscall, Routine::user);
    save_user_regs(k, f.nr, f.arg);  // entry_SYSCALL_64's pt_regs on the task's stack
    return do_syscall_64(k, f);
  });
}

}  // namespace mmvp::sw
