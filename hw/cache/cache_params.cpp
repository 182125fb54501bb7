// The cache.* parameters, their "skylake" defaults and the "tiny" preset's caches.
#include <string>
#include <utility>
#include <vector>

#include "hw/cache/cache_hierarchy.h"
#include "hw/cpu/cpu_config.h"

namespace mmvp {
namespace {

struct LevelDefaults {
  const char* name;
  const char* what;
  std::uint64_t size;
  unsigned ways;
  unsigned hit_cycles;
  bool inclusive;
};

// Skylake client, i7-6700 (Intel optimization manual, Table 2-6 "Cache parameters of the
// Skylake client microarchitecture"; latencies as 7-cpu.com measured the i7-6700:
// L1D 4 cycles, L2 12, L3 42). The L3 is the part's 8 MB (four 2 MB slices, inclusive
// of L1 and L2), all of it reachable by the one modelled core.
constexpr LevelDefaults kLevels[] = {
    {"l1i", "L1 instruction cache", 32 << 10, 8, 4, false},
    {"l1d", "L1 data cache", 32 << 10, 8, 4, false},
    {"l2", "unified L2 cache", 256 << 10, 4, 12, false},
    {"llc", "last-level cache (L3)", 8 << 20, 16, 42, true},
};

std::string prefix(const LevelDefaults& l) {
  return std::string("cache.") + l.name;
}

}  // namespace

void declare_cache_params(Params& p) {
  p.declare({"cache.line_bytes", ParamType::size, "64", "line size of every cache level", 8, 4096});
  p.declare({"cache.walker_level",
             ParamType::choice,
             "l1d",
             "the cache level the page walker's entry reads and A/D writes enter (Intel: the "
             "L1D); memory: none of them",
             0,
             0,
             {"l1d", "l2", "llc", "memory"}});
  for (const LevelDefaults& l : kLevels) {
    const std::string base = prefix(l);
    p.declare({base + ".size", ParamType::size, std::to_string(l.size),
               std::string(l.what) + ": capacity (0: absent)", 0, 1ULL << 32});
    p.declare({base + ".ways", ParamType::integer, std::to_string(l.ways),
               std::string(l.what) + ": ways (0: fully associative)", 0, 1 << 16});
    p.declare({base + ".hit_cycles", ParamType::integer, std::to_string(l.hit_cycles),
               std::string(l.what) + ": load-to-use latency of a hit in core cycles", 0, 10000});
    p.declare({base + ".policy",
               ParamType::choice,
               "lru",
               std::string(l.what) + ": replacement policy",
               0,
               0,
               {"lru", "plru", "random"}});
    p.declare({base + ".seed", ParamType::integer, "1",
               std::string(l.what) + ": seed of random replacement"});
    if (std::string(l.name) == "l2" || std::string(l.name) == "llc") {
      p.declare({base + ".inclusive", ParamType::boolean, l.inclusive ? "true" : "false",
                 std::string(l.what) +
                     ": inclusive of the levels above (an eviction back-invalidates them)"});
    }
  }

  // The presets list every cache value, so applying one resets them all.
  std::vector<std::pair<std::string, std::string>> skylake;
  for (const ParamSpec* s : p.list())
    if (s->name.rfind("cache.", 0) == 0) skylake.emplace_back(s->name, s->default_value);
  Params::merge_preset("skylake", "", skylake);
  std::vector<std::pair<std::string, std::string>> tiny = skylake;
  auto set = [&](const std::string& k, const std::string& v) {
    for (auto& kv : tiny)
      if (kv.first == k) kv.second = v;
  };
  set("cache.l1i.size", "4096");
  set("cache.l1i.ways", "2");
  set("cache.l1d.size", "4096");
  set("cache.l1d.ways", "2");
  set("cache.l2.size", "32768");
  set("cache.l2.ways", "4");
  set("cache.llc.size", "262144");
  set("cache.llc.ways", "8");
  Params::merge_preset("tiny", "", tiny);
}

CacheHierarchyConfig CacheHierarchyConfig::from_params(const Params& p) {
  CacheHierarchyConfig c;
  CacheConfig* levels[] = {&c.l1i, &c.l1d, &c.l2, &c.llc};
  const auto line = static_cast<unsigned>(p.u64("cache.line_bytes"));
  for (unsigned i = 0; i < kCacheLevels; ++i) {
    const LevelDefaults& l = kLevels[i];
    const std::string base = prefix(l);
    CacheConfig& cc = *levels[i];
    cc.name = l.name;
    cc.size = p.u64(base + ".size");
    cc.ways = static_cast<unsigned>(p.u64(base + ".ways"));
    cc.line_bytes = line;
    cc.hit_cycles = static_cast<unsigned>(p.u64(base + ".hit_cycles"));
    parse_replacement(p.str(base + ".policy"), cc.policy);  // a declared choice
    cc.seed = p.u64(base + ".seed");
    if (p.has(base + ".inclusive")) cc.inclusive = p.flag(base + ".inclusive");
    std::string field;
    const std::string problem = Cache::config_problem(cc, &field);
    if (!problem.empty()) {
      if (field == "line_bytes") throw ConfigError("cache.line_bytes: " + problem);
      throw ConfigError(base + "." + field + ": " + problem);
    }
  }
  const std::string w = p.str("cache.walker_level");
  c.walker_entry = w == "l1d"   ? CacheLevel::l1d
                   : w == "l2"  ? CacheLevel::l2
                   : w == "llc" ? CacheLevel::llc
                                : CacheLevel::memory;
  c.cycle = core_cycle_picos(p);
  return c;
}

}  // namespace mmvp
