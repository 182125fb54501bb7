// Replacement state of a set-associative array (TLB arrays, caches): LRU by use
// stamps, tree-PLRU by one bit per node of a binary tree over the ways, or random by a
// xorshift64 stream. Slots are numbered set * ways + way. Pure C++; touch() is inline
// because every hit calls it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mmvp {

enum class Replacement : std::uint8_t { lru, plru, random };
const char* replacement_name(Replacement r);
bool parse_replacement(const std::string& s, Replacement& out);

class ReplacementState {
 public:
  ReplacementState() = default;
  // `seed` drives random replacement (0 is replaced by a fixed nonzero value).
  ReplacementState(Replacement policy, std::size_t slots, unsigned ways, std::uint64_t seed);

  // Records a use of way w of the set whose first slot is base.
  void touch(std::size_t base, unsigned w) {
    if (policy_ == Replacement::lru) {
      stamps_[base + w] = ++clock_;
    } else if (policy_ == Replacement::plru) {
      touch_plru(base, w);
    }
  }
  // The way to evict from a full set (the caller fills invalid ways first).
  unsigned victim(std::size_t base);
  // A slot was invalidated: it is the least recently used (LRU) from now on.
  void drop(std::size_t slot) {
    if (!stamps_.empty()) stamps_[slot] = 0;
  }

 private:
  void touch_plru(std::size_t base, unsigned w);

  Replacement policy_ = Replacement::lru;
  unsigned ways_ = 0;
  std::vector<std::uint64_t> stamps_;    // LRU: last-use time per slot
  std::vector<std::uint8_t> plru_bits_;  // tree-PLRU: `ways` node bits per set (node 0 unused)
  std::uint64_t clock_ = 0;              // LRU time
  std::uint64_t rng_ = 1;                // random: xorshift64 state
};

}  // namespace mmvp
