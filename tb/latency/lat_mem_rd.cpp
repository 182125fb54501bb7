#include "tb/latency/lat_mem_rd.h"

#include <algorithm>
#include <random>

namespace mmvp::latency {

std::vector<LAddr> chase_order(const ChaseConfig& c) {
  const std::uint64_t n = std::max<std::uint64_t>(1, c.bytes / c.stride);
  std::vector<LAddr> order(n);
  const std::uint64_t lines_per_stride = c.stride >= 4096 ? 4096 / 64 : 1;
  for (std::uint64_t i = 0; i < n; ++i)
    order[i] = c.base + i * c.stride + (i % lines_per_stride) * 64;
  // Sattolo's algorithm: a uniformly random single cycle through every element.
  std::mt19937_64 rng(c.seed);
  for (std::uint64_t i = n - 1; i > 0; --i) {
    const std::uint64_t j = rng() % i;
    std::swap(order[i], order[j]);
  }
  return order;
}

LAddr build_chain(CpuPort& cpu, const std::vector<LAddr>& order) {
  for (std::size_t k = 0; k < order.size(); ++k)
    cpu.store(order[k], 8, order[(k + 1) % order.size()]);
  return order.front();
}

LAddr chase(CpuPort& cpu, LAddr p, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) p = cpu.load(p, 8);
  return p;
}

std::uint64_t measured_loads(std::uint64_t elements) {
  return std::clamp<std::uint64_t>(2 * elements, 1 << 16, 1 << 20);
}

std::uint64_t warmup_loads(std::uint64_t elements) {
  return std::min<std::uint64_t>(elements, 1 << 20);
}

}  // namespace mmvp::latency
