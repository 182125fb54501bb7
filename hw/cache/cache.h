// One set-associative cache level (L1I, L1D, L2 or the LLC): tags, dirty bits and
// replacement of 64-byte lines, write-back and write-allocate. It holds no data: values
// always come from memory (DMI or transactions), the cache gives hits, misses, victims
// and timing. Pure C++; the hit check is inline because every access makes it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/replacement.h"
#include "hw/common/stats.h"
#include "hw/common/types.h"

namespace mmvp {

// Who asks: instruction fetch, data access, the page walker, a DMA device's snoop.
enum class Requester : std::uint8_t { inst = 0, data = 1, walker = 2, dma = 3 };
inline constexpr unsigned kRequesters = 4;
const char* requester_name(Requester r);

struct CacheConfig {
  std::string name;          // "l1d"; used in errors and statistics
  std::uint64_t size = 0;    // bytes; 0: the level is absent
  unsigned ways = 0;         // 0 or size / line_bytes: fully associative
  unsigned line_bytes = 64;  // cache.line_bytes
  Replacement policy = Replacement::lru;
  std::uint64_t seed = 1;   // random replacement
  unsigned hit_cycles = 0;  // load-to-use latency of a hit at this level, in core cycles
  bool inclusive = false;   // holds every line of the levels above it (back-invalidates)
};

struct CacheStats {
  std::uint64_t accesses[kRequesters] = {};
  std::uint64_t misses[kRequesters] = {};
  std::uint64_t fills = 0;
  std::uint64_t evictions = 0;            // fills that displaced a valid line
  std::uint64_t writebacks = 0;           // dirty lines evicted (written to the level below)
  std::uint64_t back_invalidations = 0;   // lines dropped because the inclusive level below evicted
  std::uint64_t snoop_invalidations = 0;  // lines dropped by a device's write (DMA)
  std::uint64_t snoop_writebacks = 0;     // dirty lines written back for a device's read
};

class Cache {
 public:
  // Throws ConfigError naming the level for a geometry that is not a power of two.
  explicit Cache(const CacheConfig& cfg);
  // The problem with cfg, or ""; *field gets the member at fault.
  static std::string config_problem(const CacheConfig& cfg, std::string* field = nullptr);

  bool present() const { return ways_ != 0; }
  const CacheConfig& config() const { return cfg_; }
  unsigned sets() const { return sets_; }
  unsigned ways() const { return ways_; }

  // Looks up `line` (a physical address >> line shift) for requester r; a hit updates
  // the replacement state and, for a write, sets the dirty bit. Counts the access.
  bool access(std::uint64_t line, Requester r, bool write) {
    ++stats_.accesses[static_cast<unsigned>(r)];
    const std::size_t base = static_cast<std::size_t>(line & set_mask_) * ways_;
    const std::uint64_t key = (line << 1) | 1u;
    const std::uint64_t* keys = keys_.data() + base;
    for (unsigned w = 0; w < ways_; ++w) {
      if (keys[w] == key) {
        repl_.touch(base, w);
        if (write) dirty_[base + w] = 1;
        return true;
      }
    }
    ++stats_.misses[static_cast<unsigned>(r)];
    return false;
  }

  struct Victim {
    bool valid = false;
    bool dirty = false;
    std::uint64_t line = 0;
  };
  // Inserts `line` (after a miss) with the given dirty bit and returns the line it
  // displaced, if any. Inserting a line already present only merges the dirty bit.
  Victim fill(std::uint64_t line, bool dirty);
  // Drops `line` if present; returns whether it was there, *was_dirty its dirty bit.
  bool invalidate(std::uint64_t line, bool* was_dirty = nullptr);
  // Clears the dirty bit of `line`; returns whether it was set (a write-back is due).
  bool clean(std::uint64_t line);
  bool contains(std::uint64_t line) const;
  // Empties the cache (WBINVD's invalidation; dirty lines are dropped).
  void flush();
  // Calls f(line) for every dirty line, clearing its dirty bit.
  template <typename F>
  void for_each_dirty(F&& f) {
    for (std::size_t s = 0; s < keys_.size(); ++s) {
      if (keys_[s] == 0 || !dirty_[s]) continue;
      dirty_[s] = 0;
      f(keys_[s] >> 1);
    }
  }

  CacheStats& stats() { return stats_; }
  const CacheStats& stats() const { return stats_; }
  void reset_stats() { stats_ = CacheStats{}; }
  // cache.<name>.accesses, hits, misses, miss rate, per requester, write-backs.
  void report(StatsReport& r, const std::string& prefix) const;

 private:
  // The slot of line, or -1.
  long find(std::uint64_t line) const;

  CacheConfig cfg_;
  unsigned sets_ = 0, ways_ = 0;
  std::uint64_t set_mask_ = 0;
  std::vector<std::uint64_t> keys_;  // (line << 1) | 1 per slot; 0: invalid
  std::vector<std::uint8_t> dirty_;
  ReplacementState repl_;
  CacheStats stats_;
};

}  // namespace mmvp
