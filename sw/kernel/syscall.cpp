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

// do_int80_syscall_32() -> ia32_sys_call(): a 32-bit process's call, its arguments the
// low 32 bits of EBX, ECX, EDX, ESI, EDI and EBP, mapped to the calls above.
std::int64_t do_int80_syscall_32(Kernel& k, const SyscallFrame& f) {
  // The ia32 numbers of the calls above, and the 64-bit call each is.
  static constexpr std::uint32_t kIa32[][2] = {{sysno32::mmap2, sysno::mmap},
                                               {sysno32::munmap, sysno::munmap},
                                               {sysno32::brk, sysno::brk},
                                               {sysno32::mprotect, sysno::mprotect},
                                               {sysno32::madvise, sysno::madvise},
                                               {sysno32::prctl, sysno::prctl},
                                               {sysno32::getpid, sysno::getpid},
                                               {sysno32::exit, sysno::exit},
                                               {sysno32::exit_group, sysno::exit_group}};
  SyscallFrame n = f;
  n.nr = ~0ULL;
  for (const auto& [nr32, nr64] : kIa32)
    if (f.nr == nr32) n.nr = nr64;
  if (n.nr == ~0ULL) return -ENOSYS;
  for (auto& a : n.arg) a &= 0xffffffffULL;
  if (f.nr == sysno32::mmap2) {  // sys_mmap_pgoff: fd as an int, the offset in 4 KB pages
    n.arg[4] =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(n.arg[4])));
    n.arg[5] <<= PAGE_SHIFT;
  }
  // EAX is 32 bits wide: a result is truncated to it, which the program sees sign-
  // extended only as -errno.
  const std::int64_t r = do_syscall_64(k, n);
  return r < 0 ? r : static_cast<std::int64_t>(static_cast<std::uint32_t>(r));
}

}  // namespace

void syscall_init(Kernel& k) {
  k.cpu.wrmsr(msr::EFER, k.cpu.rdmsr(msr::EFER) | efer::SCE);
  k.cpu.set_syscall_handler([&k](const SyscallFrame& f) {
    RoutineScope r(k, Routine::syscall, Routine::user);
    save_user_regs(k, f.nr, f.arg);  // entry_SYSCALL_64's pt_regs on the task's stack
    return f.int80 ? do_int80_syscall_32(k, f) : do_syscall_64(k, f);
  });
}

}  // namespace mmvp::sw
