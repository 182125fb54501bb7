// Reading every record of a trace source under a fuzz target: each record must be one
// the replay accepts (tb/trace/access_check.h), and the count is bounded so that a
// decompression bomb costs the fuzzer time, not memory.
#pragma once
#include <cstddef>
#include <vector>

#include "sw/kernel/workload.h"
#include "tb/fuzz/fuzz_check.h"
#include "tb/trace/access_check.h"

namespace mmvp::fuzz {

inline constexpr std::size_t kMaxRecords = 1u << 20;

// Reads up to kMaxRecords records; appends them to *kept if given, a system call's
// record with addr = its index in *calls (when given).
inline void read_all_records(sw::AccessSource& src, std::vector<sw::MemAccess>* kept,
                             std::vector<sw::SyscallRecord>* calls = nullptr) {
  sw::MemAccess block[256];
  std::size_t total = 0;
  while (total < kMaxRecords) {
    const std::size_t n = src.read(block, 256);
    if (n == 0) break;
    FUZZ_CHECK(n <= 256);
    for (std::size_t i = 0; i < n; ++i) {
      sw::MemAccess a = block[i];
      if (a.type == sw::AccessType::syscall) {
        const sw::SyscallRecord& call = src.syscall(a.addr);  // throws if it has none
        FUZZ_CHECK(call.path.size() <= 4096);
        if (calls) {
          a.addr = calls->size();
          calls->push_back(call);
        }
      } else {
        FUZZ_CHECK(trace::access_problem(a.addr, a.size) == nullptr);
        FUZZ_CHECK(static_cast<unsigned>(a.type) <= 3);
      }
      if (kept) kept->push_back(a);
    }
    total += n;
  }
}

}  // namespace mmvp::fuzz
