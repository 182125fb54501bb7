#include "sw/kernel/synthetic_workload.h"

namespace mmvp::sw {

std::size_t SyntheticWorkload::read(MemAccess* out, std::size_t max) {
  std::size_t n = 0;
  const std::uint64_t ws_bytes = cfg_.working_set_pages * 4096;
  while (n + 2 <= max && done_ < cfg_.accesses) {
    // One instruction, then its data access.
    out[n++] = {cfg_.code_base + pc_, 4, AccessType::instr};
    pc_ = (pc_ + 4) % cfg_.code_bytes;
    std::uint64_t addr;
    AccessType t;
    if (done_ < cfg_.accesses / 2) {
      // Phase 1: sequential sweep, 8-byte elements, every fourth a store.
      addr = cfg_.data_base + (done_ * 8) % ws_bytes;
      t = (done_ % 4 == 3) ? AccessType::store : AccessType::load;
    } else {
      // Phase 2: random pointer chase over the working set, some read-modify-write.
      addr = cfg_.data_base + (next_random() % ws_bytes & ~7ULL);
      t = (next_random() % 8 == 0) ? AccessType::modify : AccessType::load;
    }
    out[n++] = {addr, 8, t};
    ++done_;
  }
  return n;
}

}  // namespace mmvp::sw
