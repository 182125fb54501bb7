// The system calls valgrind writes into a lackey log with --trace-syscalls=yes
// (coregrind/m_syswrap/syswrap-main.c, VG_(client_syscall)):
//
//   SYSCALL[pid,tid](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success]
//   Success(0x4835000) SYSCALL[pid,tid](257) sys_openat ( 4294967196, 0x4034bb0(/lib/libc.so.6),
//   524288 ) --> [async] ... SYSCALL[pid,tid](257) ... [async] --> Success(0x4)
//   SYSCALL[pid,tid](10) sys_mprotect ( 0x4a44000, 16384, 1 )[sync] --> Success(0x0)
//   SYSCALL[pid,tid](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)
//    --> [pre-fail] Failure(0x26)
//
// Arguments are decimal or 0x-hexadecimal, a pointer to a string followed by the string
// in parentheses; the result is Success(value) or Failure(errno). Only the calls that
// change the address space are kept (brk, mmap, munmap, mprotect, mremap, madvise,
// exit, exit_group); openat/open and close are followed so that a file mmap carries
// the path its fd was opened with. Every other call is counted and dropped.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sw/kernel/syscall_numbers.h"
#include "sw/kernel/workload.h"

namespace mmvp::trace {

// The numbers of the calls the parser keeps or follows, in one ABI: Linux's x86-64
// (arch/x86/entry/syscalls/syscall_64.tbl) or i386 (syscall_32.tbl, where the mmap a
// program makes is mmap2, its offset in pages).
struct SyscallNumbers {
  std::uint32_t open, close, mmap, mprotect, munmap, brk, mremap, madvise, exit, openat, exit_group;
};
inline constexpr SyscallNumbers kSyscalls64{
    sw::sysno::open,   sw::sysno::close,  sw::sysno::mmap,      sw::sysno::mprotect,
    sw::sysno::munmap, sw::sysno::brk,    sw::sysno::mremap,    sw::sysno::madvise,
    sw::sysno::exit,   sw::sysno::openat, sw::sysno::exit_group};
inline constexpr SyscallNumbers kSyscalls32{
    sw::sysno32::open,   sw::sysno32::close,  sw::sysno32::mmap2,     sw::sysno32::mprotect,
    sw::sysno32::munmap, sw::sysno32::brk,    sw::sysno32::mremap,    sw::sysno32::madvise,
    sw::sysno32::exit,   sw::sysno32::openat, sw::sysno32::exit_group};
const SyscallNumbers& syscall_numbers(sw::ProcessAbi abi);

class ValgrindSyscallParser {
 public:
  enum class Outcome { record, none, malformed };
  // The ABI of the numbers that follow (x86-64 until told).
  void set_abi(sw::ProcessAbi abi) { nr_ = &syscall_numbers(abi); }
  // One line that starts with "SYSCALL[" or " -->" (without its '\n'). On `record`, out
  // holds a kept call; `malformed` sets problem.
  Outcome parse(std::string_view line, sw::SyscallRecord& out, std::string& problem);
  std::uint64_t dropped() const { return dropped_; }

 private:
  // A call whose result comes on a later line ([async] ..., or the " -->" line).
  struct Pending {
    bool active = false;
    sw::SyscallRecord call;
    std::string string_arg;  // openat/open's path
  };
  Outcome complete(Pending& p, std::int64_t result, sw::SyscallRecord& out);

  std::unordered_map<std::uint64_t, Pending> pending_;  // by thread id
  std::uint64_t last_tid_ = 0;                          // whose call a " -->" line ends
  std::unordered_map<std::int64_t, std::string> fd_path_;
  std::uint64_t dropped_ = 0;
  const SyscallNumbers* nr_ = &kSyscalls64;
};

}  // namespace mmvp::trace
