#include "tb/sweep/tlb_hierarchy.h"

#include <stdexcept>

namespace mmvp::sweep {
namespace {

// The level's array for pages of `size`; *fractured set if it has none but holds a
// smaller size (where Tlb::insert puts the pieces).
TlbArrayConfig array_holding(const std::vector<TlbArrayConfig>& level, PageSize size,
                             bool* fractured) {
  const unsigned bit = 1u << static_cast<unsigned>(size);
  for (const TlbArrayConfig& a : level)
    if (a.entries != 0 && (a.sizes & bit)) return a;
  for (const TlbArrayConfig& a : level)
    if (a.entries != 0 && (a.sizes & (bit - 1))) *fractured = true;
  return TlbArrayConfig{};
}

LevelCounts level_counts(const Tlb& t) {
  return {t.stats().lookups, t.stats().hits, t.stats().misses};
}

ArrayGeometry geometry_of(const TlbArrayConfig& a) {
  if (a.entries == 0) return {1, 0};
  const unsigned ways = a.ways == 0 ? a.entries : a.ways;
  return {a.entries / ways, ways};
}

// Index of g in list, appended if absent.
std::size_t intern(std::vector<ArrayGeometry>& list, const ArrayGeometry& g) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i] == g) return i;
  list.push_back(g);
  return list.size() - 1;
}

}  // namespace

OnePassHierarchy::Plan OnePassHierarchy::plan_of(const std::vector<UserTlbArrays>& configs) {
  Plan p;
  for (const UserTlbArrays& c : configs) {
    if (!eligible(c))
      throw std::invalid_argument(
          "one-pass simulation needs LRU arrays of the user page size at every level");
    Config x;
    x.dtlb = intern(p.dtlb, geometry_of(c.dtlb));
    x.itlb = intern(p.itlb, geometry_of(c.itlb));
    const std::pair<std::size_t, std::size_t> pair{x.dtlb, x.itlb};
    std::size_t i = 0;
    while (i < p.pairs.size() && p.pairs[i] != pair) ++i;
    if (i == p.pairs.size()) {
      p.pairs.push_back(pair);
      p.stlb.emplace_back();
    }
    x.pair = i;
    x.stlb = intern(p.stlb[i], geometry_of(c.stlb));
    p.configs.push_back(x);
  }
  return p;
}

UserTlbArrays user_tlb_arrays(const MmuConfig& cfg, PageSize user_pages) {
  UserTlbArrays a;
  a.dtlb = array_holding(cfg.dtlb, user_pages, &a.fractured);
  a.itlb = array_holding(cfg.itlb, user_pages, &a.fractured);
  a.stlb = array_holding(cfg.stlb, user_pages, &a.fractured);
  return a;
}

ReferenceHierarchy::ReferenceHierarchy(const MmuConfig& cfg, PageSize user_pages)
    : dtlb_("dtlb", cfg.dtlb),
      itlb_("itlb", cfg.itlb),
      stlb_("stlb", cfg.stlb),
      size_(user_pages) {}

TlbCounts ReferenceHierarchy::counts() const {
  TlbCounts c;
  c.dtlb = level_counts(dtlb_);
  c.itlb = level_counts(itlb_);
  c.stlb = level_counts(stlb_);
  c.walks = walks_;
  return c;
}

bool OnePassHierarchy::eligible(const UserTlbArrays& a) {
  if (a.fractured) return false;
  for (const TlbArrayConfig* t : {&a.dtlb, &a.itlb, &a.stlb})
    if (t->entries != 0 && t->policy != Replacement::lru) return false;
  return true;
}

OnePassHierarchy::OnePassHierarchy(const std::vector<UserTlbArrays>& configs)
    : OnePassHierarchy(plan_of(configs)) {}

OnePassHierarchy::OnePassHierarchy(const Plan& p)
    : dtlb_(p.dtlb), itlb_(p.itlb), configs_(p.configs) {
  for (std::size_t i = 0; i < p.pairs.size(); ++i) {
    L1Pair l1;
    l1.dtlb = p.pairs[i].first;
    l1.itlb = p.pairs[i].second;
    l1.stlb = std::make_unique<AllAssociativityLru>(p.stlb[i]);
    pairs_.push_back(std::move(l1));
  }
}

TlbCounts OnePassHierarchy::counts(std::size_t config) const {
  const Config& x = configs_.at(config);
  TlbCounts c;
  c.dtlb.lookups = data_lookups_;
  c.dtlb.hits = dtlb_.hits(x.dtlb);
  c.dtlb.misses = c.dtlb.lookups - c.dtlb.hits;
  c.itlb.lookups = fetch_lookups_;
  c.itlb.hits = itlb_.hits(x.itlb);
  c.itlb.misses = c.itlb.lookups - c.itlb.hits;
  const AllAssociativityLru& stlb = *pairs_[x.pair].stlb;
  c.stlb.lookups = stlb.accesses();
  c.stlb.hits = stlb.hits(x.stlb);
  c.stlb.misses = c.stlb.lookups - c.stlb.hits;
  c.walks = c.stlb.misses;
  return c;
}

}  // namespace mmvp::sweep
