// TLB miss counting for a sweep: the part of the MMU that user pages meet when
// `mmvp trace` replays a populated trace (no faults, no dirty re-walks: the populate
// pass has set every A and D bit), for one configuration (ReferenceHierarchy, with
// the platform's Tlb classes) or for many at once (OnePassHierarchy). User pages are
// 4 KB, or 2 MB under kernel.user_page_size=2m (every user page one size).
//
// Mmu::translate, for such a lookup: probe the L1 (DTLB for loads and stores, ITLB
// for fetches); on a miss probe the L2 STLB; on an STLB hit fill the L1; on an STLB
// miss walk, fill the STLB, then the L1. A page lives only in the array of its level
// that holds its size, so the other arrays never hit and never change; a level with
// no such array keeps the page as pieces of a smaller size it holds (Tlb::insert).
#pragma once
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "hw/mmu/mmu.h"
#include "hw/mmu/tlb.h"
#include "tb/sweep/all_assoc_lru.h"

namespace mmvp::sweep {

struct LevelCounts {
  std::uint64_t lookups = 0, hits = 0, misses = 0;
  bool operator==(const LevelCounts& o) const {
    return lookups == o.lookups && hits == o.hits && misses == o.misses;
  }
};

struct TlbCounts {
  LevelCounts dtlb, itlb, stlb;
  std::uint64_t walks = 0;
  bool operator==(const TlbCounts& o) const {
    return dtlb == o.dtlb && itlb == o.itlb && stlb == o.stlb && walks == o.walks;
  }
};

// The array of each level that holds the user page size (entries = 0 if none does);
// fractured: some level has no array of that size but one of a smaller size, which
// caches the pages in pieces (a stream the one-pass engine does not model).
struct UserTlbArrays {
  TlbArrayConfig dtlb, itlb, stlb;
  bool fractured = false;
};
UserTlbArrays user_tlb_arrays(const MmuConfig& cfg, PageSize user_pages = PageSize::size_4k);

// Per-configuration simulation with the platform's Tlb classes (every array of every
// level, as Mmu builds them).
class ReferenceHierarchy {
 public:
  explicit ReferenceHierarchy(const MmuConfig& cfg, PageSize user_pages = PageSize::size_4k);
  // A lookup of the 4 KB virtual page vpn (an access's piece, as the core splits them).
  void access(std::uint64_t vpn, bool fetch) {
    const LAddr la = vpn << 12;
    Tlb& l1 = fetch ? itlb_ : dtlb_;
    if (l1.lookup(la)) return;
    if (!stlb_.lookup(la)) {
      ++walks_;
      stlb_.insert(la, page(la));
    }
    l1.insert(la, page(la));
  }
  TlbCounts counts() const;

 private:
  Translation page(LAddr la) const {
    Translation t;
    t.size = size_;
    t.vpn = la >> page_shift(size_);
    t.pfn = t.vpn;
    t.writable = t.user = t.dirty = true;
    return t;
  }
  Tlb dtlb_, itlb_, stlb_;
  PageSize size_;
  std::uint64_t walks_ = 0;
};

// Many configurations in one pass, all of whose user-page arrays use LRU (or are
// absent) and none fractured; access() takes the virtual page number at that size:
// one all-associativity simulation for every DTLB geometry asked, one for every ITLB
// geometry, and, per distinct (DTLB, ITLB) pair, one for every STLB geometry asked
// with that pair, fed with that pair's L1 misses in program order.
class OnePassHierarchy {
 public:
  // Throws std::invalid_argument if a configuration is not eligible().
  explicit OnePassHierarchy(const std::vector<UserTlbArrays>& configs);
  static bool eligible(const UserTlbArrays& a);

  void access(std::uint64_t vpn, bool fetch) {
    if (fetch) {
      ++fetch_lookups_;
      itlb_.access(vpn);
      if (itlb_.last_hit_everywhere()) return;
      for (L1Pair& p : pairs_)
        if (!itlb_.last_hit(p.itlb)) p.stlb->access(vpn);
    } else {
      ++data_lookups_;
      dtlb_.access(vpn);
      if (dtlb_.last_hit_everywhere()) return;
      for (L1Pair& p : pairs_)
        if (!dtlb_.last_hit(p.dtlb)) p.stlb->access(vpn);
    }
  }
  TlbCounts counts(std::size_t config) const;
  std::size_t size() const { return configs_.size(); }

 private:
  struct L1Pair {
    std::size_t dtlb = 0, itlb = 0;
    std::unique_ptr<AllAssociativityLru> stlb;
  };
  struct Config {  // indices of a configuration's geometries
    std::size_t dtlb = 0, itlb = 0, pair = 0, stlb = 0;
  };
  struct Plan {
    std::vector<ArrayGeometry> dtlb, itlb;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // distinct (DTLB, ITLB)
    std::vector<std::vector<ArrayGeometry>> stlb;            // per pair
    std::vector<Config> configs;
  };
  static Plan plan_of(const std::vector<UserTlbArrays>& configs);
  explicit OnePassHierarchy(const Plan& p);
  AllAssociativityLru dtlb_, itlb_;
  std::vector<L1Pair> pairs_;
  std::vector<Config> configs_;
  std::uint64_t data_lookups_ = 0, fetch_lookups_ = 0;
};

}  // namespace mmvp::sweep
