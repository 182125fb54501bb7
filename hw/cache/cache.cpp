#include "hw/cache/cache.h"

namespace mmvp {

const char* requester_name(Requester r) {
  switch (r) {
    case Requester::inst:
      return "inst";
    case Requester::data:
      return "data";
    case Requester::walker:
      return "walker";
    case Requester::dma:
      return "dma";
  }
  return "?";
}

std::string Cache::config_problem(const CacheConfig& cfg, std::string* field) {
  auto fail = [&](const char* f, std::string msg) {
    if (field) *field = f;
    return msg;
  };
  if (cfg.size == 0) return "";  // absent
  if (!is_pow2(cfg.line_bytes) || cfg.line_bytes < 8)
    return fail("line_bytes", "a line of " + std::to_string(cfg.line_bytes) +
                                  " bytes is not a power of two of at least 8");
  if (cfg.size % cfg.line_bytes != 0)
    return fail("size", std::to_string(cfg.size) + " bytes are not a whole number of " +
                            std::to_string(cfg.line_bytes) + "-byte lines");
  const std::uint64_t lines = cfg.size / cfg.line_bytes;
  const std::uint64_t ways = cfg.ways == 0 ? lines : cfg.ways;
  if (ways > lines || lines % ways != 0)
    return fail("ways", std::to_string(lines) + " lines cannot form " + std::to_string(ways) +
                            " equal ways");
  if (!is_pow2(lines / ways))
    return fail("size", std::to_string(lines) + " lines in " + std::to_string(ways) +
                            " ways make " + std::to_string(lines / ways) +
                            " sets, not a power of two");
  if (cfg.policy == Replacement::plru && !is_pow2(ways))
    return fail("policy", "tree-PLRU needs a power-of-two number of ways, not " +
                              std::to_string(ways) + " (use lru or random)");
  return "";
}

Cache::Cache(const CacheConfig& cfg) : cfg_(cfg) {
  const std::string problem = config_problem(cfg);
  if (!problem.empty()) throw ConfigError(cfg.name + ": " + problem);
  if (cfg.size == 0) return;
  const std::uint64_t lines = cfg.size / cfg.line_bytes;
  ways_ = static_cast<unsigned>(cfg.ways == 0 ? lines : cfg.ways);
  sets_ = static_cast<unsigned>(lines / ways_);
  set_mask_ = sets_ - 1;
  keys_.assign(lines, 0);
  dirty_.assign(lines, 0);
  repl_ = ReplacementState(cfg.policy, lines, ways_, cfg.seed);
}

long Cache::find(std::uint64_t line) const {
  if (ways_ == 0) return -1;
  const std::size_t base = static_cast<std::size_t>(line & set_mask_) * ways_;
  const std::uint64_t key = (line << 1) | 1u;
  for (unsigned w = 0; w < ways_; ++w)
    if (keys_[base + w] == key) return static_cast<long>(base + w);
  return -1;
}

Cache::Victim Cache::fill(std::uint64_t line, bool dirty) {
  Victim v;
  if (ways_ == 0) return v;
  if (long slot = find(line); slot >= 0) {
    if (dirty) dirty_[static_cast<std::size_t>(slot)] = 1;
    return v;
  }
  ++stats_.fills;
  const std::size_t base = static_cast<std::size_t>(line & set_mask_) * ways_;
  unsigned w = 0;
  while (w < ways_ && keys_[base + w] != 0) ++w;  // an invalid way first
  if (w == ways_) {
    w = repl_.victim(base);
    v.valid = true;
    v.line = keys_[base + w] >> 1;
    v.dirty = dirty_[base + w] != 0;
    ++stats_.evictions;
    if (v.dirty) ++stats_.writebacks;
  }
  keys_[base + w] = (line << 1) | 1u;
  dirty_[base + w] = dirty ? 1 : 0;
  repl_.touch(base, w);
  return v;
}

bool Cache::invalidate(std::uint64_t line, bool* was_dirty) {
  const long slot = find(line);
  if (slot < 0) return false;
  const auto s = static_cast<std::size_t>(slot);
  if (was_dirty) *was_dirty = dirty_[s] != 0;
  keys_[s] = 0;
  dirty_[s] = 0;
  repl_.drop(s);
  return true;
}

bool Cache::clean(std::uint64_t line) {
  const long slot = find(line);
  if (slot < 0 || !dirty_[static_cast<std::size_t>(slot)]) return false;
  dirty_[static_cast<std::size_t>(slot)] = 0;
  return true;
}

bool Cache::contains(std::uint64_t line) const {
  return find(line) >= 0;
}

void Cache::flush() {
  for (std::size_t s = 0; s < keys_.size(); ++s) {
    if (keys_[s] == 0) continue;
    keys_[s] = 0;
    dirty_[s] = 0;
    repl_.drop(s);
  }
}

void Cache::report(StatsReport& r, const std::string& prefix) const {
  const CacheStats& s = stats_;
  std::uint64_t accesses = 0, misses = 0;
  for (unsigned i = 0; i < kRequesters; ++i) {
    accesses += s.accesses[i];
    misses += s.misses[i];
  }
  const std::string& n = cfg_.name;
  r.add(prefix + ".accesses", accesses, n + " lookups (every requester)");
  r.add(prefix + ".hits", accesses - misses, n + " hits");
  r.add(prefix + ".misses", misses, n + " misses");
  r.add_ratio(prefix + ".miss_rate", static_cast<double>(misses), static_cast<double>(accesses),
              n + " misses per lookup");
  for (unsigned i = 0; i < kRequesters; ++i) {
    const auto who = static_cast<Requester>(i);
    if (who == Requester::dma) continue;  // devices only snoop
    const std::string w = requester_name(who);
    r.add(prefix + ".accesses_" + w, s.accesses[i], n + " lookups by " + w);
    r.add(prefix + ".misses_" + w, s.misses[i], n + " misses by " + w);
  }
  r.add(prefix + ".fills", s.fills, "lines filled into " + n);
  r.add(prefix + ".evictions", s.evictions, "fills that displaced a valid line");
  r.add(prefix + ".writebacks", s.writebacks, "dirty lines evicted to the level below");
  r.add(prefix + ".back_invalidations", s.back_invalidations,
        "lines dropped because an inclusive level below evicted them");
  r.add(prefix + ".snoop_invalidations", s.snoop_invalidations,
        "lines dropped because a device (DMA) wrote them");
  r.add(prefix + ".snoop_writebacks", s.snoop_writebacks,
        "dirty lines written back because a device (DMA) read them");
}

}  // namespace mmvp
