// MemmapFastForward (sw/mm/mm_init_internal.h): the sampled fast-forward of the boot's
// loops over struct pages, as sampling simulators (SMARTS) and gem5's fast-forward do
// it: the regular middle of a long loop functionally, its time from the blocks run in
// detail.
#include "sw/mm/mm_init_internal.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"

namespace mmvp::sw {

MemmapFastForward::MemmapFastForward(Kernel& k, bool enabled, std::uint64_t blocks) : k_(k) {
  if (!enabled) return;
  const std::uint64_t block_memmap = (1ULL << MAX_ORDER) * page::kSize;
  const std::uint64_t llc = k.cpu.cpuid().last_level_cache_bytes;
  // Twice the cache's worth of struct pages before the measured half of the head and
  // before the end: what the caches held before (the vmemmap just cleared, say) is gone.
  const std::uint64_t detailed = std::max(kRateBlocks, (2 * llc + block_memmap - 1) / block_memmap);
  if (blocks < 2 * detailed + kRateBlocks) return;
  begin_ = detailed;
  end_ = blocks - detailed;
}

MemmapFastForward::~MemmapFastForward() {
  if (on_) k_.cpu.set_fast_forward(false);
}

void MemmapFastForward::before() {
  if (begin_ == end_) return;
  const std::uint64_t i = index_;
  if (i == begin_ / 2) rate_c0_ = k_.cpu.cycles();
  if (i == begin_) {
    rate_cycles_ = k_.cpu.cycles() - rate_c0_;
    k_.cpu.set_fast_forward(on_ = true);
  }
  if (i == end_) {
    k_.cpu.set_fast_forward(on_ = false);
    // The measured blocks' cycles per page, for every fast-forwarded page.
    const long double per_page = static_cast<long double>(rate_cycles_) / rate_pages_;
    ff_cycles_ = static_cast<std::uint64_t>(per_page * ff_pages_ + 0.5L);
    k_.cpu.charge(ff_cycles_);
  }
}

void MemmapFastForward::after(std::uint64_t pages) {
  const std::uint64_t i = index_++;
  if (i >= begin_ / 2 && i < begin_) rate_pages_ += pages;
  if (i >= begin_ && i < end_) ff_pages_ += pages;
}

void MemmapFastForward::record() {
  k_.mem.add(MM_GLOBALS, mm_globals::memmap_ff_pages, ff_pages_);
  k_.mem.add(MM_GLOBALS, mm_globals::memmap_ff_cycles, ff_cycles_);
}

}  // namespace mmvp::sw
