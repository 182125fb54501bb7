// The workloads of a sweep (trace files and guest-kernel scenarios) and the stream of
// TLB lookups a workload makes, expanded from its records exactly as the CPU core and
// the MMU do it under `mmvp trace` (see docs/user-guide.md, "How records are counted"):
//   - I: one instruction fetch, one ITLB lookup;
//   - L, S: one load or store, one DTLB lookup;
//   - M: a load then a store to the same address, two DTLB lookups;
//   - an access straddling 4 KB page boundaries: one lookup per page it covers.
// User pages are 4 KB (the kernel's anonymous demand paging), so a lookup is a 4 KB
// virtual page number and whether it is a fetch.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/common/types.h"
#include "sw/arch/x86.h"
#include "sw/kernel/synthetic_workload.h"
#include "sw/kernel/workload.h"

namespace mmvp::sweep {

struct WorkloadSpec {
  // The trace path as given, the scenario text ("synthetic:..."), or a mix's paths
  // joined by '+'.
  std::string name;
  bool scenario = false;
  std::string path;                       // trace file (scenario = false, not a mix)
  std::vector<std::string> mix;           // several traces run together (--mix)
  sw::SyntheticWorkloadConfig synthetic;  // scenario = true

  // The record stream of a trace or scenario (not of a mix: its processes interleave
  // only under the guest kernel's scheduler).
  std::unique_ptr<sw::AccessSource> open() const;
  bool is_mix() const { return !mix.empty(); }
};

// A trace file of any supported format; throws InputError if it cannot be opened.
WorkloadSpec trace_workload(const std::string& path);

// "A,B,...": two or more trace files run together as processes of one workload, switched
// round-robin by the guest kernel (kernel.slice_records); measured by platform runs only.
// Throws ConfigError for fewer than two, InputError if one cannot be opened.
WorkloadSpec mix_workload(const std::string& list);

// "synthetic" or "synthetic:pages=N,accesses=N,seed=N,code_kib=N" (the program of
// sw/kernel/synthetic_workload.h). Throws ConfigError on an unknown scenario or key.
WorkloadSpec scenario_workload(const std::string& text);

// What a workload's records were, counted as `mmvp trace` counts them (trace.*).
struct RecordCounts {
  std::uint64_t records = 0, instructions = 0, loads = 0, stores = 0, modifies = 0;
  std::uint64_t data_lookups = 0, fetch_lookups = 0;
};

// Reads src to its end (or max_records records if not 0) and calls
// on_lookup(vpn, fetch) for every TLB lookup the records make, in order. Throws
// InputError on an access to an address above user space (the kernel would end the
// process there, which the sweep engines do not model). `progress`, if not null, is
// increased by the records read, a batch at a time.
template <typename OnLookup>
RecordCounts for_each_lookup(sw::AccessSource& src, std::uint64_t max_records, OnLookup&& on_lookup,
                             std::atomic<std::uint64_t>* progress = nullptr) {
  RecordCounts c;
  constexpr std::size_t kBatch = 4096;
  std::unique_ptr<sw::MemAccess[]> batch(new sw::MemAccess[kBatch]);
  for (;;) {
    std::size_t want = kBatch;
    if (max_records) {
      if (c.records >= max_records) break;
      if (max_records - c.records < want) want = static_cast<std::size_t>(max_records - c.records);
    }
    const std::size_t n = src.read(batch.get(), want);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      const sw::MemAccess& a = batch[i];
      // A system call changes mappings, not the TLB lookups of a one-pass sweep (its
      // invalidations are not modelled there; the platform engine makes them).
      if (a.type == sw::AccessType::syscall) continue;
      const std::uint64_t last = a.addr + (a.size ? a.size - 1 : 0);
      if (last >= sw::TASK_SIZE_MAX || last < a.addr) {
        throw InputError(src.name() + ": record " + std::to_string(c.records + i + 1) +
                         " reaches beyond user space (the kernel would end the process)");
      }
      const std::uint64_t first_page = a.addr >> 12, last_page = last >> 12;
      const bool fetch = a.type == sw::AccessType::instr;
      const unsigned times = a.type == sw::AccessType::modify ? 2 : 1;
      for (unsigned t = 0; t < times; ++t) {
        for (std::uint64_t page = first_page; page <= last_page; ++page) on_lookup(page, fetch);
      }
      const std::uint64_t lookups = (last_page - first_page + 1) * times;
      switch (a.type) {
        case sw::AccessType::instr:
          ++c.instructions;
          c.fetch_lookups += lookups;
          break;
        case sw::AccessType::load:
          ++c.loads;
          c.data_lookups += lookups;
          break;
        case sw::AccessType::store:
          ++c.stores;
          c.data_lookups += lookups;
          break;
        case sw::AccessType::modify:
          ++c.modifies;
          c.data_lookups += lookups;
          break;
        case sw::AccessType::syscall:
          break;
      }
    }
    c.records += n;
    if (progress) progress->fetch_add(n, std::memory_order_relaxed);
  }
  return c;
}

}  // namespace mmvp::sweep
