// The mmu.* parameters, their "skylake" defaults, the "tiny" teaching preset, and
// MmuConfig::from_params.
#include <utility>

#include "hw/cpu/cpu_config.h"
#include "hw/mmu/mmu.h"
#include "hw/platform/platform_params.h"

namespace mmvp {
namespace {

struct ArrayDefaults {
  const char* level;  // dtlb, itlb, stlb
  const char* name;   // l1_4k ...
  PageSize size;      // page size the array holds
  unsigned entries;
  unsigned ways;
  const char* policy;
};

// Skylake client (SDM Vol. 3A 4.10 and the Intel optimization manual, Table 2-5):
// DTLB 64x4 4K, 32x4 2M, 4x4 1G; ITLB 128x8 4K, 8 fully-associative 2M; STLB 1536x12
// shared by 4K and 2M pages, 16x4 1G.
constexpr ArrayDefaults kArrays[] = {
    {"dtlb", "l1_4k", PageSize::size_4k, 64, 4, "lru"},
    {"dtlb", "l1_2m", PageSize::size_2m, 32, 4, "lru"},
    {"dtlb", "l1_1g", PageSize::size_1g, 4, 4, "lru"},
    {"itlb", "l1_4k", PageSize::size_4k, 128, 8, "lru"},
    {"itlb", "l1_2m", PageSize::size_2m, 8, 8, "lru"},
    {"itlb", "l1_1g", PageSize::size_1g, 0, 0, "lru"},
    {"stlb", "l2_4k", PageSize::size_4k, 1536, 12, "lru"},
    {"stlb", "l2_2m", PageSize::size_2m, 0, 0, "lru"},
    {"stlb", "l2_1g", PageSize::size_1g, 16, 4, "lru"},
};

constexpr unsigned kMaxEntries = 1u << 16;

std::string array_prefix(const ArrayDefaults& a) {
  return std::string("mmu.") + a.level + "." + a.name;
}

void declare_param_specs(Params& p) {
  auto integer = [&](const std::string& name, std::uint64_t def, std::uint64_t min,
                     std::uint64_t max, const std::string& desc) {
    ParamSpec s;
    s.name = name;
    s.type = ParamType::integer;
    s.default_value = std::to_string(def);
    s.description = desc;
    s.min = min;
    s.max = max;
    p.declare(std::move(s));
  };
  auto boolean = [&](const std::string& name, bool def, const std::string& desc) {
    ParamSpec s;
    s.name = name;
    s.type = ParamType::boolean;
    s.default_value = def ? "true" : "false";
    s.description = desc;
    p.declare(std::move(s));
  };
  for (const ArrayDefaults& a : kArrays) {
    const std::string base = array_prefix(a);
    const std::string what = std::string(a.level) + " " + page_size_name(a.size) + " array";
    integer(base + ".entries", a.entries, 0, kMaxEntries, what + ": entries (0: absent)");
    integer(base + ".ways", a.ways, 0, kMaxEntries,
            what + ": ways (0 or = entries: fully associative)");
    ParamSpec policy;
    policy.name = base + ".policy";
    policy.type = ParamType::choice;
    policy.default_value = a.policy;
    policy.description = what + ": replacement policy";
    policy.choices = {"lru", "plru", "random"};
    p.declare(std::move(policy));
    integer(base + ".seed", 1, 0, UINT64_MAX, what + ": seed of random replacement");
    ParamSpec impl;
    impl.name = base + ".impl";
    impl.type = ParamType::choice;
    impl.default_value = "cpp";
    impl.description = what +
                       ": implementation: cpp (the C++ model) or rtl (the verilated "
                       "hw/rtl/tlb.sv, stepped on the core's clock; docs/rtl.md)";
    impl.choices = {"cpp", "rtl"};
    p.declare(std::move(impl));
  }
  boolean("mmu.stlb.l2_4k.share_2m", true, "stlb 4k array also holds 2M pages (Skylake)");
  boolean("mmu.pwc.enabled", true, "enable the paging-structure caches (SDM 4.10.3)");
  integer("mmu.pwc.pml4e.entries", 2, 0, 4096, "PML4E cache entries");
  integer("mmu.pwc.pdpte.entries", 4, 0, 4096, "PDPTE cache entries");
  integer("mmu.pwc.pde.entries", 32, 0, 4096, "PDE cache entries");
  integer("mmu.l1_hit_cycles", 0, 0, 1000, "extra core cycles of an L1 TLB hit");
  integer("mmu.l2_hit_cycles", 9, 0, 1000, "extra core cycles of an L2 TLB hit (or miss)");
  integer("mmu.walk_step_cycles", 1, 0, 1000, "walker core cycles per paging-structure level");
}

void register_mmu_presets() {
  Params defaults;
  declare_param_specs(defaults);
  std::vector<std::pair<std::string, std::string>> skylake;
  for (const auto& [k, v] : defaults.values())
    if (k.rfind("mmu.", 0) == 0) skylake.emplace_back(k, v);
  Params::merge_preset(
      "skylake",
      "Intel Skylake client core (i7-6700): DTLB 64x4 4K/32x4 2M/4x4 1G, ITLB 128x8 4K/8 "
      "2M, STLB 1536x12 4K+2M/16x4 1G; L1I/L1D 32K, L2 256K, L3 8M (the defaults)",
      skylake);

  std::vector<std::pair<std::string, std::string>> tiny = skylake;
  auto set = [&](const std::string& k, const std::string& v) {
    for (auto& kv : tiny)
      if (kv.first == k) kv.second = v;
  };
  set("mmu.dtlb.l1_4k.entries", "8");
  set("mmu.dtlb.l1_4k.ways", "2");
  set("mmu.dtlb.l1_4k.policy", "lru");
  set("mmu.dtlb.l1_2m.entries", "4");
  set("mmu.dtlb.l1_2m.ways", "0");
  set("mmu.dtlb.l1_1g.entries", "0");
  set("mmu.itlb.l1_4k.entries", "8");
  set("mmu.itlb.l1_4k.ways", "2");
  set("mmu.itlb.l1_2m.entries", "0");
  set("mmu.itlb.l1_1g.entries", "0");
  set("mmu.stlb.l2_4k.entries", "32");
  set("mmu.stlb.l2_4k.ways", "4");
  set("mmu.stlb.l2_4k.share_2m", "true");
  set("mmu.stlb.l2_2m.entries", "0");
  set("mmu.stlb.l2_1g.entries", "0");
  set("mmu.pwc.enabled", "false");
  Params::merge_preset("tiny",
                       "teaching-sized TLBs and caches that miss often: DTLB 8x2 4K + 4 2M, ITLB "
                       "8x2, STLB 32x4, L1 4K, L2 32K, L3 256K",
                       tiny);
}

}  // namespace

void declare_mmu_params(Params& p) {
  declare_param_specs(p);
  register_mmu_presets();
}

MmuConfig MmuConfig::defaults() {
  return from_params(platform_defaults());
}

MmuConfig MmuConfig::from_params(const Params& p) {
  MmuConfig c;
  const bool share_2m = p.flag("mmu.stlb.l2_4k.share_2m");
  for (const ArrayDefaults& a : kArrays) {
    const std::string base = array_prefix(a);
    TlbArrayConfig t;
    t.name = a.name;
    t.entries = static_cast<unsigned>(p.u64(base + ".entries"));
    t.ways = static_cast<unsigned>(p.u64(base + ".ways"));
    if (!parse_replacement(p.str(base + ".policy"), t.policy))
      throw ConfigError(base + ".policy: '" + p.str(base + ".policy") +
                        "' is not lru, plru or random");
    t.seed = p.u64(base + ".seed");
    t.impl = p.str(base + ".impl");
    t.sizes = static_cast<std::uint8_t>(1u << static_cast<unsigned>(a.size));
    if (std::string(a.level) == "stlb" && a.size == PageSize::size_4k && share_2m)
      t.sizes |= 1u << static_cast<unsigned>(PageSize::size_2m);
    std::string field;
    std::string problem = TlbArray::config_problem(t, &field);
    if (!problem.empty()) throw ConfigError(base + "." + field + ": " + problem);
    std::string level = a.level;
    (level == "dtlb" ? c.dtlb : level == "itlb" ? c.itlb : c.stlb).push_back(t);
  }
  if (share_2m && p.u64("mmu.stlb.l2_2m.entries") != 0) {
    throw ConfigError(
        "mmu.stlb.l2_2m.entries: must be 0 while mmu.stlb.l2_4k.share_2m is true (the 4k "
        "array already holds 2M pages)");
  }
  c.pwc.enabled = p.flag("mmu.pwc.enabled");
  c.pwc.pml4e_entries = static_cast<unsigned>(p.u64("mmu.pwc.pml4e.entries"));
  c.pwc.pdpte_entries = static_cast<unsigned>(p.u64("mmu.pwc.pdpte.entries"));
  c.pwc.pde_entries = static_cast<unsigned>(p.u64("mmu.pwc.pde.entries"));
  c.l1_hit_cycles = static_cast<unsigned>(p.u64("mmu.l1_hit_cycles"));
  c.l2_hit_cycles = static_cast<unsigned>(p.u64("mmu.l2_hit_cycles"));
  c.walk_step_cycles = static_cast<unsigned>(p.u64("mmu.walk_step_cycles"));

  c.maxphyaddr = static_cast<unsigned>(p.u64("mem.maxphyaddr"));
  c.cycle = core_cycle_picos(p);
  for (auto* level : {&c.dtlb, &c.itlb, &c.stlb})
    for (TlbArrayConfig& t : *level) t.clock = c.cycle;
  c.la57_supported = p.flag("cpu.la57");
  return c;
}

}  // namespace mmvp
