// libFuzzer target: the MMU and its page walker (hw/mmu) on arbitrary paging-structure
// memory, control registers and a sequence of translations and TLB maintenance. It
// must never crash or hang, whatever the tables hold, and keep these rules of the
// Intel SDM Vol. 3A:
//  - a translation under paging lands below 2^MAXPHYADDR (4.5: address bits at and
//    above MAXPHYADDR are reserved, a #PF with RSVD = 1);
//  - a #PF error code's W and U bits describe the access, RSVD = 1 comes with P = 1
//    (4.7);
//  - #GP only for a non-canonical address (4.5, 3.3.7.1);
//  - what the TLBs answer equals what a fresh walk gives (4.10.2: a TLB caches the
//    translation and the rights combined over the walk).
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "hw/mmu/mmu.h"
#include "hw/platform/platform_params.h"
#include "tb/fuzz/fuzz_check.h"

namespace {

using namespace mmvp;

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint64_t u64() { return take(8); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)); }
  bool empty() const { return pos_ >= size_; }
  std::size_t left() const { return pos_ < size_ ? size_ - pos_ : 0; }

 private:
  std::uint64_t take(unsigned n) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
      v |= std::uint64_t{pos_ < size_ ? data_[pos_++] : 0u} << (8 * i);
    return v;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Paging-structure memory: every 8-byte word at pa is words[(pa / 8) % n] until the
// walker writes it (A/D updates); addresses at or above `limit` do not exist.
class FuzzMemory : public PhysMemPort {
 public:
  bool read_pte(PAddr pa, std::uint64_t& value, Picos& latency) override {
    FUZZ_CHECK(pa % 8 == 0);
    if (pa >= limit) return false;
    auto it = written.find(pa);
    value = it != written.end() ? it->second : words.empty() ? 0 : words[(pa / 8) % words.size()];
    latency = 1000;
    return true;
  }
  bool write_pte(PAddr pa, std::uint64_t value, Picos& latency) override {
    FUZZ_CHECK(pa % 8 == 0);
    if (pa >= limit) return false;
    written[pa] = value;
    latency = 700;
    return true;
  }
  std::vector<std::uint64_t> words;
  std::unordered_map<PAddr, std::uint64_t> written;
  PAddr limit = 0;
};

bool same(const TranslateResult& a, const TranslateResult& b) {
  return a.fault == b.fault && a.error_code == b.error_code &&
         (a.fault != FaultKind::none || (a.pa == b.pa && a.uncacheable == b.uncacheable));
}

void check_rules(const TranslateResult& r, LAddr la, AccessKind k, const PagingContext& ctx,
                 const MmuConfig& cfg) {
  const bool la57 = ctx.la57() && cfg.la57_supported;
  if (!ctx.paging()) {
    FUZZ_CHECK(r.fault == FaultKind::none && r.pa == la);
    return;
  }
  FUZZ_CHECK((r.fault == FaultKind::general_protection) == !is_canonical(la, la57));
  if (r.fault == FaultKind::none) FUZZ_CHECK(r.pa < (PAddr{1} << cfg.maxphyaddr));
  if (r.fault == FaultKind::page_fault) {
    FUZZ_CHECK(((r.error_code & pf::W) != 0) == (k == AccessKind::write));
    FUZZ_CHECK(((r.error_code & pf::U) != 0) == ctx.user());
    if (r.error_code & pf::RSVD) FUZZ_CHECK(r.error_code & pf::P);
    if (r.error_code & pf::ID) FUZZ_CHECK(k == AccessKind::fetch);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  Params params = platform_defaults();
  params.set("mem.maxphyaddr", std::to_string(36 + in.u8() % 17));  // 36..52
  params.set("cpu.la57", in.u8() & 1 ? "true" : "false");
  params.set("mmu.pwc.enabled", in.u8() & 1 ? "true" : "false");
  const MmuConfig cfg = MmuConfig::from_params(params);

  FuzzMemory mem;
  PagingContext ctx;
  ctx.cr0 = cr0::PE | cr0::PG | (in.u8() & 1 ? cr0::WP : 0);
  ctx.cr3 = in.u64() & pte::ADDR_MASK;
  const std::uint8_t cr4_bits = in.u8();
  ctx.cr4 = cr4::PAE | (cr4_bits & 1 ? cr4::PGE : 0) | (cr4_bits & 2 ? cr4::LA57 : 0) |
            (cr4_bits & 4 ? cr4::SMEP : 0) | (cr4_bits & 8 ? cr4::SMAP : 0);
  ctx.efer = efer::LME | efer::LMA | (cr4_bits & 16 ? efer::NXE : 0);
  mem.limit = in.u64();
  const unsigned n_words = in.u8() % 65;
  for (unsigned i = 0; i < n_words; ++i) mem.words.push_back(in.u64());

  Mmu mmu(cfg, mem);
  for (unsigned op = 0; op < 128 && !in.empty(); ++op) {
    const std::uint8_t code = in.u8();
    switch (code % 8) {
      case 0:
        mmu.flush_all();
        break;
      case 1:
        mmu.flush_non_global();
        break;
      case 2:
        mmu.invlpg(in.u64());
        break;
      case 3: {  // a change of privilege, AC or a paging mode bit
        ctx.cpl = code & 8 ? 3 : 0;
        ctx.ac = (code & 16) != 0;
        ctx.implicit_supervisor = (code & 32) != 0;
        if (code & 64)
          ctx.cr0 &= ~cr0::PG;
        else
          ctx.cr0 |= cr0::PG;
        mmu.flush_all();
        break;
      }
      default: {
        const LAddr la = in.u64();
        const auto k = static_cast<AccessKind>(code % 3);
        const TranslateResult first = mmu.translate(la, k, ctx);
        check_rules(first, la, k, ctx, cfg);
        const TranslateResult cached = mmu.translate(la, k, ctx);
        FUZZ_CHECK(same(first, cached));
        mmu.flush_all();
        FUZZ_CHECK(same(first, mmu.translate(la, k, ctx)));
      }
    }
  }
  return 0;
}
