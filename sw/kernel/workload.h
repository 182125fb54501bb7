// A user workload as the kernel runs it: a stream of memory accesses (from a trace
// file or a generator) that a user process performs at CPL 3.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace mmvp::sw {

// valgrind lackey's four kinds: instruction fetch, load, store, modify
// (a load and a store to the same address by one instruction).
enum class AccessType : std::uint8_t { instr = 0, load = 1, store = 2, modify = 3 };

struct MemAccess {
  std::uint64_t addr = 0;
  std::uint32_t size = 0;
  AccessType type = AccessType::load;
  // A load whose address is the previous load's value (a pointer chase): it costs its
  // whole latency. Traces do not say; generated programs that chase do.
  bool dependent = false;
};

class AccessSource {
 public:
  virtual ~AccessSource() = default;
  // Fills up to max records; returns how many (0 at the end). Throws
  // mmvp::InputError ("file:line: problem") on malformed or truncated input.
  virtual std::size_t read(MemAccess* out, std::size_t max) = 0;
  // A short name for reports (the file name).
  virtual std::string name() const = 0;
};

}  // namespace mmvp::sw
