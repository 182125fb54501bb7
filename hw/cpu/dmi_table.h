// The core's cache of DMI grants (TLM-2.0 direct memory interface): host pointers to
// 4 KB physical frames, direct-mapped by frame number. A hit lets fast mode read and
// write guest memory without a transaction; a target revokes grants through
// invalidate_direct_mem_ptr, which lands in invalidate(). Pure C++.
#pragma once
#include <array>
#include <cstdint>

#include "hw/common/types.h"

namespace mmvp {

class DmiTable {
 public:
  static constexpr unsigned kFrameShift = 12;
  static constexpr std::uint64_t kFrameBytes = 1ULL << kFrameShift;

  // The host address of physical byte pa, or null if no grant covers its frame for
  // this direction. Inline: every fast-mode data access asks.
  std::uint8_t* find(PAddr pa, bool write) const {
    const std::uint64_t frame = pa >> kFrameShift;
    const Entry& e = entries_[frame & (kEntries - 1)];
    if (e.frame != frame || (write && !e.writable)) return nullptr;
    return e.host + (pa & (kFrameBytes - 1));
  }
  // Records a grant for the frame of pa: host points at the frame's first byte.
  void insert(PAddr pa, std::uint8_t* host, bool writable) {
    const std::uint64_t frame = pa >> kFrameShift;
    entries_[frame & (kEntries - 1)] = Entry{frame, host, writable};
  }
  // Drops every grant overlapping physical [start, end] (inclusive, as TLM passes it).
  void invalidate(PAddr start, PAddr end) {
    for (Entry& e : entries_) {
      if (e.frame == kNoFrame) continue;
      const PAddr first = e.frame << kFrameShift;
      if (first <= end && first + kFrameBytes - 1 >= start) e = Entry{};
    }
  }

 private:
  static constexpr unsigned kEntries = 4096;
  static constexpr std::uint64_t kNoFrame = ~0ULL;
  struct Entry {
    std::uint64_t frame = kNoFrame;
    std::uint8_t* host = nullptr;
    bool writable = false;
  };
  std::array<Entry, kEntries> entries_{};
};

}  // namespace mmvp
