// A TLB in two layers: TlbArray is one set-associative array (entries, ways,
// replacement) holding translations of one or more page sizes; Tlb is one level
// (L1 DTLB, L1 ITLB, L2 STLB) made of such arrays, one per page size as real parts
// have (SDM Vol. 3A 4.10.2). Pure C++: no SystemC, no timing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/common/replacement.h"
#include "hw/common/stats.h"
#include "hw/common/types.h"
#include "hw/mmu/paging.h"

namespace mmvp {

// What a TLB entry caches (SDM Vol. 3A 4.10.2.2): the frame and the access rights
// combined over every level of the walk.
struct Translation {
  std::uint64_t vpn = 0;  // linear address >> page_shift(size)
  std::uint64_t pfn = 0;  // physical address >> page_shift(size)
  PageSize size = PageSize::size_4k;
  bool writable = false;     // R/W set at every level
  bool user = false;         // U/S set at every level
  bool nx = false;           // XD set at some level (EFER.NXE = 1)
  bool dirty = false;        // D of the leaf entry
  bool global = false;       // G of the leaf entry (honoured only with CR4.PGE)
  std::uint8_t pcd_pwt = 0;  // bit 0 PWT, bit 1 PCD of the leaf

  // PCD: the page's memory type is UC (PAT not modelled: PWT alone is write-back).
  bool uncacheable() const { return (pcd_pwt & 2) != 0; }
  PAddr physical(LAddr la) const {
    return (pfn << page_shift(size)) | (la & (page_bytes(size) - 1));
  }
};

struct TlbArrayConfig {
  std::string name;      // e.g. "l1_4k"; used in errors and statistics
  unsigned entries = 0;  // 0: the array is absent
  unsigned ways = 0;     // 0 or == entries: fully associative
  Replacement policy = Replacement::lru;
  std::uint64_t seed = 1;  // random replacement
  std::uint8_t sizes = 1;  // bit i set: holds PageSize(i); e.g. 0b011 for a shared 4K/2M array
  // The implementation: "cpp" (this file) or one registered with
  // register_tlb_array_impl, e.g. "rtl" (the verilated hw/rtl/tlb.sv, docs/rtl.md).
  std::string impl = "cpp";
  Picos clock = 1000;  // clock period of an implementation that has one (the core's)
};

struct TlbArrayStats {
  std::uint64_t hits = 0;           // lookups this array answered
  std::uint64_t fills = 0;          // translations inserted
  std::uint64_t evictions = 0;      // fills that displaced a valid entry
  std::uint64_t invalidations = 0;  // entries dropped by INVLPG or flushes
};

// One way of a set, for co-simulation snapshots (invalid ways have valid == false).
struct TlbWayState {
  bool valid;
  Translation t;
};

class VcdWriter;

// Another implementation of one array with TlbArray's behaviour (the RTL twin), chosen
// by TlbArrayConfig::impl. TlbArray forwards every call to it.
class TlbArrayImpl {
 public:
  virtual ~TlbArrayImpl() = default;
  virtual const Translation* lookup(LAddr la, PageSize size) = 0;
  virtual bool insert(const Translation& t, Translation* victim) = 0;
  virtual void invalidate(LAddr la) = 0;
  virtual void flush(bool keep_global) = 0;
  virtual const TlbArrayStats& stats() const = 0;
  virtual void reset_stats() = 0;
  virtual void report(StatsReport& r, const std::string& prefix) const = 0;
  virtual std::vector<TlbWayState> set_state(unsigned set) const = 0;
  // Records the implementation's own signals as probes under `scope`, stamped with
  // now() (the caller's simulated time in picoseconds). Optional.
  virtual void attach_vcd(VcdWriter& /*vcd*/, const std::string& /*scope*/,
                          std::function<Picos()> /*now*/) {}
};

// Makes an implementation for a valid configuration; throws ConfigError if it cannot
// (e.g. no verilated variant of that size).
using TlbArrayImplFactory = std::function<std::unique_ptr<TlbArrayImpl>(const TlbArrayConfig& cfg)>;
// Registers (or replaces) the implementation `name`; "cpp" is built in.
void register_tlb_array_impl(const std::string& name, TlbArrayImplFactory factory);
bool tlb_array_impl_registered(const std::string& name);

class TlbArray {
 public:
  // Throws ConfigError naming the array if entries % ways != 0, the set count is not a
  // power of two, or tree-PLRU is asked for a non-power-of-two number of ways.
  explicit TlbArray(const TlbArrayConfig& cfg);

  // The problem with cfg, or "" if it is valid; *field (if given) receives the
  // TlbArrayConfig member at fault ("entries", "ways" or "policy"). The message does
  // not carry the array name, so callers can prefix their own (a parameter name).
  static std::string config_problem(const TlbArrayConfig& cfg, std::string* field = nullptr);

  const TlbArrayConfig& config() const { return cfg_; }
  unsigned sets() const { return sets_; }
  unsigned ways() const { return ways_; }
  bool holds(PageSize s) const { return (cfg_.sizes >> static_cast<unsigned>(s)) & 1u; }

  // Finds the entry for la as a page of `size`; updates replacement state on a hit.
  // Inline: the L1 4K probe is the hottest path of the simulator.
  __attribute__((always_inline)) const Translation* lookup(LAddr la, PageSize size) {
    if (impl_) return impl_->lookup(la, size);
    const std::uint64_t vpn = la >> page_shift(size);
    const std::uint64_t page_key = make_key(vpn, size);
    const std::size_t base = static_cast<std::size_t>(vpn & set_mask_) * ways_;
    // The current PCID's entry, then (only while PCIDs are on: the tags differ) a global
    // one, so that the common probe compares one key a way.
    if (const Translation* t = probe(base, page_key | pcid_tag_)) return t;
    if (global_tag_ != pcid_tag_) return probe(base, page_key | global_tag_);
    return nullptr;
  }
  // Inserts (replacing any entry for the same page); returns true and fills *victim if a
  // valid entry was evicted to make room.
  bool insert(const Translation& t, Translation* victim = nullptr);
  // INVLPG: drops every entry (any size held) that maps la for the current PCID, and
  // global ones (SDM 4.10.4.1).
  void invalidate(LAddr la);
  // CR3 write without PCIDs (keep_global) or full flush; with keep_global every PCID's
  // non-global entries go (INVPCID type 3).
  void flush(bool keep_global);
  // Process-context identifiers (SDM 4.10.1): while enabled (CR4.PCIDE), entries filled
  // from now on are tagged with pcid (global ones with no PCID) and lookups match the
  // current PCID's entries and global ones. Throws ConfigError for an implementation
  // other than "cpp" (the RTL array has no PCID tags).
  void set_pcid(unsigned pcid, bool enabled);
  // The non-global entries of one PCID (MOV to CR3 without bit 63, INVPCID type 1),
  // or only those mapping la (INVPCID type 0).
  void flush_pcid(unsigned pcid);
  void invalidate_pcid(LAddr la, unsigned pcid);

  const TlbArrayStats& stats() const { return impl_ ? impl_->stats() : stats_; }
  void reset_stats() {
    if (impl_) impl_->reset_stats();
    stats_ = TlbArrayStats{};
  }
  void report(StatsReport& r, const std::string& prefix) const;
  // Snapshot of a set, way by way; for co-simulation.
  using WayState = TlbWayState;
  std::vector<WayState> set_state(unsigned set) const;
  // See TlbArrayImpl::attach_vcd; the C++ implementation has no signals of its own.
  void attach_vcd(VcdWriter& vcd, const std::string& scope, std::function<Picos()> now) {
    if (impl_) impl_->attach_vcd(vcd, scope, std::move(now));
  }

 private:
  // Tag of a valid entry: (vpn << 3) | (size << 1) | 1, with PCIDs on also the PCID in
  // bits 63:52 or kGlobalTag for a global entry; 0 marks an invalid way. One contiguous
  // array of keys, set-major, so a probe scans `ways_` adjacent words.
  static std::uint64_t make_key(std::uint64_t vpn, PageSize size) {
    return (vpn << 3) | (static_cast<std::uint64_t>(size) << 1) | 1u;
  }
  static constexpr unsigned kPcidShift = 52;
  static constexpr std::uint64_t kGlobalTag = 1ULL << 51;
  static constexpr std::uint64_t kTagMask = ~((1ULL << 51) - 1);  // PCID and global bits
  // Drops the entries for la's page whose key is the page key with tag.
  void drop_tagged(LAddr la, std::uint64_t tag);
  __attribute__((always_inline)) const Translation* probe(std::size_t base, std::uint64_t key) {
    const std::uint64_t* keys = keys_.data() + base;
    for (unsigned w = 0; w < ways_; ++w) {
      if (keys[w] == key) {
        repl_.touch(base, w);
        ++stats_.hits;
        return &entries_[base + w];
      }
    }
    return nullptr;
  }
  unsigned choose_victim(std::size_t base);
  void drop(std::size_t slot);

  TlbArrayConfig cfg_;
  unsigned sets_ = 0, ways_ = 0;
  std::uint64_t set_mask_ = 0;
  std::vector<std::uint64_t> keys_;   // sets_ * ways_ tags
  std::vector<Translation> entries_;  // sets_ * ways_ payloads, same layout
  ReplacementState repl_;
  TlbArrayStats stats_;
  std::uint64_t pcid_tag_ = 0, global_tag_ = 0;  // both 0 while PCIDs are off
  std::shared_ptr<TlbArrayImpl> impl_;           // another implementation (impl != "cpp"), or null
};

struct TlbStats {
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

// One TLB level. Lookup probes every array for every page size it holds. A
// translation of a size no array holds is split into the largest smaller size an
// array holds (SDM 4.10.2.3 lets a processor cache a large page as smaller pages).
class Tlb {
 public:
  Tlb(std::string name, std::vector<TlbArrayConfig> arrays);
  const std::string& name() const { return name_; }
  bool present() const { return !arrays_.empty(); }

  // Probes every array for every page size it holds, 4K first. Inline (hot path).
  __attribute__((always_inline)) const Translation* lookup(LAddr la) {
    ++stats_.lookups;
    for (TlbArray& a : arrays_) {
      for (unsigned s = 0; s < kPageSizes; ++s) {
        if (!a.holds(static_cast<PageSize>(s))) continue;
        if (const Translation* t = a.lookup(la, static_cast<PageSize>(s))) {
          ++stats_.hits;
          return t;
        }
      }
    }
    ++stats_.misses;
    return nullptr;
  }
  // Inserts t (which maps la) into the array holding its size, fracturing it into the
  // largest smaller size held if none does; a no-op if no array can hold it.
  bool insert(LAddr la, const Translation& t, Translation* victim = nullptr);
  void invalidate(LAddr la);
  void flush(bool keep_global);
  // TlbArray's PCID operations on every array.
  void set_pcid(unsigned pcid, bool enabled);
  void flush_pcid(unsigned pcid);
  void invalidate_pcid(LAddr la, unsigned pcid);

  const TlbStats& stats() const { return stats_; }
  void reset_stats() {
    stats_ = TlbStats{};
    for (auto& a : arrays_) a.reset_stats();
  }
  const std::vector<TlbArray>& arrays() const { return arrays_; }
  // Probes of arrays with signals of their own, under scope + "." + array name.
  void attach_vcd(VcdWriter& vcd, const std::string& scope, const std::function<Picos()>& now) {
    for (auto& a : arrays_) a.attach_vcd(vcd, scope + "." + a.config().name, now);
  }
  void report(StatsReport& r, const std::string& prefix) const;

 private:
  bool insert_quiet(LAddr la, const Translation& t, Translation* victim);
  std::string name_;
  std::vector<TlbArray> arrays_;
  TlbStats stats_;
};

}  // namespace mmvp
