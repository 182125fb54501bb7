// The hardware page walker of 4-level and 5-level paging (Intel SDM Vol. 3A 4.5), and of
// 32-bit and PAE paging (4.3, 4.4) outside IA-32e mode, with
// access-rights checks (4.6), page-fault error codes (4.7), accessed/dirty updates
// (4.8) and the optional paging-structure caches (4.10.3). Pure C++.
#pragma once
#include <cstdint>
#include <vector>

#include "hw/mmu/mmu.h"
#include "hw/mmu/paging.h"
#include "hw/mmu/tlb.h"

namespace mmvp {

// One paging-structure cache (PML4E, PDPTE or PDE cache; SDM 4.10.3.1): a small fully
// associative LRU array from upper linear-address bits to the next table's physical
// address and the rights combined down to that entry. Never holds global entries.
class PagingStructureCache {
 public:
  explicit PagingStructureCache(unsigned entries);
  // tag: la >> shift of the level the entry maps (39, 30 or 21).
  bool lookup(std::uint64_t tag, PAddr& next_table, AccessRights& rights);
  void insert(std::uint64_t tag, PAddr next_table, const AccessRights& rights);
  void invalidate(std::uint64_t tag);
  void flush();
  unsigned valid_entries() const;

 private:
  struct Entry {
    bool valid = false;
    std::uint64_t tag = 0;
    PAddr next_table = 0;
    AccessRights rights;
    std::uint64_t stamp = 0;
  };
  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
};

struct WalkResult {
  FaultKind fault = FaultKind::none;
  std::uint32_t error_code = 0;
  Translation translation;  // valid when fault == none
  Picos latency = 0;        // memory time plus walk_step_cycles per level read
  PAddr bus_error_pa = 0;
  unsigned levels_read = 0;  // paging-structure entries read from memory
};

// The attributes a leaf entry gives a translation (both walk modes): the rights
// combined over the walk, D (set now on a write), G under CR4.PGE, PWT/PCD.
inline void set_leaf_attributes(Translation& t, std::uint64_t leaf, const AccessRights& rights,
                                bool write, const PagingContext& ctx) {
  t.writable = rights.writable;
  t.user = rights.user;
  t.nx = rights.nx;
  t.dirty = (leaf & pte::D) != 0 || write;
  t.global = (leaf & pte::G) && (ctx.cr4 & cr4::PGE);
  t.pcd_pwt = static_cast<std::uint8_t>(((leaf & pte::PWT) ? 1 : 0) | ((leaf & pte::PCD) ? 2 : 0));
}

class PageWalker {
 public:
  // Statistics go to *stats (pte_reads, pte_writes, pwc_lookups, pwc_hits).
  PageWalker(const MmuConfig& cfg, PhysMemPort& mem, MmuStats& stats);

  // Walks the paging structures for la and checks an access of kind k; on success sets
  // the accessed flags of every entry used and, for a write, the leaf's dirty flag.
  // The caller has already checked that la is canonical. observer (may be null)
  // receives walk_level() calls at start_offset + elapsed walk time.
  WalkResult walk(LAddr la, AccessKind k, const PagingContext& ctx, MmuObserver* observer = nullptr,
                  Picos start_offset = 0);

  // MOV to CR3 (or a paging-mode change) under PAE paging (SDM 4.4.1): loads the four
  // PDPTEs from the 32-byte-aligned table at CR3[31:5] into the PDPTE registers. False
  // (and nothing loaded) if a present PDPTE sets a reserved bit: the MOV raises #GP.
  bool load_pdptes(std::uint64_t cr3);
  std::uint64_t pdpte(unsigned i) const { return pdpte_[i]; }

  // INVLPG or a page fault on la: drops paging-structure-cache entries used for la.
  void invalidate(LAddr la);
  // MOV to CR3 or any full flush: paging-structure caches hold no global entries.
  void flush();

  const PagingStructureCache& pml4e_cache() const { return pwc_[0]; }
  const PagingStructureCache& pdpte_cache() const { return pwc_[1]; }
  const PagingStructureCache& pde_cache() const { return pwc_[2]; }

 private:
  // Reserved bits of a present entry at `level` (5..1) given its PS flag.
  std::uint64_t reserved_bits(unsigned level, std::uint64_t entry, bool nxe) const;
  // 32-bit paging (SDM 4.3) and PAE paging (4.4): page_walker_legacy.cpp.
  WalkResult walk_legacy(LAddr la, AccessKind k, const PagingContext& ctx, MmuObserver* observer,
                         Picos start_offset);

  bool la57_supported_;
  Picos step_picos_;
  bool pwc_enabled_;
  std::uint64_t reserved_addr_mask_;
  PhysMemPort& mem_;
  MmuStats& stats_;
  // Index 0: PML4E cache (tag la >> 39), 1: PDPTE cache (la >> 30), 2: PDE cache (la >> 21).
  std::vector<PagingStructureCache> pwc_;
  unsigned maxphyaddr_;
  std::uint64_t pdpte_[4] = {};  // PAE paging's PDPTE registers (SDM 4.4.1)
};

}  // namespace mmvp
