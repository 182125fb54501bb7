// The RTL TLB's synthesised area (scripts/rtl-area's CSV) by array geometry, so a sweep
// row can carry the area of the array it sized next to its miss rate (docs/rtl.md).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "hw/mmu/mmu.h"

namespace mmvp::sweep {

struct AreaFigure {
  std::uint64_t cells = 0, flip_flops = 0;
};

class RtlAreaTable {
 public:
  // Reads an rtl-area CSV (entries,ways,policy,cells,flip_flops) for the array named
  // by its parameter prefix, e.g. "mmu.dtlb.l1_4k". Throws InputError ("PATH:LINE:
  // problem") for a bad file and ConfigError for an unknown array.
  static RtlAreaTable read(const std::string& path, const std::string& array);

  // The area of the array as configured in m, if the table has its geometry.
  std::optional<AreaFigure> lookup(const MmuConfig& m) const;

 private:
  std::string level_, name_;  // "dtlb", "l1_4k"
  std::map<std::tuple<unsigned, unsigned, std::string>, AreaFigure> by_geometry_;
};

}  // namespace mmvp::sweep
