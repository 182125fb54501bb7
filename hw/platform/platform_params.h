// Every parameter of the platform, declared in one place, and the physical address
// map they give. Pure C++ (no SystemC), so unit tests and sweeps use the very
// declarations the mmvp command uses.
#pragma once
#include <cstdint>
#include <vector>

#include "hw/common/params.h"

namespace mmvp {

// Declares every parameter of the platform (cpu.*, mem.*, mmu.*, sim.*, timer.*, dma.*)
// and registers the presets.
void declare_platform_params(Params& p);
// A Params with every platform parameter declared and at its default.
const Params& platform_defaults();

struct E820Entry {
  std::uint64_t addr, size;
  std::uint32_t type;
};

// Physical address map (a PC's): RAM from 0 up to the MMIO hole below 4 GB, the rest
// of RAM remapped above 4 GB; the legacy area 0x9fc00-0xfffff reserved.
struct AddressMap {
  std::uint64_t low_ram_bytes = 0;   // RAM at [0, low_ram_bytes)
  std::uint64_t high_ram_bytes = 0;  // RAM at [4G, 4G + high_ram_bytes)
  std::uint64_t mmio_base = 0;       // MMIO window [mmio_base, 4G)
  static constexpr std::uint64_t kHighRamBase = 1ULL << 32;

  static AddressMap from_params(const Params& p);  // validates capacity vs MAXPHYADDR
  std::vector<E820Entry> e820() const;
  std::uint64_t top_of_ram() const {
    return high_ram_bytes ? kHighRamBase + high_ram_bytes : low_ram_bytes;
  }
};

}  // namespace mmvp
