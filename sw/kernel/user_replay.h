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
//    accesses, one per page, each translated (cpu.page_splits counts them).
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

struct ReplayCounts {
  std::uint64_t records = 0;
  std::uint64_t instructions = 0, loads = 0, stores = 0, modifies = 0;
  bool killed = false;
  std::string kill_reason;
};

// Replays `src` at CPL 3; returns at the end of the stream or when the kernel ends
// the process (ProcessKilled from the #PF handler), with killed set.
ReplayCounts replay_as_user(Cpu& cpu, AccessSource& src, const ReplayOptions& opt);

// A program that is code rather than a recorded stream (a benchmark such as
// lat_mem_rd): it runs at CPL 3 and reaches memory with loads and stores.
using NativeProgram = std::function<void(Cpu&)>;
// Runs it at CPL 3 to its end or until the kernel ends the process (killed set).
ReplayCounts run_as_user(Cpu& cpu, const NativeProgram& program);

}  // namespace mmvp::sw
