#include "tb/sweep/all_assoc_lru.h"

#include <stdexcept>
#include <string>

namespace mmvp::sweep {

AllAssociativityLru::AllAssociativityLru(const std::vector<ArrayGeometry>& geometries) {
  for (const ArrayGeometry& a : geometries) {
    Geometry g;
    g.ways = a.ways;
    if (a.ways != 0) {
      if (a.sets == 0 || (a.sets & (a.sets - 1)) != 0)
        throw std::invalid_argument(std::to_string(a.sets) + " sets is not a power of two");
      std::size_t i = 0;
      while (i < groups_.size() && groups_[i].sets != a.sets) ++i;
      if (i == groups_.size()) {
        groups_.emplace_back();
        groups_.back().sets = a.sets;
        groups_.back().set_mask = a.sets - 1;
      }
      if (groups_[i].depth < a.ways) groups_[i].depth = a.ways;
      g.group = i;
    }
    has_absent_ = has_absent_ || a.ways == 0;
    geometries_.push_back(g);
  }
  for (Group& g : groups_) {
    g.stacks.assign(static_cast<std::size_t>(g.sets) * g.depth, 0);
    g.fill.assign(g.sets, 0);
    g.depth_histogram.assign(g.depth + 1, 0);
  }
}

std::uint64_t AllAssociativityLru::hits(std::size_t i) const {
  const Geometry& x = geometries_.at(i);
  if (x.ways == 0) return 0;
  const Group& g = groups_[x.group];
  std::uint64_t h = repeats_;
  for (unsigned d = 0; d < x.ways; ++d) h += g.depth_histogram[d];
  return h;
}

}  // namespace mmvp::sweep
