// TLB arrays and levels: set-associative storage with LRU, tree-PLRU and random
// replacement, and the level logic (page-size arrays, fracturing, invalidation).
#include "hw/mmu/tlb.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

#include "hw/common/debug.h"

namespace mmvp {

namespace {
// Implementations other than "cpp", by name (register_tlb_array_impl).
std::mutex& impl_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, TlbArrayImplFactory>& impl_registry() {
  static std::map<std::string, TlbArrayImplFactory> r;
  return r;
}
}  // namespace

void register_tlb_array_impl(const std::string& name, TlbArrayImplFactory factory) {
  std::lock_guard<std::mutex> lock(impl_mutex());
  impl_registry()[name] = std::move(factory);
}

bool tlb_array_impl_registered(const std::string& name) {
  if (name == "cpp") return true;
  std::lock_guard<std::mutex> lock(impl_mutex());
  return impl_registry().count(name) != 0;
}

// ---------------------------------------------------------------------------------------
// TlbArray

std::string TlbArray::config_problem(const TlbArrayConfig& cfg, std::string* field) {
  auto fail = [&](const char* f, std::string msg) {
    if (field) *field = f;
    return msg;
  };
  if (cfg.entries == 0) return "";  // absent
  const std::string entries = std::to_string(cfg.entries) + " entries";
  unsigned ways = cfg.ways == 0 ? cfg.entries : cfg.ways;
  if (ways > cfg.entries)
    return fail("ways", entries + " cannot have " + std::to_string(ways) + " ways");
  if (cfg.entries % ways != 0) {
    return fail("ways", entries + " are not divisible by " + std::to_string(ways) + " ways");
  }
  unsigned sets = cfg.entries / ways;
  if (!is_pow2(sets)) {
    return fail("entries", entries + " in " + std::to_string(ways) + " ways make " +
                               std::to_string(sets) + " sets, not a power of two");
  }
  if (cfg.policy == Replacement::plru && !is_pow2(ways)) {
    return fail("policy", "tree-PLRU needs a power-of-two number of ways, not " +
                              std::to_string(ways) + " (use lru or random)");
  }
  if ((cfg.sizes & 0x7u) == 0 || (cfg.sizes & ~0x7u) != 0) {
    return fail("sizes", "page-size mask " + std::to_string(cfg.sizes) +
                             " must select some of 4K (1), 2M (2) and 1G (4)");
  }
  if (!tlb_array_impl_registered(cfg.impl)) {
    return fail("impl",
                "implementation '" + cfg.impl + "' is not available in this build" +
                    (cfg.impl == "rtl" ? " (it needs MMVP_BUILD_RTL=ON and Verilator)" : ""));
  }
  return "";
}

TlbArray::TlbArray(const TlbArrayConfig& cfg) : cfg_(cfg) {
  std::string problem = config_problem(cfg);
  if (!problem.empty()) throw ConfigError(cfg.name + ": " + problem);
  if (cfg.entries == 0) return;
  ways_ = cfg.ways == 0 ? cfg.entries : cfg.ways;
  sets_ = cfg.entries / ways_;
  set_mask_ = sets_ - 1;
  keys_.assign(cfg.entries, 0);
  entries_.assign(cfg.entries, Translation{});
  repl_ = ReplacementState(cfg.policy, cfg.entries, ways_, cfg.seed);
  if (cfg.impl != "cpp") {
    TlbArrayImplFactory factory;
    {
      std::lock_guard<std::mutex> lock(impl_mutex());
      factory = impl_registry().at(cfg.impl);
    }
    impl_ = factory(cfg);
  }
}

unsigned TlbArray::choose_victim(std::size_t base) {
  // Invalid ways are filled first, lowest index first, whatever the policy.
  for (unsigned w = 0; w < ways_; ++w)
    if (keys_[base + w] == 0) return w;
  return repl_.victim(base);
}

void TlbArray::drop(std::size_t slot) {
  keys_[slot] = 0;
  repl_.drop(slot);
  ++stats_.invalidations;
}

bool TlbArray::insert(const Translation& t, Translation* victim) {
  if (ways_ == 0) return false;
  if (impl_) return impl_->insert(t, victim);
  if (!holds(t.size)) {
    throw std::invalid_argument(cfg_.name + ": asked to hold a " + page_size_name(t.size) +
                                " page it is not configured for");
  }
  const std::uint64_t key = make_key(t.vpn, t.size) | (t.global ? global_tag_ : pcid_tag_);
  const std::size_t base = static_cast<std::size_t>(t.vpn & set_mask_) * ways_;
  ++stats_.fills;
  for (unsigned w = 0; w < ways_; ++w) {
    if (keys_[base + w] == key) {  // same page: update in place
      entries_[base + w] = t;
      repl_.touch(base, w);
      return false;
    }
  }
  unsigned w = choose_victim(base);
  bool evicted = keys_[base + w] != 0;
  if (evicted) {
    ++stats_.evictions;
    if (victim) *victim = entries_[base + w];
  }
  keys_[base + w] = key;
  entries_[base + w] = t;
  repl_.touch(base, w);
  return evicted;
}

void TlbArray::drop_tagged(LAddr la, std::uint64_t tag) {
  for (unsigned s = 0; s < kPageSizes; ++s) {
    auto size = static_cast<PageSize>(s);
    if (!holds(size)) continue;
    const std::uint64_t vpn = la >> page_shift(size);
    const std::uint64_t key = make_key(vpn, size) | tag;
    const std::size_t base = static_cast<std::size_t>(vpn & set_mask_) * ways_;
    for (unsigned w = 0; w < ways_; ++w)
      if (keys_[base + w] == key) drop(base + w);
  }
}

void TlbArray::invalidate(LAddr la) {
  if (ways_ == 0) return;
  if (impl_) return impl_->invalidate(la);
  drop_tagged(la, pcid_tag_);
  if (global_tag_ != pcid_tag_) drop_tagged(la, global_tag_);
}

void TlbArray::set_pcid(unsigned pcid, bool enabled) {
  if (impl_ && enabled)
    throw ConfigError(cfg_.name + ": PCIDs need the cpp TLB implementation (impl=" + cfg_.impl +
                      " has no PCID tags)");
  pcid_tag_ = enabled ? static_cast<std::uint64_t>(pcid & cr3::PCID_MASK) << kPcidShift : 0;
  global_tag_ = enabled ? kGlobalTag : 0;
}

void TlbArray::flush_pcid(unsigned pcid) {
  if (impl_) return impl_->flush(true);
  const std::uint64_t tag = static_cast<std::uint64_t>(pcid & cr3::PCID_MASK) << kPcidShift;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] != 0 && (keys_[i] & kTagMask) == tag) drop(i);
}

void TlbArray::invalidate_pcid(LAddr la, unsigned pcid) {
  if (ways_ == 0) return;
  if (impl_) return impl_->invalidate(la);
  drop_tagged(la, static_cast<std::uint64_t>(pcid & cr3::PCID_MASK) << kPcidShift);
}

void TlbArray::flush(bool keep_global) {
  if (impl_) return impl_->flush(keep_global);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == 0) continue;
    if (keep_global && entries_[i].global) continue;
    drop(i);
  }
}

void TlbArray::report(StatsReport& r, const std::string& prefix) const {
  if (impl_) return impl_->report(r, prefix);
  r.add(prefix + ".hits", stats_.hits, "lookups answered by this array");
  r.add(prefix + ".fills", stats_.fills, "translations inserted");
  r.add(prefix + ".evictions", stats_.evictions, "fills that displaced a valid entry");
  r.add(prefix + ".invalidations", stats_.invalidations, "entries dropped by INVLPG or flushes");
}

std::vector<TlbArray::WayState> TlbArray::set_state(unsigned set) const {
  if (impl_) return impl_->set_state(set);
  std::vector<WayState> out;
  if (set >= sets_) return out;
  const std::size_t base = static_cast<std::size_t>(set) * ways_;
  out.reserve(ways_);
  for (unsigned w = 0; w < ways_; ++w) {
    bool valid = keys_[base + w] != 0;
    out.push_back({valid, valid ? entries_[base + w] : Translation{}});
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Tlb

namespace {
unsigned smallest_size(const TlbArray& a) {
  for (unsigned s = 0; s < kPageSizes; ++s)
    if (a.holds(static_cast<PageSize>(s))) return s;
  return kPageSizes;
}
}  // namespace

Tlb::Tlb(std::string name, std::vector<TlbArrayConfig> arrays) : name_(std::move(name)) {
  for (const TlbArrayConfig& c : arrays)
    if (c.entries != 0) arrays_.emplace_back(c);
  // Probe order: the array holding 4K pages first, then 2M, then 1G.
  std::stable_sort(arrays_.begin(), arrays_.end(), [](const TlbArray& a, const TlbArray& b) {
    return smallest_size(a) < smallest_size(b);
  });
}

bool Tlb::insert(LAddr la, const Translation& t, Translation* victim) {
  if (debug::on(debug::Flag::Tlb)) {
    // The fill, and the entry it displaces (the caller's victim buffer or ours).
    Translation evicted;
    bool displaced = insert_quiet(la, t, &evicted);
    DPRINTF(Tlb, "mmu." + name_, "fill la {:#x} -> pa {:#x} ({}){}", la, t.physical(la),
            page_size_name(t.size),
            displaced
                ? fmt::format(", evicts vpn {:#x} ({})", evicted.vpn, page_size_name(evicted.size))
                : std::string());
    if (displaced && victim) *victim = evicted;
    return displaced;
  }
  return insert_quiet(la, t, victim);
}

bool Tlb::insert_quiet(LAddr la, const Translation& t, Translation* victim) {
  for (TlbArray& a : arrays_)
    if (a.holds(t.size)) return a.insert(t, victim);
  // No array holds this size: cache the part of the page that covers la as the largest
  // smaller page an array holds (SDM 4.10.2.3: a processor may use TLB entries for
  // smaller pages than the translation's page size).
  for (int s = static_cast<int>(t.size) - 1; s >= 0; --s) {
    auto size = static_cast<PageSize>(s);
    for (TlbArray& a : arrays_) {
      if (!a.holds(size)) continue;
      const unsigned ratio_shift = page_shift(t.size) - page_shift(size);
      Translation piece = t;
      piece.size = size;
      piece.vpn = la >> page_shift(size);
      piece.pfn = (t.pfn << ratio_shift) | (piece.vpn & ((1ULL << ratio_shift) - 1));
      return a.insert(piece, victim);
    }
  }
  return false;
}

void Tlb::invalidate(LAddr la) {
  DPRINTF(Tlb, "mmu." + name_, "invalidate la {:#x}", la);
  for (TlbArray& a : arrays_) a.invalidate(la);
}

void Tlb::flush(bool keep_global) {
  DPRINTF(Tlb, "mmu." + name_, "flush {}", keep_global ? "non-global entries" : "all entries");
  for (TlbArray& a : arrays_) a.flush(keep_global);
}

void Tlb::set_pcid(unsigned pcid, bool enabled) {
  for (TlbArray& a : arrays_) a.set_pcid(pcid, enabled);
}

void Tlb::flush_pcid(unsigned pcid) {
  DPRINTF(Tlb, "mmu." + name_, "flush the non-global entries of PCID {}", pcid);
  for (TlbArray& a : arrays_) a.flush_pcid(pcid);
}

void Tlb::invalidate_pcid(LAddr la, unsigned pcid) {
  for (TlbArray& a : arrays_) a.invalidate_pcid(la, pcid);
}

void Tlb::report(StatsReport& r, const std::string& prefix) const {
  r.add(prefix + ".lookups", stats_.lookups, name_ + " lookups");
  r.add(prefix + ".hits", stats_.hits, name_ + " hits");
  r.add(prefix + ".misses", stats_.misses, name_ + " misses");
  r.add_ratio(prefix + ".miss_rate", static_cast<double>(stats_.misses),
              static_cast<double>(stats_.lookups), name_ + " misses per lookup");
  for (const TlbArray& a : arrays_) a.report(r, prefix + "." + a.config().name);
}

}  // namespace mmvp
