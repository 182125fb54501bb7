#include "hw/common/debug.h"

#include <cstdio>

namespace mmvp::debug {
namespace {

struct State {
  std::FILE* out = nullptr;  // null: stderr
  Picos start = 0;
  std::function<Picos()> now;
};
State& state() {
  static State s;
  return s;
}

}  // namespace

const std::vector<FlagInfo>& flags() {
  static const std::vector<FlagInfo> all = {
      {Flag::Walker, "Walker", "page walks: each paging-structure entry read, A/D writes, result"},
      {Flag::Tlb, "Tlb", "TLB misses, fills, evictions, INVLPG and flushes"},
      {Flag::Cache, "Cache", "cache misses: requester, line, the level that answered, latency"},
      {Flag::Dram, "Dram", "DRAM transactions: address, bank, row hit/miss/conflict, latency"},
      {Flag::Dma, "Dma", "i8237 programming, DREQ service and terminal counts"},
      {Flag::Fault, "Fault", "exceptions and interrupts the core delivers (#PF, #GP, #MC, IRQ)"},
      {Flag::Slab, "Slab", "kmem_cache create/destroy, slabs allocated and discarded, objects"},
      {Flag::Buddy, "Buddy", "alloc_pages and __free_pages: order, zone, pfn"},
      {Flag::Vmalloc, "Vmalloc", "vmalloc, vmap and ioremap areas allocated and freed"},
  };
  return all;
}

void enable(const std::string& list) {
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t comma = list.find(',', i);
    if (comma == std::string::npos) comma = list.size();
    const std::string name = list.substr(i, comma - i);
    i = comma + 1;
    if (name.empty()) continue;
    if (name == "All") {
      mask = (1u << static_cast<unsigned>(Flag::kCount)) - 1;
      continue;
    }
    bool found = false;
    for (const FlagInfo& f : flags()) {
      if (name == f.name) {
        mask |= 1u << static_cast<unsigned>(f.flag);
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const FlagInfo& f : flags()) known += std::string(known.empty() ? "" : ", ") + f.name;
      throw ConfigError("--debug-flags: unknown flag '" + name + "' (flags: " + known + ", All)");
    }
  }
}

void reset() {
  mask = 0;
  state() = State{};
}

void set_output(std::FILE* out) {
  state().out = out;
}
void set_start(Picos t) {
  state().start = t;
}
void set_clock(std::function<Picos()> now) {
  state().now = std::move(now);
}

bool printing() {
  const State& s = state();
  return s.start == 0 || (s.now && s.now() >= s.start);
}

bool printing_at(Picos t) {
  return t >= state().start;
}

void print_at(Picos t, std::string_view who, std::string_view message) {
  const State& s = state();
  fmt::print(s.out ? s.out : stderr, "{:>14}: {}: {}\n", t, who, message);
}

void print(std::string_view who, std::string_view message) {
  const State& s = state();
  print_at(s.now ? s.now() : 0, who, message);
}

}  // namespace mmvp::debug
