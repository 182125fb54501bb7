// Typed access to kernel data in guest memory. Every read and write is a load or
// store through the CPU core at a kernel linear address, so the TLBs, the page
// walker, DRAM and the waveforms see the kernel's own traffic (design principle 4).
// C++ locals play registers and stack; kernel data structures live only in guest
// memory, described by offset constants next to the code that owns them.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sw/arch/x86.h"

namespace mmvp::sw {

// A scalar member of a guest structure: its offset, with its width and signedness
// given once by T (u8..u64, s32, LAddr). Read and written only through Guest::get/set,
// so the width of every access is the declared one.
template <typename T>
struct Field {
  static_assert(std::is_integral_v<T> &&
                    (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8),
                "a guest field is an integer of 1, 2, 4 or 8 bytes");
  using type = T;
  unsigned offset;
};

// An array of N scalars: field(i) is element i.
template <typename T, unsigned N>
struct ArrayField {
  unsigned offset;
  constexpr Field<T> operator()(unsigned i) const {
    return Field<T>{offset + i * unsigned(sizeof(T))};
  }
  static constexpr unsigned size = N;
};

// A structure embedded in another (a list_head, a name buffer, a nested struct): only
// its address is taken, `base + member` as C's &base->member, and `address - member`
// as container_of.
struct Embedded {
  unsigned offset;
  unsigned bytes;
  constexpr unsigned end() const { return offset + bytes; }
};
constexpr LAddr operator+(LAddr base, Embedded m) {
  return base + m.offset;
}
constexpr LAddr operator-(LAddr member_address, Embedded m) {
  return member_address - m.offset;
}

template <typename T>
struct Identity {
  using type = T;
};

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

  // Typed members (Field): one load or store of the field's width.
  template <typename T>
  T get(LAddr base, Field<T> f) {
    return static_cast<T>(cpu_.load(base + f.offset, sizeof(T)));
  }
  template <typename T>
  void set(LAddr base, Field<T> f, typename Identity<T>::type v) {
    cpu_.store(base + f.offset, sizeof(T), static_cast<std::uint64_t>(v));
  }
  // Two adjacent 32-bit members in one 8-byte access, as a compiler merges neighbouring
  // loads and stores: lo at the lower address.
  template <typename A, typename B>
  void get_pair(LAddr base, Field<A> lo, A& a, Field<B> hi, B& b) {
    static_assert(sizeof(A) == 4 && sizeof(B) == 4, "a pair of 32-bit members");
    check_pair(lo.offset, hi.offset);
    const std::uint64_t w = cpu_.load(base + lo.offset, 8);
    a = static_cast<A>(w & 0xffffffffu);
    b = static_cast<B>(w >> 32);
  }
  template <typename A, typename B>
  void set_pair(LAddr base, Field<A> lo, typename Identity<A>::type a, Field<B> hi,
                typename Identity<B>::type b) {
    static_assert(sizeof(A) == 4 && sizeof(B) == 4, "a pair of 32-bit members");
    check_pair(lo.offset, hi.offset);
    cpu_.store(
        base + lo.offset, 8,
        static_cast<std::uint32_t>(a) | (std::uint64_t{static_cast<std::uint32_t>(b)} << 32));
  }
  // A structure's first `bytes` bytes filled from a local image (a compiler's run of
  // member stores, see CpuPort::store_burst): at most 64 bytes, within a page.
  void store_burst(LAddr base, const void* image, unsigned bytes) {
    cpu_.store_burst(base, image, bytes);
  }
  // A member's value in such a local image (the registers before the stores).
  template <typename T>
  static void put(std::uint8_t* image, Field<T> f, typename Identity<T>::type v) {
    std::memcpy(image + f.offset, &v, sizeof(T));
  }
  // Read-modify-write (a load, then a store): the new value.
  template <typename T>
  T add(LAddr base, Field<T> f, typename Identity<T>::type delta) {
    const T v = static_cast<T>(get(base, f) + delta);
    set(base, f, v);
    return v;
  }

  // memset / memcpy through the core: one REP STOSB / REP MOVSB each, as Linux's
  // memset, clear_page and memcpy are on a CPU with ERMS (Skylake has it).
  void fill(LAddr va, std::uint8_t byte, std::uint64_t bytes);
  void zero(LAddr va, std::uint64_t bytes) { fill(va, 0, bytes); }
  void copy(LAddr dst, LAddr src, std::uint64_t bytes);
  // A NUL-terminated string of at most max bytes (kmem_cache names and the like).
  void write_string(LAddr va, const char* s, std::uint64_t max);
  std::string read_string(LAddr va, std::uint64_t max);

 private:
  static void check_pair(unsigned lo, unsigned hi) {
    if (hi != lo + 4) throw std::logic_error("get_pair/set_pair of members that are not adjacent");
  }
  Cpu& cpu_;
};

// Linux's struct list_head in guest memory: {next, prev} at offsets 0 and 8, circular.
namespace list {
inline constexpr Field<LAddr> next{0}, prev{8};
inline constexpr unsigned kSize = 16;
inline void init(Guest& g, LAddr head) {
  g.set(head, next, head);
  g.set(head, prev, head);
}
inline bool empty(Guest& g, LAddr head) {
  return g.get(head, next) == head;
}
// list_add: insert entry right after head.
inline void add(Guest& g, LAddr entry, LAddr head) {
  const LAddr n = g.get(head, next);
  g.set(n, prev, entry);
  g.set(entry, next, n);
  g.set(entry, prev, head);
  g.set(head, next, entry);
}
// list_add_tail: insert entry right before head.
inline void add_tail(Guest& g, LAddr entry, LAddr head) {
  const LAddr p = g.get(head, prev);
  g.set(p, next, entry);
  g.set(entry, next, head);
  g.set(entry, prev, p);
  g.set(head, prev, entry);
}
// list_del: unlink entry and poison its pointers (LIST_POISON1/2).
inline void del(Guest& g, LAddr entry) {
  const LAddr n = g.get(entry, next), p = g.get(entry, prev);
  g.set(n, prev, p);
  g.set(p, next, n);
  g.set(entry, next, 0xdead000000000100ULL);
  g.set(entry, prev, 0xdead000000000122ULL);
}
}  // namespace list

}  // namespace mmvp::sw
