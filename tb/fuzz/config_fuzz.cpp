// libFuzzer target: the parameter system on arbitrary input, as the command line feeds
// it: a JSON config (--config) when the first byte is even, otherwise lines of
// `--set NAME=VALUE` (a line `preset=NAME` is --preset). Then every block derives its
// configuration and the pure cores are built from it (one translation and one cache
// access each): a value the declarations accept must never crash a block, and the only
// error is a ConfigError naming the parameter.
#include <cstdint>
#include <string>

#include "hw/cache/cache_hierarchy.h"
#include "hw/cpu/cpu_config.h"
#include "hw/mem/dram_timing.h"
#include "hw/mmu/mmu.h"
#include "hw/platform/platform_params.h"
#include "hw/timer/hpet.h"
#include "tb/fuzz/fuzz_check.h"

namespace {

using namespace mmvp;

class NoMemory final : public PhysMemPort, public MemorySide {
 public:
  bool read_pte(PAddr, std::uint64_t& value, Picos& latency) override {
    value = 0;
    latency = 1;
    return true;
  }
  bool write_pte(PAddr, std::uint64_t, Picos& latency) override {
    latency = 1;
    return true;
  }
  Picos read_line(PAddr, unsigned, Picos) override { return 1; }
  Picos write_line(PAddr, unsigned, Picos) override { return 1; }
};

// Caches larger than this are valid but not built here: their tag arrays would take
// more memory than a fuzzer run may (4 GB per level is the declared maximum).
constexpr std::uint64_t kMaxBuiltCacheBytes = 64ULL << 20;

void load(Params& p, const std::string& text) {
  if (text.empty() || (static_cast<unsigned char>(text[0]) & 1) == 0) {
    p.load_json_text(text.empty() ? text : text.substr(1), "fuzz.json");
    return;
  }
  std::size_t start = 1;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.rfind("preset=", 0) == 0)
      p.apply_preset(line.substr(7));
    else
      p.set_assignment(line);
    start = end + 1;
  }
}

void build_blocks(const Params& p) {
  const AddressMap map = AddressMap::from_params(p);
  FUZZ_CHECK(map.top_of_ram() >= map.low_ram_bytes);
  const CpuConfig cpu = CpuConfig::from_params(p);
  FUZZ_CHECK(cpu.cycle > 0);
  (void)HpetConfig::from_params(p);
  DramTiming dram(DramTimingConfig::from_params(p));
  (void)dram;
  NoMemory memory;
  Mmu mmu(MmuConfig::from_params(p), memory);
  PagingContext ctx;
  ctx.cr0 = cr0::PE | cr0::PG;
  ctx.cr4 = cr4::PAE;
  ctx.efer = efer::LME | efer::LMA;
  (void)mmu.translate(0x1000, AccessKind::read, ctx);
  const CacheHierarchyConfig caches = CacheHierarchyConfig::from_params(p);
  if (caches.l1i.size + caches.l1d.size + caches.l2.size + caches.llc.size <= kMaxBuiltCacheBytes) {
    CacheHierarchy hierarchy(caches, memory);
    (void)hierarchy.access(0x1000, 8, Requester::data, false, 0);
    (void)hierarchy.access(0x1fc0, 128, Requester::data, true, 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_only_input_errors([&] {
    Params p = platform_defaults();
    load(p, text);
    build_blocks(p);
  });
  return 0;
}
