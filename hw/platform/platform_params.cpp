// declare_platform_params and the address map (pure C++).
#include "hw/platform/platform_params.h"

#include <fmt/format.h>

#include <algorithm>

#include "hw/cache/cache_hierarchy.h"
#include "hw/cpu/cpu_config.h"
#include "hw/dma/i8237.h"
#include "hw/mem/dram_timing.h"
#include "hw/mmu/mmu.h"
#include "hw/platform/boot_params.h"
#include "hw/timer/hpet.h"

namespace mmvp {

void declare_platform_params(Params& p) {
  p.declare({"mem.capacity", ParamType::size, "1G",
             "installed DRAM (sparse: only written frames use host memory)", 16ULL << 20,
             1ULL << 52});
  p.declare({"mem.maxphyaddr", ParamType::integer, "46",
             "physical address width (CPUID MAXPHYADDR): bounds the address map and the "
             "page walker's reserved bits; 32 is below any x86-64 part (36 is the "
             "architectural minimum) but useful for studying reserved-bit faults, 52 is the "
             "architectural maximum (SDM 4.1.4)",
             32, 52});
  p.declare({"mem.mmio_hole", ParamType::size, "1G",
             "MMIO window below 4 GB (devices: the HPET at 0xfed00000); RAM that would overlap "
             "it is remapped above 4 GB",
             32ULL << 20, 2ULL << 30});
  declare_dram_params(p);
  declare_hpet_params(p);
  declare_dma_params(p);
  declare_cpu_params(p);
  declare_mmu_params(p);
  declare_cache_params(p);
}

const Params& platform_defaults() {
  static const Params defaults = [] {
    Params p;
    declare_platform_params(p);
    return p;
  }();
  return defaults;
}

AddressMap AddressMap::from_params(const Params& p) {
  AddressMap m;
  std::uint64_t cap = p.u64("mem.capacity");
  unsigned maxphy = static_cast<unsigned>(p.u64("mem.maxphyaddr"));
  std::uint64_t hole = p.u64("mem.mmio_hole");
  if (cap % (1ULL << 20))
    throw ConfigError("mem.capacity: " + format_size(cap) + " is not a whole number of MB");
  if (hole % (1ULL << 20))
    throw ConfigError("mem.mmio_hole: " + format_size(hole) + " is not a whole number of MB");
  std::uint64_t limit = 1ULL << maxphy;
  if (cap > limit) {
    throw ConfigError(fmt::format("mem.capacity: {} exceeds 2^mem.maxphyaddr = {}",
                                  format_size(cap), format_size(limit)));
  }
  m.mmio_base = kHighRamBase - hole;
  m.low_ram_bytes = std::min(cap, m.mmio_base);
  m.high_ram_bytes = cap - m.low_ram_bytes;
  if (m.top_of_ram() > limit) {
    throw ConfigError(fmt::format(
        "mem.capacity: {} with a {} MMIO hole ends at physical {:#x}, beyond 2^mem.maxphyaddr "
        "({}); raise mem.maxphyaddr or shrink mem.mmio_hole",
        format_size(cap), format_size(hole), m.top_of_ram(), format_size(limit)));
  }
  return m;
}

std::vector<E820Entry> AddressMap::e820() const {
  // As a PC BIOS reports it: base memory up to the EBDA, the legacy VGA/ROM area
  // reserved, then RAM from 1 MB.
  std::vector<E820Entry> e;
  e.push_back({0, 0x9fc00, boot::E820_RAM});
  e.push_back({0x9fc00, 0x100000 - 0x9fc00, boot::E820_RESERVED});
  e.push_back({0x100000, low_ram_bytes - 0x100000, boot::E820_RAM});
  if (mmio_base < kHighRamBase)
    e.push_back({mmio_base, kHighRamBase - mmio_base, boot::E820_RESERVED});
  if (high_ram_bytes) e.push_back({kHighRamBase, high_ram_bytes, boot::E820_RAM});
  return e;
}

}  // namespace mmvp
