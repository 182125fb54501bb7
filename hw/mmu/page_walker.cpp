// The page walk state machine (SDM Vol. 3A 4.5 to 4.8) and the paging-structure caches
// (4.10.3).
#include "hw/mmu/page_walker.h"

#include "hw/common/debug.h"

namespace mmvp {
namespace {

constexpr std::uint64_t bit_range(unsigned hi, unsigned lo) {
  return ((hi >= 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1))) & ~((1ULL << lo) - 1);
}

// Linear-address bits that select the entry at `level` (5: PML5 .. 1: PT) start here.
constexpr unsigned level_shift(unsigned level) {
  return 12 + 9 * (level - 1);
}

// Paging-structure caches by the level of the entry they cache: PML4E (4), PDPTE (3),
// PDE (2); index into PageWalker::pwc_ and the linear-address shift of their tag.
constexpr unsigned kPwcLevels[3] = {4, 3, 2};
constexpr unsigned pwc_index(unsigned level) {
  return 4 - level;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// PagingStructureCache

PagingStructureCache::PagingStructureCache(unsigned entries) : entries_(entries) {}

bool PagingStructureCache::lookup(std::uint64_t tag, PAddr& next_table, AccessRights& rights) {
  for (Entry& e : entries_) {
    if (e.valid && e.tag == tag) {
      e.stamp = ++clock_;
      next_table = e.next_table;
      rights = e.rights;
      return true;
    }
  }
  return false;
}

void PagingStructureCache::insert(std::uint64_t tag, PAddr next_table, const AccessRights& rights) {
  if (entries_.empty()) return;
  Entry* slot = nullptr;
  for (Entry& e : entries_) {
    if (e.valid && e.tag == tag) {
      slot = &e;
      break;
    }
  }
  if (!slot) {
    for (Entry& e : entries_) {
      if (!e.valid) {
        slot = &e;
        break;
      }
    }
  }
  if (!slot) {
    slot = &entries_[0];
    for (Entry& e : entries_)
      if (e.stamp < slot->stamp) slot = &e;
  }
  *slot = Entry{true, tag, next_table, rights, ++clock_};
}

void PagingStructureCache::invalidate(std::uint64_t tag) {
  for (Entry& e : entries_)
    if (e.valid && e.tag == tag) e.valid = false;
}

void PagingStructureCache::flush() {
  for (Entry& e : entries_) e.valid = false;
}

unsigned PagingStructureCache::valid_entries() const {
  unsigned n = 0;
  for (const Entry& e : entries_) n += e.valid ? 1 : 0;
  return n;
}

// ---------------------------------------------------------------------------------------
// PageWalker

PageWalker::PageWalker(const MmuConfig& cfg, PhysMemPort& mem, MmuStats& stats)
    : la57_supported_(cfg.la57_supported),
      step_picos_(static_cast<Picos>(cfg.walk_step_cycles) * cfg.cycle),
      pwc_enabled_(cfg.pwc.enabled),
      reserved_addr_mask_(cfg.maxphyaddr >= 52 ? 0 : bit_range(51, cfg.maxphyaddr)),
      mem_(mem),
      stats_(stats),
      maxphyaddr_(cfg.maxphyaddr) {
  pwc_.reserve(3);
  pwc_.emplace_back(cfg.pwc.enabled ? cfg.pwc.pml4e_entries : 0);
  pwc_.emplace_back(cfg.pwc.enabled ? cfg.pwc.pdpte_entries : 0);
  pwc_.emplace_back(cfg.pwc.enabled ? cfg.pwc.pde_entries : 0);
}

std::uint64_t PageWalker::reserved_bits(unsigned level, std::uint64_t entry, bool nxe) const {
  // SDM 4.5 (Tables 4-14 to 4-20 for 4-level, 4-15 ff. for 5-level): address bits at and
  // above MAXPHYADDR are reserved in every entry; XD is reserved unless EFER.NXE = 1.
  std::uint64_t bad = entry & reserved_addr_mask_;
  if (!nxe) bad |= entry & pte::XD;
  if (level >= 4) {
    bad |= entry & pte::PS;  // PS is reserved in a PML5E and a PML4E
  } else if (level == 3 && (entry & pte::PS)) {
    bad |= entry & bit_range(29, 13);  // 1-GByte page: bits 29:13 (bit 12 is PAT)
  } else if (level == 2 && (entry & pte::PS)) {
    bad |= entry & bit_range(20, 13);  // 2-MByte page: bits 20:13
  }
  return bad;
}

WalkResult PageWalker::walk(LAddr la, AccessKind k, const PagingContext& ctx, MmuObserver* observer,
                            Picos start_offset) {
  if (!ctx.ia32e()) return walk_legacy(la, k, ctx, observer, start_offset);
  WalkResult r;
  const bool nxe = (ctx.efer & efer::NXE) != 0;
  const unsigned top = ctx.la57() && la57_supported_ ? 5 : 4;
  // CR3 bits 51:12 locate the top table; PWT/PCD and bits below 12 play no part here.
  PAddr table = ctx.cr3 & pte::ADDR_MASK & ~reserved_addr_mask_;
  AccessRights rights;
  unsigned level = top;

  // Paging-structure caches (SDM 4.10.3.2): use the cache for the lowest level first, so
  // a PDE-cache hit skips every read but the PTE.
  if (pwc_enabled_) {
    ++stats_.pwc_lookups;
    for (int i = 2; i >= 0; --i) {
      unsigned cached_level = kPwcLevels[i];
      if (pwc_[i].lookup(la >> level_shift(cached_level), table, rights)) {
        ++stats_.pwc_hits;
        level = cached_level - 1;
        break;
      }
    }
  }

  struct UsedEntry {
    PAddr pa;
    std::uint64_t value;
    unsigned level;
    AccessRights rights_below;  // rights combined down to and including this entry
  };
  UsedEntry used[5];
  unsigned n_used = 0;
  std::uint64_t leaf = 0;
  unsigned leaf_level = 1;

  auto end_walk = [&]() {
    if (observer) observer->walk_level(0, start_offset + r.latency);
  };
  auto fault = [&](std::uint32_t code) {
    r.fault = FaultKind::page_fault;
    r.error_code = code;
    end_walk();
    DPRINTF(Walker, "mmu.walker", "la {:#x}: #PF, error code {:#x}", la, code);
    return r;
  };
  DPRINTF(Walker, "mmu.walker", "walk la {:#x} ({}) cr3 {:#x} from level {}", la,
          k == AccessKind::write   ? "write"
          : k == AccessKind::fetch ? "fetch"
                                   : "read",
          ctx.cr3, level);

  for (;; --level) {
    const PAddr entry_pa = table + ((la >> level_shift(level)) & 0x1FF) * 8;
    if (observer) observer->walk_level(level, start_offset + r.latency);
    std::uint64_t e = 0;
    Picos lat = 0;
    ++stats_.pte_reads;
    ++r.levels_read;
    bool ok = mem_.read_pte(entry_pa, e, lat);
    r.latency += lat + step_picos_;
    DPRINTF(Walker, "mmu.walker", "la {:#x}: level {} entry @{:#x} = {:#x} ({} ps)", la, level,
            entry_pa, e, lat);
    if (!ok) {
      r.fault = FaultKind::bus_error;
      r.bus_error_pa = entry_pa;
      end_walk();
      return r;
    }
    // SDM 4.7: a not-present entry, or a present one with a reserved bit set, means no
    // valid translation; the walk stops there. Both take priority over access rights,
    // which are checked only once a translation exists (4.6).
    if (!(e & pte::P)) return fault(access_error_bits(k, ctx));
    if (reserved_bits(level, e, nxe) != 0)
      return fault(pf::P | pf::RSVD | access_error_bits(k, ctx));
    rights.writable = rights.writable && (e & pte::RW);
    rights.user = rights.user && (e & pte::US);
    rights.nx = rights.nx || (nxe && (e & pte::XD));
    used[n_used++] = {entry_pa, e, level, rights};
    if (level == 1 || (level <= 3 && (e & pte::PS))) {
      leaf = e;
      leaf_level = level;
      break;
    }
    table = e & pte::ADDR_MASK;
  }
  end_walk();

  if (std::uint32_t code = access_fault(rights, k, ctx)) {
    r.fault = FaultKind::page_fault;
    r.error_code = code;
    DPRINTF(Walker, "mmu.walker", "la {:#x}: rights forbid the access: #PF, error code {:#x}", la,
            code);
    return r;
  }

  // SDM 4.8: the processor sets A in each paging-structure entry it uses for a
  // translation, and D in the leaf on a write to the page. A faulting access yields no
  // translation (4.7: none exists, or its rights forbid the access) and performs no
  // write, so we set neither on a fault: the conservative reading, which also keeps the
  // guest's page-reclaim logic from seeing A on pages it never got to use.
  const bool write = k == AccessKind::write;
  for (unsigned i = 0; i < n_used; ++i) {
    std::uint64_t updated = used[i].value | pte::A;
    if (write && used[i].level == leaf_level) updated |= pte::D;
    if (updated == used[i].value) continue;
    Picos lat = 0;
    ++stats_.pte_writes;
    bool ok = mem_.write_pte(used[i].pa, updated, lat);  // locked RMW (SDM 4.8)
    r.latency += lat;
    DPRINTF(Walker, "mmu.walker", "la {:#x}: set {} in level {} entry @{:#x}", la,
            (updated & ~used[i].value) == pte::A   ? "A"
            : (updated & ~used[i].value) == pte::D ? "D"
                                                   : "A|D",
            used[i].level, used[i].pa);
    if (!ok) {
      r.fault = FaultKind::bus_error;
      r.bus_error_pa = used[i].pa;
      return r;
    }
    used[i].value = updated;
  }

  // Cache the non-leaf PML4Es, PDPTEs and PDEs used (A is now set in each). A PML5E is
  // folded into the PML4E cache entry, whose tag covers linear-address bits 56:39.
  if (pwc_enabled_) {
    for (unsigned i = 0; i < n_used; ++i) {
      unsigned lv = used[i].level;
      if (lv == leaf_level || lv > 4 || lv < 2) continue;
      pwc_[pwc_index(lv)].insert(la >> level_shift(lv), used[i].value & pte::ADDR_MASK,
                                 used[i].rights_below);
    }
  }

  Translation& t = r.translation;
  t.size = static_cast<PageSize>(leaf_level - 1);
  const unsigned shift = page_shift(t.size);
  t.vpn = la >> shift;
  t.pfn = (leaf & pte::ADDR_MASK) >> shift;  // drops PAT (bit 12) of large pages
  set_leaf_attributes(t, leaf, rights, write, ctx);
  DPRINTF(Walker, "mmu.walker", "la {:#x} -> pa {:#x} ({} page{}{}{}), {} ps", la, t.physical(la),
          page_size_name(t.size), t.writable ? " W" : "", t.user ? " U" : "", t.nx ? " NX" : "",
          r.latency);
  return r;
}

void PageWalker::invalidate(LAddr la) {
  for (unsigned i = 0; i < 3; ++i) pwc_[i].invalidate(la >> level_shift(kPwcLevels[i]));
}

void PageWalker::flush() {
  for (PagingStructureCache& c : pwc_) c.flush();
}

}  // namespace mmvp
