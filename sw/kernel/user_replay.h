// Runs a memory-access stream as a user process: every record becomes an access at
// CPL 3 through the CPU core, so it is translated by the TLBs and the page walker and
// faults into the kernel's #PF handler like a real program's accesses.
//
// Counting rules (documented in docs/user-guide.md):
//  - I: one instruction retired (cpu.base_cpi cycles) and its fetch of the given size
//    (one ITLB and one L1I lookup per instruction);
//  - L and S: one load or store;
//  - M (modify, a read-modify-write instruction): a load then a store to the same
//    address, two accesses and two DTLB lookups;
//  - an access straddling a 4 KB page boundary is split by the core into two
//    accesses, one per page, each translated (cpu.page_splits counts them);
//  - a system call of the traced run (valgrind --trace-syscalls=yes) is made again with
//    SYSCALL (INT 0x80 for a 32-bit program), in its place among the accesses. A call that failed
//    in the traced run is not made. An mmap without MAP_FIXED passes the address the traced run got
//    as its hint, so that the kernel's get_unmapped_area places it where the trace's accesses
//    expect it. Before the first brk the loader's break (the first brk's answer) is set
//    with prctl(PR_SET_MM, PR_SET_MM_START_BRK / PR_SET_MM_BRK), as CRIU restores a
//    process: mmvp has no ELF loader. A result other than the traced one is counted.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "sw/arch/x86.h"
#include "sw/kernel/workload.h"

namespace mmvp::sw {

struct ReplayOptions {
  bool retire_instructions = true;  // false: fetches only (a populate pass)
  std::uint64_t max_records = 0;    // 0: no limit
};

// What a process did, accumulated over its slices.
struct ReplayCounts {
  std::uint64_t records = 0;
  std::uint64_t instructions = 0, loads = 0, stores = 0, modifies = 0;
  std::uint64_t syscalls = 0;            // system calls made
  std::uint64_t syscalls_not_made = 0;   // failed in the traced run: not made again
  std::uint64_t syscall_mismatches = 0;  // made, with a result other than the traced one
  std::string first_mismatch;            // what the first of them was
  bool loader_brk_set = false;           // the first brk's prctl was made
  bool killed = false;
  std::string kill_reason;
  bool exited = false;  // by exit or exit_group
  int exit_status = 0;
};

// Replays `src` at CPL 3 into `c`; returns the records replayed by this call, at the
// end of the stream, after max_records, or when the process ends: killed by the kernel
// (ProcessKilled from the #PF handler) or by its own exit_group (exited).
std::uint64_t replay_as_user(Cpu& cpu, AccessSource& src, const ReplayOptions& opt,
                             ReplayCounts& c);

// A program that is code rather than a recorded stream (a benchmark such as
// lat_mem_rd): it runs at CPL 3 and reaches memory with loads and stores.
using NativeProgram = std::function<void(Cpu&)>;
// Runs it at CPL 3 to its end or until the kernel ends the process (killed set).
void run_as_user(Cpu& cpu, const NativeProgram& program, ReplayCounts& c);

}  // namespace mmvp::sw
