// Zone watermarks and lowmem reserves (mm/page_alloc.c): init_per_zone_wmark_min,
// __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve, calculate_totalreserve_pages.
// Everything is read from and written to the zones in guest memory.
#include <algorithm>

#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"

namespace mmvp::sw {
namespace {

// mult_frac(x, n, d) without overflow of x * n.
std::uint64_t mult_frac(std::uint64_t x, std::uint64_t n, std::uint64_t d) {
  return (x / d) * n + ((x % d) * n) / d;
}

// nr_free_zone_pages(gfp_zone(GFP_USER)): managed pages above the high watermark, over
// the zones a GFP_USER allocation may use.
std::uint64_t nr_free_buffer_pages(Kernel& k) {
  std::uint64_t sum = 0;
  for (unsigned z = 0; z <= gfp_zone(GFP_USER); ++z) {
    std::uint64_t size = zone_managed_pages(k, z);
    std::uint64_t high = zone_wmark(k, z, WMARK_HIGH);
    if (size > high) sum += size - high;
  }
  return sum;
}

void calculate_totalreserve_pages(Kernel& k) {
  std::uint64_t reserve_pages = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    LAddr zn = zone_addr(z);
    std::uint64_t max = 0;
    for (unsigned j = z; j < MAX_NR_ZONES; ++j)
      max = std::max(max, k.mem.get(zn, zone::lowmem_reserve(j)));
    max += k.mem.get(zn, zone::watermark(WMARK_HIGH));
    max = std::min(max, zone_managed_pages(k, z));
    reserve_pages += max;
  }
  k.mem.set(MM_GLOBALS, mm_globals::totalreserve_pages, reserve_pages);
}

void setup_per_zone_wmarks(Kernel& k) {
  std::uint64_t pages_min = k.mem.get(MM_GLOBALS, mm_globals::min_free_kbytes) >> (PAGE_SHIFT - 10);
  std::uint64_t scale = k.mem.get(MM_GLOBALS, mm_globals::watermark_scale_factor);
  std::uint64_t managed[kMaxZoneSlots];
  std::uint64_t lowmem_pages = 0;  // the zones but ZONE_MOVABLE (no highmem on x86-64)
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    managed[z] = zone_managed_pages(k, z);
    if (!zone_is_highmem_or_movable(z)) lowmem_pages += managed[z];
  }
  if (lowmem_pages == 0) return;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    LAddr zn = zone_addr(z);
    std::uint64_t tmp = pages_min * managed[z] / lowmem_pages;  // this zone's share of min
    // A movable (or highmem) zone gets a small min of its own: SWAP_CLUSTER_MAX..128.
    const std::uint64_t wmin =
        zone_is_highmem_or_movable(z) ? std::clamp<std::uint64_t>(managed[z] / 1024, 32, 128) : tmp;
    tmp = std::max(tmp >> 2, mult_frac(managed[z], scale, 10000));
    k.mem.set(zn, zone::watermark_boost, 0);
    k.mem.set(zn, zone::watermark(WMARK_MIN), wmin);
    k.mem.set(zn, zone::watermark(WMARK_LOW), wmin + tmp);
    k.mem.set(zn, zone::watermark(WMARK_HIGH), wmin + 2 * tmp);
    k.mem.set(zn, zone::watermark(WMARK_PROMO), wmin + 3 * tmp);
  }
  calculate_totalreserve_pages(k);
  // The per-CPU lists' batch and bounds follow the new watermarks (zone_pcp_update).
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) zone_pcp_update(k, z);
}

void setup_per_zone_lowmem_reserve(Kernel& k) {
  for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
    LAddr zn = zone_addr(i);
    std::uint64_t ratio = sysctl_lowmem_reserve_ratio[i];
    bool clear = ratio == 0 || zone_managed_pages(k, i) == 0;
    std::uint64_t managed_pages = 0;
    k.mem.set(zn, zone::lowmem_reserve(i), 0);
    for (unsigned j = i + 1; j < MAX_NR_ZONES; ++j) {
      managed_pages += zone_managed_pages(k, j);
      k.mem.set(zn, zone::lowmem_reserve(j), clear ? 0 : managed_pages / ratio);
    }
  }
  calculate_totalreserve_pages(k);
}

}  // namespace

std::uint64_t int_sqrt(std::uint64_t x) {
  // lib/math/int_sqrt.c: the bit-by-bit method, floor(sqrt(x)).
  if (x <= 1) return x;
  std::uint64_t m = 1ULL << ((63 - __builtin_clzll(x)) & ~1ULL);
  std::uint64_t y = 0;
  while (m != 0) {
    std::uint64_t b = y + m;
    y >>= 1;
    if (x >= b) {
      x -= b;
      y += m;
    }
    m >>= 2;
  }
  return y;
}

void init_per_zone_wmark_min(Kernel& k) {
  std::uint64_t lowmem_kbytes = nr_free_buffer_pages(k) * (PAGE_SIZE >> 10);
  std::uint64_t min_free_kbytes =
      std::clamp<std::uint64_t>(int_sqrt(lowmem_kbytes * 16), 128, 262144);
  k.mem.set(MM_GLOBALS, mm_globals::min_free_kbytes, min_free_kbytes);
  setup_per_zone_wmarks(k);
  setup_per_zone_lowmem_reserve(k);
}

}  // namespace mmvp::sw
