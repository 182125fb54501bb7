#include "hw/common/replacement.h"

namespace mmvp {

const char* replacement_name(Replacement r) {
  switch (r) {
    case Replacement::lru:
      return "lru";
    case Replacement::plru:
      return "plru";
    case Replacement::random:
      return "random";
  }
  return "?";
}

bool parse_replacement(const std::string& s, Replacement& out) {
  if (s == "lru") {
    out = Replacement::lru;
  } else if (s == "plru") {
    out = Replacement::plru;
  } else if (s == "random") {
    out = Replacement::random;
  } else {
    return false;
  }
  return true;
}

ReplacementState::ReplacementState(Replacement policy, std::size_t slots, unsigned ways,
                                   std::uint64_t seed)
    : policy_(policy), ways_(ways), rng_(seed == 0 ? 0x9E3779B97F4A7C15ULL : seed) {
  if (policy == Replacement::lru) stamps_.assign(slots, 0);
  if (policy == Replacement::plru) plru_bits_.assign(slots, 0);
}

// Tree-PLRU over a power-of-two number of ways: node n (1 .. ways-1, heap order) has
// children 2n and 2n+1; its bit says which half holds the next victim (0 left, 1 right).
// A use of way w points every node on w's path away from w.
void ReplacementState::touch_plru(std::size_t base, unsigned w) {
  std::uint8_t* bits = plru_bits_.data() + base;
  unsigned node = 1;
  for (unsigned half = ways_ >> 1; half != 0; half >>= 1) {
    const bool right = (w & half) != 0;
    bits[node] = right ? 0 : 1;
    node = 2 * node + (right ? 1 : 0);
  }
}

unsigned ReplacementState::victim(std::size_t base) {
  switch (policy_) {
    case Replacement::lru: {
      unsigned v = 0;
      for (unsigned w = 1; w < ways_; ++w)
        if (stamps_[base + w] < stamps_[base + v]) v = w;
      return v;
    }
    case Replacement::plru: {
      const std::uint8_t* bits = plru_bits_.data() + base;
      unsigned node = 1;
      while (node < ways_) node = 2 * node + bits[node];
      return node - ways_;
    }
    case Replacement::random: {
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      return static_cast<unsigned>(rng_ % ways_);
    }
  }
  return 0;
}

}  // namespace mmvp
