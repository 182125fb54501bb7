// GFP flags with Linux's values (include/linux/gfp_types.h).
#pragma once
#include <cstdint>
#include <string>

namespace mmvp::sw {

using gfp_t = std::uint32_t;

inline constexpr gfp_t __GFP_DMA = 0x01;
inline constexpr gfp_t __GFP_HIGHMEM = 0x02;
inline constexpr gfp_t __GFP_DMA32 = 0x04;
inline constexpr gfp_t __GFP_MOVABLE = 0x08;
inline constexpr gfp_t __GFP_RECLAIMABLE = 0x10;
inline constexpr gfp_t __GFP_HIGH = 0x20;
inline constexpr gfp_t __GFP_IO = 0x40;
inline constexpr gfp_t __GFP_FS = 0x80;
inline constexpr gfp_t __GFP_ZERO = 0x100;
inline constexpr gfp_t __GFP_DIRECT_RECLAIM = 0x400;
inline constexpr gfp_t __GFP_KSWAPD_RECLAIM = 0x800;
inline constexpr gfp_t __GFP_NOWARN = 0x2000;
inline constexpr gfp_t __GFP_RETRY_MAYFAIL = 0x4000;  // may fail rather than invoke the OOM killer
inline constexpr gfp_t __GFP_NORETRY = 0x10000;
inline constexpr gfp_t __GFP_COMP = 0x40000;
inline constexpr gfp_t __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

inline constexpr gfp_t GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
inline constexpr gfp_t GFP_USER = GFP_KERNEL;  // (__GFP_HARDWALL not modelled)
// Anonymous user memory (vma_alloc_zeroed_movable_folio): movable, any zone.
inline constexpr gfp_t GFP_HIGHUSER_MOVABLE = GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE;
// Transparent huge pages: no direct reclaim, no warning (GFP_TRANSHUGE_LIGHT).
inline constexpr gfp_t GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_NOWARN) & ~__GFP_RECLAIM;
inline constexpr gfp_t GFP_DMA = __GFP_DMA;
inline constexpr gfp_t GFP_DMA32 = __GFP_DMA32;

// Zones (include/linux/mmzone.h, x86-64 with CONFIG_ZONE_DMA, ZONE_DMA32 and
// ZONE_DEVICE as Debian configures it; ZONE_MOVABLE exists but stays empty without
// kernelcore=/movablecore=, ZONE_DEVICE holds no boot memory).
enum zone_type : unsigned {
  ZONE_DMA = 0,
  ZONE_DMA32 = 1,
  ZONE_NORMAL = 2,
  ZONE_MOVABLE = 3,
  ZONE_DEVICE = 4,
  MAX_NR_ZONES = 5
};
// gfp_zone(): the highest zone an allocation may use (GFP_ZONE_TABLE); the zonelist
// falls back to lower zones from there. __GFP_HIGHMEM is ZONE_NORMAL on x86-64, and
// __GFP_HIGHMEM | __GFP_MOVABLE (GFP_HIGHUSER_MOVABLE) may use ZONE_MOVABLE.
inline zone_type gfp_zone(gfp_t gfp) {
  if (gfp & __GFP_DMA) return ZONE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_DMA32;
  if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) == (__GFP_HIGHMEM | __GFP_MOVABLE))
    return ZONE_MOVABLE;
  return ZONE_NORMAL;
}

inline constexpr unsigned MAX_ORDER = 10;  // orders 0..10 (Linux 6.x MAX_ORDER = 10, inclusive)
inline constexpr unsigned NR_PAGE_ORDERS = MAX_ORDER + 1;
inline constexpr unsigned PAGE_ALLOC_COSTLY_ORDER = 3;
inline constexpr unsigned pageblock_order = 9;  // HUGETLB_PAGE_ORDER on x86-64
inline constexpr std::uint64_t pageblock_nr_pages = 1ULL << pageblock_order;

// Migrate types (enum migratetype, CONFIG_MEMORY_ISOLATION=y, CONFIG_CMA=n as on Debian).
enum migratetype : unsigned {
  MIGRATE_UNMOVABLE = 0,
  MIGRATE_MOVABLE = 1,
  MIGRATE_RECLAIMABLE = 2,
  MIGRATE_PCPTYPES = 3,  // the types with per-CPU lists
  MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
  MIGRATE_ISOLATE = 4,
  MIGRATE_TYPES = 5
};
inline constexpr const char* migratetype_names[MIGRATE_TYPES] = {
    "Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"};
// gfp_migratetype(): __GFP_MOVABLE and __GFP_RECLAIMABLE (GFP_MOVABLE_SHIFT 3).
inline migratetype gfp_migratetype(gfp_t gfp) {
  return static_cast<migratetype>((gfp & (__GFP_MOVABLE | __GFP_RECLAIMABLE)) >> 3);
}

// %pGg: the flags by name, composite names first as in Linux's gfpflag_names (without
// __GFP_HARDWALL, GFP_USER is GFP_KERNEL here and is left out of the names).
std::string gfp_flag_names(gfp_t gfp);

}  // namespace mmvp::sw
