// GFP flags with Linux's values (include/linux/gfp_types.h).
#pragma once
#include <cstdint>

namespace mmvp::sw {

using gfp_t = std::uint32_t;

inline constexpr gfp_t __GFP_DMA = 0x01;
inline constexpr gfp_t __GFP_HIGHMEM = 0x02;
inline constexpr gfp_t __GFP_DMA32 = 0x04;
inline constexpr gfp_t __GFP_MOVABLE = 0x08;
inline constexpr gfp_t __GFP_HIGH = 0x20;
inline constexpr gfp_t __GFP_IO = 0x40;
inline constexpr gfp_t __GFP_FS = 0x80;
inline constexpr gfp_t __GFP_ZERO = 0x100;
inline constexpr gfp_t __GFP_DIRECT_RECLAIM = 0x400;
inline constexpr gfp_t __GFP_KSWAPD_RECLAIM = 0x800;
inline constexpr gfp_t __GFP_NOWARN = 0x2000;
inline constexpr gfp_t __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

inline constexpr gfp_t GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
inline constexpr gfp_t GFP_USER = GFP_KERNEL;  // (__GFP_HARDWALL not modelled)
inline constexpr gfp_t GFP_DMA = __GFP_DMA;
inline constexpr gfp_t GFP_DMA32 = __GFP_DMA32;

// Zones (include/linux/mmzone.h, x86-64 without HIGHMEM/MOVABLE).
enum zone_type : unsigned { ZONE_DMA = 0, ZONE_DMA32 = 1, ZONE_NORMAL = 2, MAX_NR_ZONES = 3 };

// gfp_zone(): the highest zone an allocation may use; the zonelist falls back to
// lower zones from there (NORMAL -> DMA32 -> DMA).
inline zone_type gfp_zone(gfp_t gfp) {
  if (gfp & __GFP_DMA) return ZONE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_DMA32;
  return ZONE_NORMAL;
}

inline constexpr unsigned MAX_ORDER = 10;  // orders 0..10 (Linux 6.x MAX_ORDER = 10, inclusive)
inline constexpr unsigned NR_PAGE_ORDERS = MAX_ORDER + 1;

}  // namespace mmvp::sw
