// Micro-benchmarks of the TLB core: lookups that hit, lookups that miss and fill, per
// replacement policy, and an L1-hit translation through the whole MMU.
#include <benchmark/benchmark.h>

#include <unordered_map>

#include "hw/mmu/mmu.h"
#include "hw/mmu/tlb.h"

namespace mmvp {
namespace {

TlbArrayConfig array(unsigned entries, unsigned ways, Replacement policy) {
  TlbArrayConfig c;
  c.name = "bench";
  c.entries = entries;
  c.ways = ways;
  c.policy = policy;
  return c;
}

Translation page(std::uint64_t vpn) {
  Translation t;
  t.vpn = vpn;
  t.pfn = vpn + 1000;
  t.writable = t.user = t.dirty = true;
  return t;
}

void BM_TlbArrayHit(benchmark::State& state) {
  TlbArray a(array(64, 4, static_cast<Replacement>(state.range(0))));
  for (std::uint64_t v = 0; v < 64; ++v) a.insert(page(v));
  std::uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.lookup((i++ & 63) << 12, PageSize::size_4k));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TlbArrayHit)->Arg(0)->Arg(1)->Arg(2)->ArgName("policy");

void BM_TlbArrayMissAndFill(benchmark::State& state) {
  TlbArray a(array(static_cast<unsigned>(state.range(0)), 4, Replacement::lru));
  std::uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::uint64_t vpn = x & 0xfffff;
    if (!a.lookup(vpn << 12, PageSize::size_4k)) a.insert(page(vpn));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TlbArrayMissAndFill)->Arg(64)->Arg(1536);

// A page table in a hash map, for the MMU to walk.
class MapMemory : public PhysMemPort {
 public:
  std::unordered_map<PAddr, std::uint64_t> m;
  bool read_pte(PAddr pa, std::uint64_t& v, Picos& lat) override {
    auto it = m.find(pa);
    v = it == m.end() ? 0 : it->second;
    lat = 50000;
    return true;
  }
  bool write_pte(PAddr pa, std::uint64_t v, Picos& lat) override {
    m[pa] = v;
    lat = 50000;
    return true;
  }
};

void BM_MmuTranslateL1Hit(benchmark::State& state) {
  MapMemory mem;
  // PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 -> frames.
  const std::uint64_t flags = pte::P | pte::RW | pte::US | pte::A | pte::D;
  mem.m[0x1000] = 0x2000 | flags;
  mem.m[0x2000] = 0x3000 | flags;
  mem.m[0x3000] = 0x4000 | flags;
  for (int i = 0; i < 16; ++i) mem.m[0x4000 + 8 * i] = (0x100000 + 0x1000 * i) | flags;
  MmuConfig cfg;
  TlbArrayConfig l1 = array(64, 4, Replacement::lru);
  l1.name = "l1_4k";
  cfg.dtlb = {l1};
  cfg.itlb = {l1};
  cfg.stlb = {};
  Mmu mmu(cfg, mem);
  PagingContext ctx;
  ctx.cr0 = cr0::PE | cr0::PG;
  ctx.cr4 = cr4::PAE;
  ctx.efer = efer::LME | efer::LMA;
  ctx.cr3 = 0x1000;
  ctx.cpl = 3;
  std::uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(mmu.translate((i++ & 15) << 12, AccessKind::read, ctx));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MmuTranslateL1Hit);

}  // namespace
}  // namespace mmvp

BENCHMARK_MAIN();
