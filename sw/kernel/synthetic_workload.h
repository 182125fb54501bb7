// A deterministic synthetic user workload: a program that streams through an array,
// then chases pointers across a working set of pages, as instruction fetches, loads
// and stores. Used by the demo scenario and by tests that need no trace file.
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/workload.h"

namespace mmvp::sw {

struct SyntheticWorkloadConfig {
  std::uint64_t code_base = 0x400000;  // where its "instructions" are fetched
  std::uint64_t code_bytes = 64 * 1024;
  std::uint64_t data_base = 0x10000000;    // heap
  std::uint64_t working_set_pages = 2048;  // 8 MB
  std::uint64_t accesses = 200000;         // data accesses in all
  std::uint64_t seed = 1;
  ProcessAbi abi = ProcessAbi::x86_64;  // i386: a 32-bit program (addresses below 3 GB)
};

class SyntheticWorkload : public AccessSource {
 public:
  explicit SyntheticWorkload(const SyntheticWorkloadConfig& cfg) : cfg_(cfg), rng_(cfg.seed | 1) {}
  std::size_t read(MemAccess* out, std::size_t max) override;
  std::string name() const override { return "synthetic"; }
  ProcessAbi abi() const override { return cfg_.abi; }

 private:
  std::uint64_t next_random() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }
  SyntheticWorkloadConfig cfg_;
  std::uint64_t rng_;
  std::uint64_t done_ = 0;
  std::uint64_t pc_ = 0;
};

}  // namespace mmvp::sw
