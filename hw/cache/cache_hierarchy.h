// The cache hierarchy between the core (and its page walker) and the memory bus: L1I
// and L1D, a unified L2 and a last-level cache, each a Cache; write-back and
// write-allocate; an inclusive level back-invalidates the levels above when it
// evicts. It gives every access its load-to-use latency; what misses the last level
// goes to memory through MemorySide (the core turns it into a TLM transaction of a
// line), as do the write-backs. Device writes (DMA) snoop-invalidate every level, as
// x86 DMA is coherent. Pure C++.
#pragma once
#include <cstdint>
#include <string>

#include "hw/cache/cache.h"
#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/common/types.h"

namespace mmvp {

// Where a request was served: a cache level or memory.
enum class CacheLevel : std::uint8_t { l1i = 0, l1d = 1, l2 = 2, llc = 3, memory = 4 };
inline constexpr unsigned kCacheLevels = 4;
inline constexpr unsigned kServedLevels = 5;  // the caches and memory
const char* cache_level_name(CacheLevel l);

// The memory below the last level. Latencies in picoseconds; `at` is the requester's
// local time offset (the core's time ahead of SystemC) when the transaction starts.
class MemorySide {
 public:
  virtual ~MemorySide() = default;
  // A line fill (a read of `bytes` at pa); its latency.
  virtual Picos read_line(PAddr pa, unsigned bytes, Picos at) = 0;
  // A write of `bytes` at pa: a write-back of a dirty line (off the requester's
  // critical path: the hierarchy ignores its latency), or, with no cache at all, the
  // access itself.
  virtual Picos write_line(PAddr pa, unsigned bytes, Picos at) = 0;
};

struct CacheHierarchyConfig {
  CacheConfig l1i, l1d, l2, llc;
  CacheLevel walker_entry = CacheLevel::l1d;  // the level the page walker's reads enter
  Picos cycle = 0;                            // core clock period

  // Reads cache.*; throws ConfigError naming the parameter.
  static CacheHierarchyConfig from_params(const Params& p);
};

class CacheHierarchy {
 public:
  CacheHierarchy(const CacheHierarchyConfig& cfg, MemorySide& memory);

  // The load-to-use latency of an access of `bytes` at pa by `who` starting at local
  // time `at` (misses and write-backs reach memory then). An access spanning two lines
  // looks both up; its latency is the slower one's.
  Picos access(PAddr pa, unsigned bytes, Requester who, bool write, Picos at) {
    if (entry_[static_cast<unsigned>(who)] == kCacheLevels)
      return uncached(pa, bytes, who, write, at);
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + (bytes ? bytes - 1 : 0)) >> line_shift_;
    Picos latency = access_line(first, who, write, at);
    if (last != first) {
      const Picos second = access_line(last, who, write, at);
      if (second > latency) latency = second;
    }
    return latency;
  }
  // A data store of the whole line at pa (pa line-aligned) by a fast string: a hit as
  // any store's; a line no level holds is allocated without reading memory (the
  // fast-string operation's writes of whole lines need no read for ownership), so it
  // costs a first-level hit.
  Picos write_whole_line(PAddr pa, Picos at) {
    if (entry_[static_cast<unsigned>(Requester::data)] == kCacheLevels)
      return uncached(pa, line_bytes_, Requester::data, true, at);
    return access_line(pa >> line_shift_, Requester::data, true, at, false);
  }
  // What a hit in the requester's first level costs (0 if it has none): the part of
  // every access a pipelined core hides.
  Picos first_level_hit(Requester who) const { return entry_hit_[static_cast<unsigned>(who)]; }
  // A device read (write = false) or write of [pa, pa + bytes): a write invalidates the
  // lines in every level; a read writes back (cleans) dirty copies.
  void snoop(PAddr pa, unsigned bytes, bool write, Picos at);
  // WBINVD: every dirty line goes to memory (once), then every level is emptied; the
  // time until the last write-back is done.
  Picos write_back_and_invalidate(Picos at);

  unsigned line_bytes() const { return line_bytes_; }
  // Whether requests of `who` go through a cache level (false: straight to memory).
  bool cached(Requester who) const { return entry_[static_cast<unsigned>(who)] != kCacheLevels; }
  CacheLevel walker_entry() const { return cfg_.walker_entry; }
  // Where the last access was served (the farther line of a split one), for probes.
  CacheLevel last_served() const { return last_served_; }
  const Cache& level(CacheLevel l) const { return caches_[static_cast<unsigned>(l)]; }
  // Requests of `who` served by level l (its first level that hit, or memory).
  std::uint64_t served(Requester who, CacheLevel l) const {
    return served_[static_cast<unsigned>(who)][static_cast<unsigned>(l)];
  }
  void reset_stats();
  // cache.<level>.* for every present level, and cache.served_<who>_<level>.
  void report(StatsReport& r, const std::string& prefix) const;

 private:
  // Without `fetch` (a whole-line write) a miss reads nothing from memory (see miss).
  Picos access_line(std::uint64_t line, Requester who, bool write, Picos at, bool fetch = true) {
    const unsigned entry = entry_[static_cast<unsigned>(who)];
    // The common case inline: a hit in the requester's first level.
    if (caches_[entry].access(line, who, write)) {
      ++served_[static_cast<unsigned>(who)][entry];
      last_served_ = static_cast<CacheLevel>(entry);
      return hit_latency_[entry];
    }
    return miss(line, who, write, at, fetch);
  }
  // A requester with no cache level at all: the access itself goes to memory.
  Picos uncached(PAddr pa, unsigned bytes, Requester who, bool write, Picos at);
  // The rest of a lookup whose first level (entry) missed. Without `fetch` (a whole-line
  // write) a line no level holds is not read from memory: the first level answers.
  Picos miss(std::uint64_t line, Requester who, bool write, Picos at, bool fetch = true);
  // The present levels a request of `who` looks up, in order; returns how many.
  unsigned path(Requester who, unsigned* levels) const;
  // Puts a dirty line evicted from level `from` into the next level of the path
  // below it, or into memory.
  void write_back(std::uint64_t line, const unsigned* levels, unsigned n, unsigned from, Picos at);
  // Inserts line at path position i; handles the victim (write-back, back-invalidation).
  void fill(std::uint64_t line, bool dirty, const unsigned* levels, unsigned n, unsigned i,
            Picos at);

  CacheHierarchyConfig cfg_;
  MemorySide& memory_;
  Cache caches_[kCacheLevels];
  unsigned line_shift_ = 6, line_bytes_ = 64;
  Picos hit_latency_[kCacheLevels] = {};
  unsigned entry_[kRequesters] = {};  // first present level of each requester, or kCacheLevels
  Picos entry_hit_[kRequesters] = {};
  std::uint64_t served_[kRequesters][kServedLevels] = {};
  CacheLevel last_served_ = CacheLevel::memory;
};

// Declares cache.* and registers the caches of the "skylake" and "tiny" presets.
void declare_cache_params(Params& p);

}  // namespace mmvp
