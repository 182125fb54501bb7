// The system-call entry (arch/x86/entry/common.c do_syscall_64, syscall_64.c's table;
// do_int80_syscall_32 and the ia32 table for a 32-bit process under
// CONFIG_IA32_EMULATION) and the calls mmvp's kernel implements, with Linux's numbers
// (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl). Any other number returns
// -ENOSYS.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "sw/kernel/kernel.h"
#include "sw/kernel/syscall_numbers.h"

namespace mmvp::sw {

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
