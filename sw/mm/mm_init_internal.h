// What mm_init.cpp (boot-time memmap and memblock_free_all) shares with
// mm_init_deferred.cpp (CONFIG_DEFERRED_STRUCT_PAGE_INIT).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

#include "sw/kernel/kernel.h"
#include "sw/mm/gfp.h"

namespace mmvp::sw {

// pgdat->first_deferred_pfn when nothing is deferred (ULONG_MAX).
inline constexpr std::uint64_t kNoDeferredPfn = ~0ULL;
// PAGES_PER_SECTION: 128 MB sections (SECTION_SIZE_BITS 27 on x86-64).
inline constexpr std::uint64_t PAGES_PER_SECTION = 1ULL << (27 - 12);

// __init_single_page(): the whole 64-byte struct page written once (mm_zero_struct_page
// folded in): zone, _refcount 1, _mapcount -1, empty lru, the rest zero; PG_reserved
// too for a page memblock still holds (__SetPageReserved).
void init_single_page(Kernel& k, std::uint64_t pfn, unsigned zone, bool reserved);
// The zone whose span holds pfn (holes below the first zone count as ZONE_DMA).
unsigned pfn_zone(std::uint64_t pfn);
// __free_pages_memory(): [start_pfn, end_pfn) into the buddy allocator as the largest
// naturally aligned blocks (never across a zone boundary: those are 4 MB aligned).
// Returns the pages freed.
std::uint64_t free_pages_memory(Kernel& k, std::uint64_t start_pfn, std::uint64_t end_pfn);
// Calls fn(start, end) for each part of [start_pfn, end_pfn) that memblock.memory does
// not cover (a hole), lowest first.
void for_each_hole(Kernel& k, std::uint64_t start_pfn, std::uint64_t end_pfn,
                   const std::function<void(std::uint64_t, std::uint64_t)>& fn);

// Calls fn(s, e) for each piece of [start_pfn, end_pfn) cut at MAX_ORDER-aligned
// boundaries (the blocks deferred_init_maxorder() and __free_pages_memory() work in).
template <typename Fn>
void for_each_max_order_block(std::uint64_t start_pfn, std::uint64_t end_pfn, Fn&& fn) {
  constexpr std::uint64_t kBlock = 1ULL << MAX_ORDER;  // MAX_ORDER_NR_PAGES
  for (std::uint64_t s = start_pfn; s < end_pfn;) {
    const std::uint64_t e = std::min(end_pfn, (s + kBlock) & ~(kBlock - 1));
    fn(s, e);
    s = e;
  }
}

// A boot loop over many such blocks of struct pages with its middle fast-forwarded
// (kernel.memmap_fast_forward). Its head and its tail run in detail, each enough
// struct pages to pass twice the last-level cache (CPUID.04H) through, and at least
// kRateBlocks: the second half of the head, in the steady state, measures the cycles a
// page costs; the tail leaves the caches, TLBs and DRAM rows as a detailed run does.
// The blocks between are fast-forwarded (CpuPort::set_fast_forward) and charged at the
// measured rate. A loop whose middle would be shorter than kRateBlocks runs wholly in
// detail. Only the charged time is approximate: the values written are the same.
class MemmapFastForward {
 public:
  static constexpr std::uint64_t kRateBlocks = 64;
  // A loop of `blocks` blocks; with enabled false, all in detail.
  MemmapFastForward(Kernel& k, bool enabled, std::uint64_t blocks);
  ~MemmapFastForward();  // back to detail if the loop ended early (a panic)
  MemmapFastForward(const MemmapFastForward&) = delete;
  MemmapFastForward& operator=(const MemmapFastForward&) = delete;
  // Around each block, in order; `pages` is the block's.
  void before();
  void after(std::uint64_t pages);
  // Adds the pages fast-forwarded and the cycles charged for them to
  // mm_globals::memmap_ff_pages and memmap_ff_cycles.
  void record();

 private:
  Kernel& k_;
  std::uint64_t begin_ = 0, end_ = 0;  // blocks [begin_, end_) are fast-forwarded
  std::uint64_t index_ = 0;            // the block running
  std::uint64_t rate_c0_ = 0, rate_cycles_ = 0, rate_pages_ = 0;
  std::uint64_t ff_pages_ = 0, ff_cycles_ = 0;
  bool on_ = false;
};

// Runs body(s, e) on every block for_each_block(fn) gives fn, in order, the middle of a
// long loop fast-forwarded when `fast_forward` (a first pass counts the blocks).
template <typename ForEachBlock, typename Body>
void run_memmap_blocks(Kernel& k, bool fast_forward, ForEachBlock&& for_each_block, Body&& body) {
  std::uint64_t blocks = 0;
  if (fast_forward) for_each_block([&](std::uint64_t, std::uint64_t) { ++blocks; });
  MemmapFastForward ff(k, fast_forward, blocks);
  for_each_block([&](std::uint64_t s, std::uint64_t e) {
    ff.before();
    body(s, e);
    ff.after(e - s);
  });
  ff.record();
}

// The first pfn defer_init() leaves for later: the first section boundary after one
// section of the node's last zone [lo, hi), or kNoDeferredPfn.
std::uint64_t first_deferred_pfn(std::uint64_t lo, std::uint64_t hi);
// memmap_init_reserved_pages() for the deferred range: struct pages of memblock.reserved
// regions at or above first_deferred are initialised (PG_reserved) now, since the
// deferred pass only covers free memory.
void init_deferred_reserved_pages(Kernel& k, std::uint64_t first_deferred);

}  // namespace mmvp::sw
