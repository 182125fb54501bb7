// The system-call entry (arch/x86/entry/common.c do_syscall_64, syscall_64.c's table;
// do_int80_syscall_32 and the ia32 table for a 32-bit process under
// CONFIG_IA32_EMULATION) and the calls mmvp's kernel implements, with Linux's numbers
// (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl). Any other number returns
// -ENOSYS.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

namespace sysno {
inline constexpr std::uint64_t mmap = 9, mprotect = 10, munmap = 11, brk = 12, mremap = 25,
                               madvise = 28, getpid = 39, exit = 60, prctl = 157, exit_group = 231;
}
// The same calls in the ia32 table. mmap2 takes its file offset in pages
// (sys_ia32_mmap2 -> ksys_mmap_pgoff); old_mmap (90) reads its arguments from user
// memory, which a trace does not hold, so it is not implemented.
namespace sysno32 {
inline constexpr std::uint64_t exit = 1, getpid = 20, brk = 45, munmap = 91, mprotect = 125,
                               mremap = 163, prctl = 172, mmap2 = 192, madvise = 219,
                               exit_group = 252;
}
inline constexpr std::uint64_t PR_SET_MM = 35;

// exit(2) / exit_group(2): the process ends with this status; unwinds out of the
// program to the scheduler, which tears the task down.
struct ProcessExited : std::runtime_error {
  explicit ProcessExited(int status) : std::runtime_error("exit"), status(status) {}
  int status;
};

// syscall_init(): EFER.SCE and the entry point (IA32_LSTAR). Called by start_kernel.
void syscall_init(Kernel& k);

}  // namespace mmvp::sw
