// All-associativity LRU simulation (Mattson et al. 1970 stack distances, per set as in
// Hill & Smith 1989): one pass over a reference stream gives the exact hit count of
// every set-associative LRU array in a list of geometries.
//
// For a set count S, the references of one set form their own LRU stack; a reference
// at depth d of its set's stack (d distinct other pages of that set referenced since
// its last use) hits in every S-set LRU array of more than d ways and misses in the
// others (the inclusion property of LRU). So one stack per set count serves every
// way count: the stacks are kept only as deep as the largest way count asked for that
// set count, which is exactly the content of that array, and a histogram of depths
// gives every hit count at the end.
//
// An array starts empty (the TLB flush before the measured phase) and fills invalid
// ways first, as TlbArray does; LRU with a filled invalid way is still LRU.
#pragma once
#include <cstdint>
#include <vector>

namespace mmvp::sweep {

struct ArrayGeometry {
  unsigned sets = 1;  // a power of two
  unsigned ways = 0;  // 0: the array is absent (every lookup misses, nothing is kept)
  bool operator==(const ArrayGeometry& o) const { return sets == o.sets && ways == o.ways; }
};

class AllAssociativityLru {
 public:
  // Throws std::invalid_argument for a set count that is not a power of two.
  explicit AllAssociativityLru(const std::vector<ArrayGeometry>& geometries);

  // One reference to page (any 64-bit key; the set is its low bits). A reference to
  // the page referenced last is at depth 0 of every stack and changes none of them:
  // it is only counted (the common case: consecutive accesses to one page).
  void access(std::uint64_t page) {
    ++accesses_;
    repeated_ = accesses_ > 1 && page == last_page_;
    if (repeated_) {
      ++repeats_;
      return;
    }
    last_page_ = page;
    for (Group& g : groups_) g.last_depth = g.reference(page);
  }
  // Whether the last access hit in geometry i.
  bool last_hit(std::size_t i) const {
    const Geometry& x = geometries_[i];
    return x.ways != 0 && (repeated_ || groups_[x.group].last_depth < x.ways);
  }
  // Whether the last access hit in every geometry.
  bool last_hit_everywhere() const { return repeated_ && !has_absent_; }
  std::uint64_t accesses() const { return accesses_; }
  std::uint64_t hits(std::size_t i) const;
  std::uint64_t misses(std::size_t i) const { return accesses_ - hits(i); }
  std::size_t size() const { return geometries_.size(); }

 private:
  // Every geometry of one set count: per set an LRU stack, most recent first.
  struct Group {
    unsigned sets = 1, depth = 0;
    std::uint64_t set_mask = 0;
    std::vector<std::uint64_t> stacks;           // sets * depth pages
    std::vector<unsigned> fill;                  // pages held per set
    std::vector<std::uint64_t> depth_histogram;  // [d]: hits at depth d; [depth]: misses
    unsigned last_depth = 0;

    // Moves page to the top of its set's stack; returns its former depth, or `depth`
    // if it was not held.
    unsigned reference(std::uint64_t page) {
      const std::size_t set = static_cast<std::size_t>(page & set_mask);
      std::uint64_t* s = stacks.data() + set * depth;
      const unsigned n = fill[set];
      unsigned d = 0;
      while (d < n && s[d] != page) ++d;
      unsigned moved = d;
      if (d == n) {  // not held: push, dropping the bottom page when the stack is full
        if (n < depth)
          ++fill[set];
        else
          --moved;
      }
      for (unsigned i = moved; i > 0; --i) s[i] = s[i - 1];
      s[0] = page;
      ++depth_histogram[d == n ? depth : d];
      return d == n ? depth : d;
    }
  };
  struct Geometry {
    unsigned ways = 0;
    std::size_t group = 0;
  };
  std::vector<Group> groups_;
  std::vector<Geometry> geometries_;
  std::uint64_t accesses_ = 0;
  std::uint64_t repeats_ = 0;  // references to the page referenced just before
  std::uint64_t last_page_ = 0;
  bool repeated_ = false;
  bool has_absent_ = false;  // some geometry has no ways
};

}  // namespace mmvp::sweep
