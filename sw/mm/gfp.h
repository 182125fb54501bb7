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
// User pages that may be highmem (GFP_HIGHUSER), and anonymous user memory
// (vma_alloc_zeroed_movable_folio): movable, any zone.
inline constexpr gfp_t GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
inline constexpr gfp_t GFP_HIGHUSER_MOVABLE = GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE;
// Transparent huge pages: no direct reclaim, no warning (GFP_TRANSHUGE_LIGHT).
inline constexpr gfp_t GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_NOWARN) & ~__GFP_RECLAIM;
inline constexpr gfp_t GFP_DMA = __GFP_DMA;
inline constexpr gfp_t GFP_DMA32 = __GFP_DMA32;

// Zones (include/linux/mmzone.h enum zone_type). Which exist is the kernel's
// configuration, so their numbers are too: x86-64 (CONFIG_ZONE_DMA, ZONE_DMA32 and
// ZONE_DEVICE, as Debian configures it) has DMA 0, DMA32 1, Normal 2, Movable 3, Device 4;
// i386 (CONFIG_HIGHMEM) has DMA 0, Normal 1, HighMem 2, Movable 3. A zone the
// configuration lacks takes the number of the one Linux uses instead (OPT_ZONE_DMA32
// and OPT_ZONE_HIGHMEM are ZONE_NORMAL). ZONE_MOVABLE exists but stays empty without
// kernelcore=/movablecore=; ZONE_DEVICE holds no boot memory.
using zone_type = unsigned;
inline constexpr unsigned kMaxZoneSlots = 5;  // the most zones a configuration has
struct ZoneConfig {
  unsigned dma = 0, dma32 = 1, normal = 2, highmem = 2, movable = 3, device = 4;
  unsigned nr = 5;  // MAX_NR_ZONES
  bool has_highmem = false;
  const char* names[kMaxZoneSlots] = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  // The zone's part of per-zone vm event names (pgalloc_dma32, pgalloc_high, ...).
  const char* event_names[kMaxZoneSlots] = {"dma", "dma32", "normal", "movable", "device"};
  // sysctl_lowmem_reserve_ratio (mm/page_alloc.c), by zone.
  std::uint64_t lowmem_reserve_ratio[kMaxZoneSlots] = {256, 256, 32, 0, 0};
  // The pfns each zone may span (arch_zone_lowest/highest_possible_pfn, from
  // max_zone_pfns in zone_sizes_init): ZONE_DMA below 16 MB, DMA32 below 4 GB; on i386
  // Normal below max_low_pfn, HighMem above. Movable and Device span nothing.
  std::uint64_t start_pfn[kMaxZoneSlots] = {0, 4096, 1ULL << 20, 0, 0};
  std::uint64_t end_pfn[kMaxZoneSlots] = {4096, 1ULL << 20, ~0ULL, 0, 0};
};
inline ZoneConfig zone_config;
inline const unsigned& ZONE_DMA = zone_config.dma;
inline const unsigned& ZONE_DMA32 = zone_config.dma32;
inline const unsigned& ZONE_NORMAL = zone_config.normal;
inline const unsigned& ZONE_HIGHMEM = zone_config.highmem;
inline const unsigned& ZONE_MOVABLE = zone_config.movable;
inline const unsigned& ZONE_DEVICE = zone_config.device;
inline const unsigned& MAX_NR_ZONES = zone_config.nr;
// The i386 configuration (CONFIG_HIGHMEM, no ZONE_DMA32, no ZONE_DEVICE).
inline ZoneConfig i386_zone_config() {
  ZoneConfig c;
  c.dma = 0;
  c.dma32 = c.normal = 1;
  c.highmem = 2;
  c.movable = 3;
  c.device = 3;  // none: never populated
  c.nr = 4;
  c.has_highmem = true;
  const char* names[kMaxZoneSlots] = {"DMA", "Normal", "HighMem", "Movable", ""};
  const char* events[kMaxZoneSlots] = {"dma", "normal", "high", "movable", ""};
  const std::uint64_t ratio[kMaxZoneSlots] = {256, 32, 0, 0, 0};
  for (unsigned z = 0; z < kMaxZoneSlots; ++z) {
    c.names[z] = names[z];
    c.event_names[z] = events[z];
    c.lowmem_reserve_ratio[z] = ratio[z];
    c.start_pfn[z] = c.end_pfn[z] = 0;
  }
  c.end_pfn[0] = 4096;  // MAX_DMA_PFN; Normal and HighMem meet at max_low_pfn
  c.start_pfn[1] = 4096;
  c.end_pfn[2] = ~0ULL;
  return c;
}
// max_low_pfn: where an i386 kernel's ZONE_NORMAL ends and ZONE_HIGHMEM starts.
inline void set_zone_max_low_pfn(std::uint64_t max_low_pfn) {
  zone_config.end_pfn[zone_config.normal] = max_low_pfn;
  zone_config.start_pfn[zone_config.highmem] = max_low_pfn;
}
// gfp_zone(): the highest zone an allocation may use (GFP_ZONE_TABLE); the zonelist
// falls back to lower zones from there. __GFP_HIGHMEM is ZONE_HIGHMEM (ZONE_NORMAL on
// x86-64), and __GFP_HIGHMEM | __GFP_MOVABLE (GFP_HIGHUSER_MOVABLE) may use ZONE_MOVABLE.
inline zone_type gfp_zone(gfp_t gfp) {
  if (gfp & __GFP_DMA) return ZONE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_DMA32;
  if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) == (__GFP_HIGHMEM | __GFP_MOVABLE))
    return ZONE_MOVABLE;
  if (gfp & __GFP_HIGHMEM) return ZONE_HIGHMEM;
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
