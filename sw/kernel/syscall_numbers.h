// Linux's system-call numbers for the calls mmvp's kernel makes or a trace records:
// x86-64's (arch/x86/entry/syscalls/syscall_64.tbl) and the ia32 table's (syscall_32.tbl)
// for 32-bit programs, where mmap is mmap2 with its file offset in pages. A header of
// its own so that the trace readers (tb/trace) share them without the kernel.
#pragma once
#include <cstdint>

namespace mmvp::sw {

namespace sysno {
inline constexpr std::uint32_t open = 2, close = 3, mmap = 9, mprotect = 10, munmap = 11, brk = 12,
                               mremap = 25, madvise = 28, getpid = 39, exit = 60, prctl = 157,
                               exit_group = 231, openat = 257;
}
// old_mmap (90) reads its arguments from user memory, which a trace does not hold, so
// it is not among them.
namespace sysno32 {
inline constexpr std::uint32_t exit = 1, open = 5, close = 6, getpid = 20, brk = 45, munmap = 91,
                               mprotect = 125, mremap = 163, prctl = 172, mmap2 = 192,
                               madvise = 219, exit_group = 252, openat = 295;
}

}  // namespace mmvp::sw
