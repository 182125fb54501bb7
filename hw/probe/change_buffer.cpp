#include "hw/probe/change_buffer.h"

#include <algorithm>

namespace mmvp {

std::uint32_t ChangeBuffer::group_for(Picos t) {
  // The time's group among the last few (a producer ahead of the rest comes back to
  // times it used a moment ago), or a new one.
  const std::size_t n = groups_.size();
  for (std::size_t back = 1; back <= 8 && back <= n; ++back)
    if (groups_[n - back].t == t) return static_cast<std::uint32_t>(n - back);
  groups_.push_back({t});
  return static_cast<std::uint32_t>(n);
}

void ChangeBuffer::keep_groups_from(Picos t) {
  kept_groups_.clear();
  for (std::uint32_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].t < t) continue;
    placement_[g].kept = static_cast<std::uint32_t>(kept_groups_.size());
    kept_groups_.push_back(groups_[g]);
  }
  groups_.swap(kept_groups_);
}

void ChangeBuffer::take_before(Picos t, std::vector<Change>& out) {
  out.clear();
  order_.clear();
  for (std::uint32_t g = 0; g < groups_.size(); ++g)
    if (groups_[g].t < t) order_.push_back(g);
  if (order_.empty()) return;
  // The groups taken, by time; creation order within one time keeps emission order.
  std::stable_sort(order_.begin(), order_.end(), [this](std::uint32_t a, std::uint32_t b) {
    return groups_[a].t < groups_[b].t;
  });
  placement_.assign(groups_.size(), Placement{0, 0});
  for (const Entry& e : entries_) ++placement_[e.group].place;
  // Places in `out` for the groups taken (a counting sort); new indices for the rest.
  std::uint32_t place = 0;
  for (const std::uint32_t g : order_) {
    const std::uint32_t count = placement_[g].place;
    placement_[g] = {place, kTaken};
    place += count;
  }
  keep_groups_from(t);  // kept_groups_ now holds the old groups, for their times
  out.resize(place);
  // One pass in emission order: the entries taken go to their group's places, the rest
  // are compacted in order (so a signal's last entry is still its last).
  ++generation_;
  std::size_t kept = 0;
  for (const Entry& e : entries_) {
    Placement& p = placement_[e.group];
    if (p.kept == kTaken) {
      out[p.place++] = {kept_groups_[e.group].t, e.v, e.s};
      continue;
    }
    last_[e.s] = {generation_, static_cast<std::uint32_t>(kept)};
    entries_[kept++] = {e.v, e.s, p.kept};
  }
  entries_.resize(kept);
}

}  // namespace mmvp
