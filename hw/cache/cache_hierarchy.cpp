// The hierarchy's lookup, fill and write-back rules, and CacheHierarchyConfig.
#include "hw/cache/cache_hierarchy.h"

#include "hw/common/debug.h"

namespace mmvp {
namespace {

constexpr unsigned kL1i = 0, kL1d = 1, kL2 = 2, kLlc = 3;

}  // namespace

const char* cache_level_name(CacheLevel l) {
  switch (l) {
    case CacheLevel::l1i:
      return "l1i";
    case CacheLevel::l1d:
      return "l1d";
    case CacheLevel::l2:
      return "l2";
    case CacheLevel::llc:
      return "llc";
    case CacheLevel::memory:
      return "memory";
  }
  return "?";
}

CacheHierarchy::CacheHierarchy(const CacheHierarchyConfig& cfg, MemorySide& memory)
    : cfg_(cfg),
      memory_(memory),
      caches_{Cache(cfg.l1i), Cache(cfg.l1d), Cache(cfg.l2), Cache(cfg.llc)} {
  line_bytes_ = cfg.l1d.line_bytes;
  line_shift_ = 0;
  while ((1u << line_shift_) < line_bytes_) ++line_shift_;
  for (unsigned l = 0; l < kCacheLevels; ++l)
    hit_latency_[l] = static_cast<Picos>(caches_[l].config().hit_cycles) * cfg.cycle;
  for (unsigned w = 0; w < kRequesters; ++w) {
    unsigned levels[kCacheLevels];
    const unsigned n = path(static_cast<Requester>(w), levels);
    entry_[w] = n ? levels[0] : kCacheLevels;
    entry_hit_[w] = n ? hit_latency_[levels[0]] : 0;
  }
}

unsigned CacheHierarchy::path(Requester who, unsigned* levels) const {
  unsigned candidates[kCacheLevels];
  unsigned k = 0;
  switch (who) {
    case Requester::inst:
      candidates[k++] = kL1i;
      candidates[k++] = kL2;
      candidates[k++] = kLlc;
      break;
    case Requester::data:
      candidates[k++] = kL1d;
      candidates[k++] = kL2;
      candidates[k++] = kLlc;
      break;
    case Requester::walker:
      // The walker's reads enter at mmu.walker level (Intel: the L1D, SDM 4.10.3 and
      // the optimization manual's page-walk description), then go down.
      for (unsigned l : {kL1d, kL2, kLlc})
        if (l >= static_cast<unsigned>(cfg_.walker_entry)) candidates[k++] = l;
      break;
    case Requester::dma:
      break;
  }
  unsigned n = 0;
  for (unsigned i = 0; i < k; ++i)
    if (caches_[candidates[i]].present()) levels[n++] = candidates[i];
  return n;
}

Picos CacheHierarchy::uncached(PAddr pa, unsigned bytes, Requester who, bool write, Picos at) {
  ++served_[static_cast<unsigned>(who)][static_cast<unsigned>(CacheLevel::memory)];
  last_served_ = CacheLevel::memory;
  return write ? memory_.write_line(pa, bytes, at) : memory_.read_line(pa, bytes, at);
}

Picos CacheHierarchy::miss(std::uint64_t line, Requester who, bool write, Picos at, bool fetch) {
  unsigned levels[kCacheLevels];
  const unsigned n = path(who, levels);
  // The first level (levels[0]) has already missed; look further down.
  unsigned hit = n;
  for (unsigned i = 1; i < n; ++i) {
    if (caches_[levels[i]].access(line, who, false)) {
      hit = i;
      break;
    }
  }
  Picos latency;
  if (hit < n) {
    latency = hit_latency_[levels[hit]];
    ++served_[static_cast<unsigned>(who)][levels[hit]];
    last_served_ = static_cast<CacheLevel>(levels[hit]);
  } else if (!fetch) {
    // A whole line written without a read for ownership: it starts in the first level.
    latency = hit_latency_[levels[0]];
    ++served_[static_cast<unsigned>(who)][levels[0]];
    last_served_ = static_cast<CacheLevel>(levels[0]);
  } else {
    last_served_ = CacheLevel::memory;
    // A miss in the last level is known after its lookup; then memory answers.
    const Picos detect = n ? hit_latency_[levels[n - 1]] : 0;
    latency = detect + memory_.read_line(line << line_shift_, line_bytes_, at + detect);
    ++served_[static_cast<unsigned>(who)][static_cast<unsigned>(CacheLevel::memory)];
  }
  // Fill every level above the one that answered, the lowest first, so an inclusive
  // level's back-invalidations come before the upper levels take the line.
  for (unsigned j = hit; j-- > 0;) fill(line, write && j == 0, levels, n, j, at);
  DPRINTF(Cache, "cache", "{} {} line {:#x}: served by {}, {} ps", requester_name(who),
          write ? "write" : "read", line << line_shift_,
          hit < n ? caches_[levels[hit]].config().name : std::string("memory"), latency);
  return latency;
}

void CacheHierarchy::fill(std::uint64_t line, bool dirty, const unsigned* levels, unsigned n,
                          unsigned i, Picos at) {
  Cache& c = caches_[levels[i]];
  Cache::Victim v = c.fill(line, dirty);
  if (!v.valid) return;
  if (c.config().inclusive) {
    // Inclusion: the levels above may not keep a line this one no longer holds; a
    // dirty copy there makes the evicted line dirty.
    for (unsigned u = 0; u < levels[i]; ++u) {
      bool was_dirty = false;
      if (caches_[u].invalidate(v.line, &was_dirty)) {
        ++caches_[u].stats().back_invalidations;
        v.dirty = v.dirty || was_dirty;
      }
    }
  }
  if (v.dirty) write_back(v.line, levels, n, i, at);
}

void CacheHierarchy::write_back(std::uint64_t line, const unsigned* levels, unsigned n,
                                unsigned from, Picos at) {
  if (from + 1 < n)
    fill(line, true, levels, n, from + 1, at);
  else
    memory_.write_line(line << line_shift_, line_bytes_, at);
}

void CacheHierarchy::snoop(PAddr pa, unsigned bytes, bool write, Picos at) {
  const std::uint64_t first = pa >> line_shift_;
  const std::uint64_t last = (pa + (bytes ? bytes - 1 : 0)) >> line_shift_;
  for (std::uint64_t line = first; line <= last; ++line) {
    bool written_back = false;
    for (Cache& c : caches_) {
      if (!c.present()) continue;
      if (write) {
        // The device's data replaces the line: every cached copy goes (a dirty one
        // holds nothing memory does not, as values live in memory).
        if (c.invalidate(line)) ++c.stats().snoop_invalidations;
      } else if (c.clean(line)) {
        ++c.stats().snoop_writebacks;
        if (!written_back) memory_.write_line(line << line_shift_, line_bytes_, at);
        written_back = true;
      }
    }
  }
}

Picos CacheHierarchy::write_back_and_invalidate(Picos at) {
  // Lowest level first; a line dirty in several levels is written once.
  Picos done = 0;
  for (unsigned l = kCacheLevels; l-- > 0;) {
    caches_[l].for_each_dirty([&](std::uint64_t line) {
      for (unsigned below = l + 1; below < kCacheLevels; ++below) caches_[below].clean(line);
      const Picos latency = memory_.write_line(line << line_shift_, line_bytes_, at);
      if (latency > done) done = latency;
    });
  }
  for (Cache& c : caches_) c.flush();
  return done;
}

void CacheHierarchy::reset_stats() {
  for (Cache& c : caches_) c.reset_stats();
  for (auto& row : served_)
    for (auto& v : row) v = 0;
}

void CacheHierarchy::report(StatsReport& r, const std::string& prefix) const {
  for (const Cache& c : caches_)
    if (c.present()) c.report(r, prefix + "." + c.config().name);
  for (unsigned w = 0; w < kRequesters; ++w) {
    const auto who = static_cast<Requester>(w);
    if (who == Requester::dma) continue;
    for (unsigned l = 0; l < kServedLevels; ++l) {
      const auto level = static_cast<CacheLevel>(l);
      if (l < kCacheLevels && !caches_[l].present()) continue;
      if ((who == Requester::inst && level == CacheLevel::l1d) ||
          (who != Requester::inst && level == CacheLevel::l1i))
        continue;
      r.add(prefix + ".served_" + requester_name(who) + "_" + cache_level_name(level),
            served_[w][l],
            std::string(requester_name(who)) + " requests answered by " + cache_level_name(level));
    }
  }
}

}  // namespace mmvp
