// Value changes buffered until no producer can emit an older one, then handed out in
// time order (VcdWriter::flush_until).
//
// Producers emit nearly, not exactly, in time order: an access's end, a pulse's falling
// edge a cycle after its rise, a DRAM burst's end come before the changes in between,
// and many changes share one time. So changes are grouped by time as they arrive (a
// new time is looked up among the last few), and taking them out sorts the groups, not
// the changes: a counting sort by group, linear in the changes. Within one time only a
// signal's last value is visible, so a change at the same time as the signal's previous
// buffered change replaces it: a burst of accesses that takes no simulated time leaves
// one entry per signal. Lock-step flushes at every sync, a few dozen changes each; one
// full sort per flush was most of a waveform's cost.
#pragma once
#include <cstdint>
#include <vector>

#include "hw/common/types.h"

namespace mmvp {

class ChangeBuffer {
 public:
  struct Change {
    Picos t;
    std::uint64_t v;
    std::uint32_t s;  // the signal
  };

  // Signals are 0..signals-1.
  void resize(std::size_t signals) { last_.resize(signals, Slot{}); }

  void push(Picos t, std::uint64_t v, std::uint32_t s) {
    const std::uint32_t g = !groups_.empty() && groups_.back().t == t
                                ? static_cast<std::uint32_t>(groups_.size() - 1)
                                : group_for(t);
    Slot& slot = last_[s];
    if (slot.generation == generation_ && entries_[slot.index].group == g) {
      entries_[slot.index].v = v;  // the later value at the same time wins
      return;
    }
    slot.generation = generation_;
    slot.index = static_cast<std::uint32_t>(entries_.size());
    // Field by field: a braced temporary is built on the stack and reloaded as one
    // 16-byte load, a store-forwarding stall that cost most of push().
    Entry& e = entries_.emplace_back();
    e.v = v;
    e.s = s;
    e.group = g;
  }
  // Moves every change before t into `out` (cleared first), by time and, within one
  // time, in emission order; at most one entry per signal and group.
  void take_before(Picos t, std::vector<Change>& out);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t v;
    std::uint32_t s;
    std::uint32_t group;  // index into groups_
  };
  struct Group {
    Picos t;
  };
  struct Placement {      // take_before, per group
    std::uint32_t place;  // the count of its entries, then where the next goes in `out`
    std::uint32_t kept;   // its index after compaction, or kTaken
  };
  struct Slot {  // where a signal's last buffered change is
    std::uint64_t generation = UINT64_MAX;
    std::uint32_t index = 0;
  };
  static constexpr std::uint32_t kTaken = UINT32_MAX;
  std::uint32_t group_for(Picos t);
  // groups_ becomes the groups at or after t (placement_[g].kept: their new indices);
  // kept_groups_ the old list.
  void keep_groups_from(Picos t);

  std::vector<Entry> entries_;  // emission order
  std::vector<Group> groups_;   // creation order; two may share a time
  std::vector<Slot> last_;
  std::vector<Group> kept_groups_;    // take_before: scratch
  std::vector<Placement> placement_;  // take_before: scratch
  std::vector<std::uint32_t> order_;  // take_before: the groups taken, by time
  std::uint64_t generation_ = 0;      // bumped when entries_ is compacted
};

}  // namespace mmvp
