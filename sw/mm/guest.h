// Typed access to kernel data in guest memory. Every read and write is a load or
// store through the CPU core at a kernel linear address, so the TLBs, the page
// walker, DRAM and the waveforms see the kernel's own traffic (design principle 4).
// C++ locals play registers and stack; kernel data structures live only in guest
// memory, described by offset constants next to the code that owns them.
#pragma once
#include <cstdint>
#include <string>

#include "sw/arch/x86.h"

namespace mmvp::sw {

class Guest {
 public:
  explicit Guest(Cpu& cpu) : cpu_(cpu) {}
  Cpu& cpu() { return cpu_; }

  std::uint64_t r64(LAddr va) { return cpu_.load(va, 8); }
  std::uint32_t r32(LAddr va) { return static_cast<std::uint32_t>(cpu_.load(va, 4)); }
  std::uint16_t r16(LAddr va) { return static_cast<std::uint16_t>(cpu_.load(va, 2)); }
  std::uint8_t r8(LAddr va) { return static_cast<std::uint8_t>(cpu_.load(va, 1)); }
  void w64(LAddr va, std::uint64_t v) { cpu_.store(va, 8, v); }
  void w32(LAddr va, std::uint32_t v) { cpu_.store(va, 4, v); }
  void w16(LAddr va, std::uint16_t v) { cpu_.store(va, 2, v); }
  void w8(LAddr va, std::uint8_t v) { cpu_.store(va, 1, v); }

  // memset / memcpy through the core, 8 bytes at a time where aligned (like the
  // kernel's rep stosq / rep movsq).
  void fill(LAddr va, std::uint8_t byte, std::uint64_t bytes);
  void zero(LAddr va, std::uint64_t bytes) { fill(va, 0, bytes); }
  void copy(LAddr dst, LAddr src, std::uint64_t bytes);
  // A NUL-terminated string of at most max bytes (kmem_cache names and the like).
  void write_string(LAddr va, const char* s, std::uint64_t max);
  std::string read_string(LAddr va, std::uint64_t max);

 private:
  Cpu& cpu_;
};

// Linux's struct list_head in guest memory: {next, prev} at offsets 0 and 8, circular.
namespace list {
inline constexpr unsigned kNext = 0, kPrev = 8, kSize = 16;
inline void init(Guest& g, LAddr head) {
  g.w64(head + kNext, head);
  g.w64(head + kPrev, head);
}
inline bool empty(Guest& g, LAddr head) {
  return g.r64(head + kNext) == head;
}
// list_add: insert entry right after head.
inline void add(Guest& g, LAddr entry, LAddr head) {
  LAddr next = g.r64(head + kNext);
  g.w64(next + kPrev, entry);
  g.w64(entry + kNext, next);
  g.w64(entry + kPrev, head);
  g.w64(head + kNext, entry);
}
// list_add_tail: insert entry right before head.
inline void add_tail(Guest& g, LAddr entry, LAddr head) {
  LAddr prev = g.r64(head + kPrev);
  g.w64(prev + kNext, entry);
  g.w64(entry + kNext, head);
  g.w64(entry + kPrev, prev);
  g.w64(head + kPrev, entry);
}
// list_del: unlink entry and poison its pointers (LIST_POISON1/2).
inline void del(Guest& g, LAddr entry) {
  LAddr next = g.r64(entry + kNext), prev = g.r64(entry + kPrev);
  g.w64(next + kPrev, prev);
  g.w64(prev + kNext, next);
  g.w64(entry + kNext, 0xdead000000000100ULL);
  g.w64(entry + kPrev, 0xdead000000000122ULL);
}
}  // namespace list

}  // namespace mmvp::sw
