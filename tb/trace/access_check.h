// The validation every trace reader applies to one record, so that a lackey trace and
// its .mmvt conversion are accepted or rejected alike.
#pragma once
#include <cstdint>

namespace mmvp::trace {

// The largest access one record may describe. No x86 instruction touches more in one
// memory operand (XSAVE's area with every state component is under 12 KB; lackey's
// records are at most 64 bytes); a larger size is a corrupt record, not a workload,
// and would otherwise fault in up to a million pages from one line.
inline constexpr std::uint64_t kMaxAccessBytes = 65536;

// Why the access [addr, addr + size) cannot be replayed, or nullptr if it can.
inline const char* access_problem(std::uint64_t addr, std::uint64_t size) {
  if (size == 0) return "size 0";
  if (size > kMaxAccessBytes) return "size larger than the 65536-byte limit of one access";
  if (addr + (size - 1) < addr) return "access wraps around the end of the address space";
  return nullptr;
}

}  // namespace mmvp::trace
