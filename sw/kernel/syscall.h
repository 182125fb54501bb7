// The system-call entry (arch/x86/entry/common.c do_syscall_64, syscall_64.c's table)
// and the calls mmvp's kernel implements, with Linux's x86-64 numbers
// (arch/x86/entry/syscalls/syscall_64.tbl). Any other number returns -ENOSYS.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

namespace sysno {
inline constexpr std::uint64_t mmap = 9, mprotect = 10, munmap = 11, brk = 12, mremap = 25,
                               madvise = 28, getpid = 39, exit = 60, prctl = 157, exit_group = 231;
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
