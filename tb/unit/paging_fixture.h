// Test fixtures shared by the page-walker and MMU unit tests: a physical memory of
// paging-structure entries behind PhysMemPort, and a builder of 4- or 5-level page
// tables in it.
#pragma once
#include <cstdint>
#include <unordered_map>

#include "hw/mmu/mmu.h"

namespace mmvp::test {

constexpr std::uint64_t kP = pte::P, kRW = pte::RW, kUS = pte::US;
constexpr std::uint64_t kUserRW = kP | kRW | kUS;
constexpr Picos kReadLatency = 1000, kWriteLatency = 700, kCycle = 333;

// Physical memory of paging-structure entries: every read costs kReadLatency, every
// write kWriteLatency; addresses at or above `limit` do not exist (bus error).
class FakeMemory : public PhysMemPort {
 public:
  bool read_pte(PAddr pa, std::uint64_t& value, Picos& latency) override {
    if (pa >= limit) return false;
    ++reads;
    auto it = words.find(pa);
    value = it == words.end() ? 0 : it->second;
    latency = kReadLatency;
    return true;
  }
  bool write_pte(PAddr pa, std::uint64_t value, Picos& latency) override {
    if (pa >= limit) return false;
    ++writes;
    words[pa] = value;
    latency = kWriteLatency;
    return true;
  }
  std::unordered_map<std::uint64_t, std::uint64_t> words;
  PAddr limit = 1ULL << 52;
  unsigned reads = 0, writes = 0;
};

// A TLB array of `entries` entries, `ways` ways (0: fully associative), for page sizes
// `sizes` (bit i: PageSize(i)).
inline TlbArrayConfig tlb_array(const char* name, unsigned entries, unsigned ways,
                                std::uint8_t sizes) {
  TlbArrayConfig c;
  c.name = name;
  c.entries = entries;
  c.ways = ways;
  c.sizes = sizes;
  return c;
}

constexpr unsigned level_shift(unsigned level) {
  return 12 + 9 * (level - 1);
}

// Builds 4- or 5-level page tables in FakeMemory, tables allocated from 1 MB up.
class PageTables {
 public:
  explicit PageTables(FakeMemory& mem, unsigned levels = 4) : mem_(mem), levels_(levels) {
    root_ = alloc();
  }
  PAddr root() const { return root_; }
  // Maps la to pa as a page of `size`; entries created above the leaf get `upper`.
  void map(LAddr la, PAddr pa, PageSize size, std::uint64_t leaf_flags,
           std::uint64_t upper = kUserRW) {
    const unsigned leaf_level = 1 + static_cast<unsigned>(size);
    PAddr table = root_;
    for (unsigned level = levels_; level > leaf_level; --level) {
      std::uint64_t& e = mem_.words[slot(table, la, level)];
      if (!(e & kP)) e = alloc() | upper;
      table = e & pte::ADDR_MASK;
    }
    mem_.words[slot(table, la, leaf_level)] =
        pa | leaf_flags | (size != PageSize::size_4k ? pte::PS : 0);
  }
  PAddr entry_pa(LAddr la, unsigned level) const {
    PAddr table = root_;
    for (unsigned l = levels_; l > level; --l)
      table = mem_.words[slot(table, la, l)] & pte::ADDR_MASK;
    return slot(table, la, level);
  }
  std::uint64_t& entry(LAddr la, unsigned level) { return mem_.words[entry_pa(la, level)]; }

 private:
  static PAddr slot(PAddr table, LAddr la, unsigned level) {
    return table + ((la >> level_shift(level)) & 0x1FF) * 8;
  }
  PAddr alloc() {
    PAddr t = next_;
    next_ += 0x1000;
    return t;
  }
  FakeMemory& mem_;
  unsigned levels_;
  PAddr root_ = 0;
  PAddr next_ = 0x100000;
};

}  // namespace mmvp::test
