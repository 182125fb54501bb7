// lmbench's lat_mem_rd as a program on the model: a random cyclic chain of pointers,
// one element every `stride` bytes of a working set, written by the program and then
// chased with dependent loads (each load's value is the next address), timed with the
// TSC (CpuPort::cycles). Run in a user process, it measures what the memory hierarchy
// and the TLBs cost a load at each working-set size: the latency staircase.
#pragma once
#include <cstdint>
#include <vector>

#include "hw/cpu/cpu_port.h"

namespace mmvp::latency {

struct ChaseConfig {
  LAddr base = 0x100000000000ULL;  // user address of the working set (16 TB)
  std::uint64_t bytes = 4096;      // working set
  std::uint64_t stride = 64;       // one element per stride (64: a line, 4096: a page)
  std::uint64_t seed = 1;
};

// The elements' addresses in chase order: a random cyclic permutation (Sattolo), each
// element at base + i * stride, moved by a line per element within a stride of a page
// or more, so that page-strided elements spread over the cache sets (as lat_mem_rd's
// -t option does).
std::vector<LAddr> chase_order(const ChaseConfig& c);
// Stores the chain into memory (element k holds the address of element k + 1, the last
// the first's); returns the first element.
LAddr build_chain(CpuPort& cpu, const std::vector<LAddr>& order);
// Follows the chain from p for n dependent loads; returns where it stopped.
LAddr chase(CpuPort& cpu, LAddr p, std::uint64_t n);

// Loads per measurement: enough laps for a small set, a bounded count for a large one.
std::uint64_t measured_loads(std::uint64_t elements);
std::uint64_t warmup_loads(std::uint64_t elements);

}  // namespace mmvp::latency
