// The MMU: L1 data and instruction TLBs, a shared L2 TLB, optional page-walk caches
// and the hardware page walker for 4-level (and optionally 5-level) paging.
// Pure C++; the page walker reaches memory through PhysMemPort, which the CPU core's
// SystemC shell implements with TLM transactions, so walks cost DRAM time.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/mmu/paging.h"
#include "hw/mmu/tlb.h"

namespace mmvp {

// Where the page walker reads and writes paging-structure entries. Returns false on a
// bus error (no memory at that physical address).
class PhysMemPort {
 public:
  virtual ~PhysMemPort() = default;
  virtual bool read_pte(PAddr pa, std::uint64_t& value, Picos& latency) = 0;
  // Locked update of an entry (A/D bits, SDM 4.8).
  virtual bool write_pte(PAddr pa, std::uint64_t value, Picos& latency) = 0;
};

// Optional observer for probes/waveforms; all calls carry the MMU-local time offset
// (picoseconds since the start of this translate() call).
class MmuObserver {
 public:
  virtual ~MmuObserver() = default;
  enum class TlbLevel { l1d, l1i, l2 };
  virtual void tlb_result(TlbLevel level, bool hit, Picos offset) = 0;
  // level 4 (PML4) .. 1 (PT), or 5 with LA57; 0 when the walk ends.
  virtual void walk_level(unsigned level, Picos offset) = 0;
};

class PageWalker;

// The TLB maintenance that control-register writes ask of the MMU (X86Arch calls it).
class TlbMaintenance {
 public:
  virtual ~TlbMaintenance() = default;
  virtual void flush_all() = 0;         // every entry, global ones included
  virtual void flush_non_global() = 0;  // MOV to CR3 with CR4.PGE = 1 (every PCID's)
  // The current PCID (CR3[11:0]) while CR4.PCIDE = 1; enabled false when PCIDs go off.
  virtual void set_pcid(unsigned pcid, bool enabled) = 0;
  // The non-global entries of one PCID (MOV to CR3 without bit 63, INVPCID type 1).
  virtual void flush_pcid(unsigned pcid) = 0;
  // The non-global entries of one PCID for one page (INVPCID type 0).
  virtual void invalidate_pcid(LAddr la, unsigned pcid) = 0;
  // PAE paging's PDPTE registers from the table at cr3 (SDM 4.4.1); false if a present
  // PDPTE has a reserved bit set (the MOV that asked raises #GP).
  virtual bool load_pdptes(std::uint64_t cr3) = 0;
};

enum class FaultKind : std::uint8_t { none, page_fault, general_protection, bus_error };

struct TranslateResult {
  FaultKind fault = FaultKind::none;
  std::uint32_t error_code = 0;  // #PF error code (SDM Figure 4-12); 0 for #GP
  PAddr pa = 0;
  Picos latency = 0;         // translation time: TLB hit latency or the walk
  bool uncacheable = false;  // the leaf has PCD set: the access bypasses the caches (UC)
  PAddr bus_error_pa = 0;    // for bus_error: the paging-structure address that failed
};

// Sizes of the paging-structure caches (SDM 4.10.3.1); defaults in declare_mmu_params.
struct PageWalkCacheConfig {
  bool enabled = false;
  unsigned pml4e_entries = 0;  // caches PML4 entries
  unsigned pdpte_entries = 0;
  unsigned pde_entries = 0;
};

// The MMU's configuration. Every value comes from a parameter (declare_mmu_params is
// the one place defaults are written; defaults() reads them back).
struct MmuConfig {
  std::vector<TlbArrayConfig> dtlb, itlb, stlb;
  PageWalkCacheConfig pwc;
  unsigned maxphyaddr = 0;        // mem.maxphyaddr
  bool la57_supported = false;    // cpu.la57: 5-level paging available
  Picos cycle = 0;                // core clock period (core_cycle_picos)
  unsigned l1_hit_cycles = 0;     // extra cycles on an L1 TLB hit (overlapped with cache)
  unsigned l2_hit_cycles = 0;     // extra cycles on an L2 TLB hit
  unsigned walk_step_cycles = 0;  // walker overhead per paging-structure level

  // Reads mmu.*, mem.maxphyaddr and cpu.*; throws ConfigError naming the offending
  // parameter.
  static MmuConfig from_params(const Params& p);
  static MmuConfig defaults();  // from_params of the declared defaults
};

struct MmuStats {
  std::uint64_t translations[3] = {0, 0, 0};  // by AccessKind
  std::uint64_t walks = 0;
  std::uint64_t walk_picos = 0;
  std::uint64_t translate_picos = 0;
  std::uint64_t pte_reads = 0;
  std::uint64_t pte_writes = 0;   // A/D updates
  std::uint64_t dirty_walks = 0;  // writes hitting a TLB entry with D clear
  std::uint64_t page_faults = 0;
  std::uint64_t gp_faults = 0;  // non-canonical
  std::uint64_t pwc_hits = 0;
  std::uint64_t pwc_lookups = 0;
  std::uint64_t invlpg = 0;
  std::uint64_t flushes_non_global = 0;
  std::uint64_t flushes_all = 0;
  std::uint64_t flushes_pcid = 0;   // one PCID's non-global entries
  std::uint64_t pcid_switches = 0;  // CR3 writes that changed the current PCID
};

class Mmu : public TlbMaintenance {
 public:
  Mmu(const MmuConfig& cfg, PhysMemPort& mem);
  ~Mmu() override;
  Mmu(const Mmu&) = delete;
  Mmu& operator=(const Mmu&) = delete;

  // Translates la for an access of kind k under ctx; on a fault, invalidates the TLB
  // entries for la (SDM 4.10.4.1) and reports the fault. With CR0.PG = 0 the
  // translation is the identity.
  // The allowed L1 hit is inline: it is the hottest path of a trace replay.
  __attribute__((always_inline)) TranslateResult translate(LAddr la, AccessKind k,
                                                           const PagingContext& ctx) {
    ++stats_.translations[static_cast<unsigned>(k)];
    const bool fetch = k == AccessKind::fetch;
    if (ctx.paging() && is_canonical(la, ctx.la57() && cfg_.la57_supported) && !observer_) {
      const Translation* t = (fetch ? itlb_ : dtlb_).lookup(la);
      // TLB entries cache the rights combined over the walk (SDM 4.10.2.2), so a hit is
      // checked as a walk would be; a write to an entry with D clear re-walks.
      if (t && hit_allowed(*t, k, ctx)) {
        TranslateResult res;
        res.pa = t->physical(la);
        res.uncacheable = t->uncacheable();
        res.latency = l1_hit_latency_;
        stats_.translate_picos += res.latency;
        return res;
      }
      return translate_slow(la, k, ctx, t, true);
    }
    return translate_slow(la, k, ctx, nullptr, false);
  }

  void invlpg(LAddr la);             // INVLPG (SDM 4.10.4.1)
  void flush_non_global() override;  // MOV to CR3 with CR4.PGE = 1
  // MOV to CR3 with PGE = 0, CR4.PGE/PAE/SMEP/LA57 changes, CR0.PG/WP changes
  void flush_all() override;
  // The paging-structure caches are not PCID-tagged: a PCID change empties them (the
  // SDM lets a processor invalidate more than it must).
  void set_pcid(unsigned pcid, bool enabled) override;
  void flush_pcid(unsigned pcid) override;
  void invalidate_pcid(LAddr la, unsigned pcid) override;
  bool load_pdptes(std::uint64_t cr3) override;

  void set_observer(MmuObserver* o) { observer_ = o; }
  // Probes of TLB arrays with signals of their own (impl = rtl), under
  // scope + ".dtlb.l1_4k" etc.; now() is the caller's simulated time.
  void attach_vcd(VcdWriter& vcd, const std::string& scope, const std::function<Picos()>& now) {
    dtlb_.attach_vcd(vcd, scope + ".dtlb", now);
    itlb_.attach_vcd(vcd, scope + ".itlb", now);
    stlb_.attach_vcd(vcd, scope + ".stlb", now);
  }

  const MmuConfig& config() const { return cfg_; }
  const MmuStats& stats() const { return stats_; }
  // Zeroes the MMU's and every TLB's statistics (not their contents).
  void reset_stats();
  const Tlb& dtlb() const { return dtlb_; }
  const Tlb& itlb() const { return itlb_; }
  const Tlb& stlb() const { return stlb_; }
  void report(StatsReport& r, const std::string& prefix) const;

 private:
  __attribute__((always_inline)) static bool hit_allowed(const Translation& t, AccessKind k,
                                                         const PagingContext& ctx) {
    return access_fault({t.writable, t.user, t.nx}, k, ctx) == 0 &&
           (k != AccessKind::write || t.dirty);
  }
  // Everything but an allowed L1 hit: paging off, #GP, L2 lookup, checks, dirty
  // re-walks and walks. l1_looked_up: the L1 TLB was already probed (result l1_hit).
  TranslateResult translate_slow(LAddr la, AccessKind k, const PagingContext& ctx,
                                 const Translation* l1_hit, bool l1_looked_up);
  // Records a #PF for la in res and drops the translations for la (SDM 4.10.4.1).
  void raise_page_fault(LAddr la, std::uint32_t code, Picos latency, TranslateResult& res);

  MmuConfig cfg_;
  MmuStats stats_;
  Tlb dtlb_, itlb_, stlb_;
  std::unique_ptr<PageWalker> walker_;
  Picos l1_hit_latency_ = 0;
  MmuObserver* observer_ = nullptr;
  unsigned pcid_ = 0;
  bool pcid_enabled_ = false;
};

// Declares every mmu.* parameter and registers the mmu.* values of the "skylake" and
// "tiny" presets (merged into presets of those names other blocks register).
void declare_mmu_params(Params& p);

}  // namespace mmvp
