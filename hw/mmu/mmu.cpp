// The MMU: L1 DTLB/ITLB -> L2 STLB -> page walk, with access-rights checks on TLB hits,
// dirty re-walks and the invalidation rules of SDM Vol. 3A 4.10.4.
#include "hw/mmu/mmu.h"

#include "hw/common/debug.h"
#include "hw/mmu/page_walker.h"

namespace mmvp {

Mmu::Mmu(const MmuConfig& cfg, PhysMemPort& mem)
    : cfg_(cfg),
      dtlb_("dtlb", cfg.dtlb),
      itlb_("itlb", cfg.itlb),
      stlb_("stlb", cfg.stlb),
      walker_(std::make_unique<PageWalker>(cfg_, mem, stats_)),
      l1_hit_latency_(static_cast<Picos>(cfg.l1_hit_cycles) * cfg.cycle) {}

Mmu::~Mmu() = default;

namespace {
AccessRights rights_of(const Translation& t) {
  return {t.writable, t.user, t.nx};
}
}  // namespace

// Mmu::translate (inline in mmu.h) handles the allowed L1 hit without an observer;
// everything else comes here.
TranslateResult Mmu::translate_slow(LAddr la, AccessKind k, const PagingContext& ctx,
                                    const Translation* l1_hit, bool l1_looked_up) {
  // Outside IA-32e mode linear addresses have 32 bits: a wider one (which no TLB entry
  // can match) is a #GP, as a segment-limit violation would be on real hardware.
  if (ctx.paging() && !ctx.ia32e() && (la >> 32) != 0) {
    TranslateResult res;
    res.fault = FaultKind::general_protection;
    ++stats_.gp_faults;
    return res;
  }
  if (!l1_looked_up) {
    if (!ctx.paging()) {  // CR0.PG = 0: linear addresses are physical addresses
      TranslateResult res;
      res.pa = la;
      return res;
    }
    // SDM 3.3.7.1 / 4.5: a non-canonical address raises #GP(0), not #PF; no walk.
    if (!is_canonical(la, ctx.la57() && cfg_.la57_supported)) {
      TranslateResult res;
      res.fault = FaultKind::general_protection;
      ++stats_.gp_faults;
      return res;
    }
    const bool fetch = k == AccessKind::fetch;
    l1_hit = (fetch ? itlb_ : dtlb_).lookup(la);
    if (observer_) {
      observer_->tlb_result(fetch ? MmuObserver::TlbLevel::l1i : MmuObserver::TlbLevel::l1d,
                            l1_hit != nullptr, 0);
    }
    if (l1_hit && hit_allowed(*l1_hit, k, ctx)) {
      TranslateResult res;
      res.pa = l1_hit->physical(la);
      res.uncacheable = l1_hit->uncacheable();
      res.latency = l1_hit_latency_;
      stats_.translate_picos += res.latency;
      return res;
    }
  }
  TranslateResult res;
  Tlb& l1 = k == AccessKind::fetch ? itlb_ : dtlb_;
  const Translation* cached = l1_hit;
  Picos latency = static_cast<Picos>(cfg_.l1_hit_cycles) * cfg_.cycle;
  if (!cached) {
    DPRINTF(Tlb, "mmu." + l1.name(), "miss la {:#x}", la);
    latency = static_cast<Picos>(cfg_.l2_hit_cycles) * cfg_.cycle;
    cached = stlb_.lookup(la);
    if (observer_) observer_->tlb_result(MmuObserver::TlbLevel::l2, cached != nullptr, latency);
    if (!cached) DPRINTF(Tlb, "mmu.stlb", "miss la {:#x}", la);
  }
  if (cached) {
    const std::uint32_t code = access_fault(rights_of(*cached), k, ctx);
    // An allowed L1 hit never gets here, so this is an L2 hit: fill the L1.
    if (code == 0 && (k != AccessKind::write || cached->dirty)) {
      res.pa = cached->physical(la);
      res.uncacheable = cached->uncacheable();
      const Translation copy = *cached;
      l1.insert(la, copy);
      res.latency = latency;
      stats_.translate_picos += latency;
      return res;
    }
    if (code != 0) {
      raise_page_fault(la, code, latency, res);
      return res;
    }
    // A write through an entry cached with D = 0: the processor walks again to set the
    // dirty flag in memory (SDM 4.8).
    ++stats_.dirty_walks;
  }

  WalkResult w = walker_->walk(la, k, ctx, observer_, latency);
  ++stats_.walks;
  stats_.walk_picos += w.latency;
  latency += w.latency;
  if (w.fault == FaultKind::page_fault) {
    raise_page_fault(la, w.error_code, latency, res);
    return res;
  }
  if (w.fault == FaultKind::bus_error) {
    res.fault = FaultKind::bus_error;
    res.bus_error_pa = w.bus_error_pa;
  } else {
    stlb_.insert(la, w.translation);
    l1.insert(la, w.translation);
    res.pa = w.translation.physical(la);
    res.uncacheable = w.translation.uncacheable();
  }
  res.latency = latency;
  stats_.translate_picos += latency;
  return res;
}

void Mmu::raise_page_fault(LAddr la, std::uint32_t code, Picos latency, TranslateResult& res) {
  // SDM 4.10.4.1: a page-fault exception invalidates the TLB entries and the
  // paging-structure-cache entries that would be used for the faulting address.
  dtlb_.invalidate(la);
  itlb_.invalidate(la);
  stlb_.invalidate(la);
  walker_->invalidate(la);
  ++stats_.page_faults;
  res.fault = FaultKind::page_fault;
  res.error_code = code;
  res.latency = latency;
  stats_.translate_picos += latency;
}

void Mmu::invlpg(LAddr la) {
  ++stats_.invlpg;
  dtlb_.invalidate(la);
  itlb_.invalidate(la);
  stlb_.invalidate(la);
  // SDM 4.10.4.1: INVLPG also invalidates all paging-structure-cache entries (for the
  // current PCID), whatever linear addresses they correspond to.
  walker_->flush();
}

void Mmu::flush_non_global() {
  ++stats_.flushes_non_global;
  dtlb_.flush(true);
  itlb_.flush(true);
  stlb_.flush(true);
  walker_->flush();  // paging-structure caches never hold global entries
}

void Mmu::flush_all() {
  ++stats_.flushes_all;
  dtlb_.flush(false);
  itlb_.flush(false);
  stlb_.flush(false);
  walker_->flush();
}

void Mmu::set_pcid(unsigned pcid, bool enabled) {
  if (pcid == pcid_ && enabled == pcid_enabled_) return;
  if (enabled && pcid_enabled_) ++stats_.pcid_switches;
  pcid_ = pcid;
  pcid_enabled_ = enabled;
  dtlb_.set_pcid(pcid, enabled);
  itlb_.set_pcid(pcid, enabled);
  stlb_.set_pcid(pcid, enabled);
  walker_->flush();
}

void Mmu::flush_pcid(unsigned pcid) {
  ++stats_.flushes_pcid;
  dtlb_.flush_pcid(pcid);
  itlb_.flush_pcid(pcid);
  stlb_.flush_pcid(pcid);
  walker_->flush();
}

void Mmu::invalidate_pcid(LAddr la, unsigned pcid) {
  dtlb_.invalidate_pcid(la, pcid);
  itlb_.invalidate_pcid(la, pcid);
  stlb_.invalidate_pcid(la, pcid);
  walker_->flush();
}

bool Mmu::load_pdptes(std::uint64_t cr3) {
  return walker_->load_pdptes(cr3);
}

void Mmu::reset_stats() {
  stats_ = MmuStats{};
  dtlb_.reset_stats();
  itlb_.reset_stats();
  stlb_.reset_stats();
}

void Mmu::report(StatsReport& r, const std::string& prefix) const {
  const double cycle = static_cast<double>(cfg_.cycle == 0 ? 1 : cfg_.cycle);
  const std::uint64_t total =
      stats_.translations[0] + stats_.translations[1] + stats_.translations[2];
  r.add(prefix + ".translations", total, "translations requested");
  r.add(prefix + ".translations_read", stats_.translations[0], "translations for data reads");
  r.add(prefix + ".translations_write", stats_.translations[1], "translations for data writes");
  r.add(prefix + ".translations_fetch", stats_.translations[2],
        "translations for instruction fetches");
  r.add_ratio(prefix + ".avg_translation_cycles",
              static_cast<double>(stats_.translate_picos) / cycle, static_cast<double>(total),
              "mean translation latency in core cycles");
  dtlb_.report(r, prefix + ".dtlb");
  itlb_.report(r, prefix + ".itlb");
  stlb_.report(r, prefix + ".stlb");
  const std::string w = prefix + ".walker";
  r.add(w + ".walks", stats_.walks, "page walks (L2 TLB misses and dirty re-walks)");
  r.add(w + ".walk_cycles", static_cast<std::uint64_t>(stats_.walk_picos / cycle),
        "core cycles spent walking");
  r.add_ratio(w + ".avg_walk_cycles", static_cast<double>(stats_.walk_picos) / cycle,
              static_cast<double>(stats_.walks), "mean walk latency in core cycles");
  r.add(w + ".pte_reads", stats_.pte_reads, "paging-structure entries read");
  r.add(w + ".pte_writes", stats_.pte_writes, "accessed/dirty flag updates written");
  r.add(w + ".dirty_walks", stats_.dirty_walks, "writes that hit a TLB entry with D clear");
  r.add(w + ".pwc_lookups", stats_.pwc_lookups, "walks that probed the paging-structure caches");
  r.add(w + ".pwc_hits", stats_.pwc_hits, "walks shortened by a paging-structure-cache hit");
  r.add_ratio(w + ".pwc_hit_rate", static_cast<double>(stats_.pwc_hits),
              static_cast<double>(stats_.pwc_lookups), "paging-structure-cache hits per walk");
  r.add(prefix + ".page_faults", stats_.page_faults, "page-fault exceptions (#PF)");
  r.add(prefix + ".gp_faults", stats_.gp_faults, "non-canonical addresses (#GP)");
  r.add(prefix + ".invlpg", stats_.invlpg, "INVLPG instructions");
  r.add(prefix + ".flushes_non_global", stats_.flushes_non_global,
        "TLB flushes keeping global entries (CR3 writes with CR4.PGE = 1)");
  r.add(prefix + ".flushes_all", stats_.flushes_all, "full TLB flushes");
  r.add(prefix + ".flushes_pcid", stats_.flushes_pcid,
        "flushes of one PCID's non-global entries (CR3 writes without bit 63, INVPCID type 1)");
  r.add(prefix + ".pcid_switches", stats_.pcid_switches,
        "CR3 writes that changed the current PCID (CR4.PCIDE = 1)");
}

}  // namespace mmvp
