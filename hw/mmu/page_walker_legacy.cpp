// The page walks outside IA-32e mode: 32-bit paging (Intel SDM Vol. 3A 4.3: a page
// directory of 1024 4-byte entries at CR3[31:12], 4-MByte pages with CR4.PSE whose
// physical-address bits 39:32 come from PDE bits 20:13 (PSE-36, up to MAXPHYADDR), no
// XD) and PAE paging (4.4: four PDPTE registers loaded from CR3[31:5], then 8-byte PDEs
// and PTEs, 2-MByte pages, XD with EFER.NXE). Access rights, error codes and A/D updates
// follow 4.6 to 4.8 as for 4-level paging. The paging-structure caches serve 4- and
// 5-level paging only: these walks read every entry below the PDPTE registers.
#include "hw/common/debug.h"
#include "hw/mmu/page_walker.h"

namespace mmvp {
namespace {

constexpr std::uint64_t bits(unsigned hi, unsigned lo) {
  return ((hi >= 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1))) & ~((1ULL << lo) - 1);
}

}  // namespace

bool PageWalker::load_pdptes(std::uint64_t cr3) {
  // SDM 4.4.1 and Table 4-8: CR3[31:5] locates the PDPT; in a present PDPTE, bits 2:1,
  // 8:5 and 63:MAXPHYADDR are reserved.
  const PAddr base = cr3 & bits(31, 5);
  const std::uint64_t reserved = bits(2, 1) | bits(8, 5) | bits(63, maxphyaddr_);
  std::uint64_t loaded[4];
  for (unsigned i = 0; i < 4; ++i) {
    Picos lat = 0;
    ++stats_.pte_reads;
    if (!mem_.read_pte(base + 8 * i, loaded[i], lat)) loaded[i] = 0;
    if ((loaded[i] & pte::P) && (loaded[i] & reserved)) return false;
  }
  for (unsigned i = 0; i < 4; ++i) pdpte_[i] = loaded[i];
  return true;
}

WalkResult PageWalker::walk_legacy(LAddr la, AccessKind k, const PagingContext& ctx,
                                   MmuObserver* observer, Picos start_offset) {
  WalkResult r;
  const bool pae = (ctx.cr4 & cr4::PAE) != 0;
  const bool nxe = pae && (ctx.efer & efer::NXE);  // no XD under 32-bit paging
  const bool pse = (ctx.cr4 & cr4::PSE) != 0;
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

  // Entry width and the linear-address bits of each level: 32-bit paging 10+10+12,
  // PAE 2 (the PDPTE registers) + 9 + 9 + 12.
  const unsigned width = pae ? 8 : 4;
  PAddr table;
  if (pae) {
    const std::uint64_t pdpte = pdpte_[(la >> 30) & 3];
    if (!(pdpte & pte::P)) return fault(access_error_bits(k, ctx));
    table = pdpte & pte::ADDR_MASK & ~reserved_addr_mask_;
  } else {
    table = ctx.cr3 & bits(31, 12);
  }

  struct UsedEntry {
    PAddr pa;
    std::uint64_t value;
    unsigned level;
  };
  UsedEntry used[2];
  unsigned n_used = 0;
  AccessRights rights;
  std::uint64_t leaf = 0;
  unsigned leaf_level = 1;
  for (unsigned level = 2;; --level) {
    const unsigned shift = pae ? 12 + 9 * (level - 1) : 12 + 10 * (level - 1);
    const std::uint64_t index = (la >> shift) & (pae ? 0x1FF : 0x3FF);
    const PAddr entry_pa = table + index * width;
    if (observer) observer->walk_level(level, start_offset + r.latency);
    std::uint64_t word = 0;
    Picos lat = 0;
    ++stats_.pte_reads;
    ++r.levels_read;
    // Memory is read 8 bytes at a time: a 4-byte entry is half of an aligned word.
    const bool ok = mem_.read_pte(entry_pa & ~PAddr{7}, word, lat);
    r.latency += lat + step_picos_;
    if (!ok) {
      r.fault = FaultKind::bus_error;
      r.bus_error_pa = entry_pa;
      end_walk();
      return r;
    }
    const std::uint64_t e = pae ? word : (word >> (8 * (entry_pa & 4))) & 0xFFFFFFFFu;
    DPRINTF(Walker, "mmu.walker", "la {:#x}: {} level {} entry @{:#x} = {:#x}", la,
            pae ? "PAE" : "32-bit", level, entry_pa, e);
    if (!(e & pte::P)) return fault(access_error_bits(k, ctx));
    const bool large = level == 2 && (e & pte::PS) && (pae || pse);
    std::uint64_t reserved = 0;
    if (pae) {
      // Tables 4-10, 4-11: as 4-level PDEs and PTEs, and bits 62:52 too (ignored in IA-32e).
      reserved = reserved_bits(level, e, nxe) | (e & bits(62, 52));
    } else if (large) {
      // Table 4-4: bit 21 and bits 20:(M-19) are reserved, M = min(MAXPHYADDR, 40).
      const unsigned m = maxphyaddr_ < 40 ? maxphyaddr_ : 40;
      reserved = e & (bits(21, 21) | (m < 40 ? bits(20, m - 19) : 0));
    }
    if (reserved) return fault(pf::P | pf::RSVD | access_error_bits(k, ctx));
    rights.writable = rights.writable && (e & pte::RW);
    rights.user = rights.user && (e & pte::US);
    rights.nx = rights.nx || (nxe && (e & pte::XD));
    used[n_used++] = {entry_pa, e, level};
    if (level == 1 || large) {
      leaf = e;
      leaf_level = level;
      break;
    }
    table = pae ? (e & pte::ADDR_MASK) : (e & bits(31, 12));
  }
  end_walk();
  if (std::uint32_t code = access_fault(rights, k, ctx)) {
    r.fault = FaultKind::page_fault;
    r.error_code = code;
    return r;
  }
  // SDM 4.8: A in every entry used, D in the leaf on a write (locked read-modify-write
  // of the word holding the entry).
  const bool write = k == AccessKind::write;
  for (unsigned i = 0; i < n_used; ++i) {
    std::uint64_t updated = used[i].value | pte::A;
    if (write && used[i].level == leaf_level) updated |= pte::D;
    if (updated == used[i].value) continue;
    const PAddr word_pa = used[i].pa & ~PAddr{7};
    std::uint64_t word = updated;
    Picos lat = 0;
    if (!pae) {
      const unsigned half = 8 * (used[i].pa & 4);
      mem_.read_pte(word_pa, word, lat);
      word = (word & ~(0xFFFFFFFFull << half)) | (updated << half);
    }
    ++stats_.pte_writes;
    const bool ok = mem_.write_pte(word_pa, word, lat);
    r.latency += lat;
    if (!ok) {
      r.fault = FaultKind::bus_error;
      r.bus_error_pa = used[i].pa;
      return r;
    }
  }

  Translation& t = r.translation;
  if (leaf_level == 1) {
    t.size = PageSize::size_4k;
    t.vpn = la >> 12;
    t.pfn = (pae ? (leaf & pte::ADDR_MASK) : (leaf & bits(31, 12))) >> 12;
  } else if (pae) {
    t.size = PageSize::size_2m;
    t.vpn = la >> 21;
    t.pfn = (leaf & pte::ADDR_MASK) >> 21;
  } else {
    // A 4-MByte page: PA 31:22 from PDE 31:22, PA 39:32 from PDE 20:13 (PSE-36). The TLB
    // holds it as the 2-MByte half that contains la (SDM 4.10.2.3 lets a processor cache
    // a page as smaller ones; the 2M/4M array stores 2 MB pieces).
    const PAddr base = (leaf & bits(31, 22)) | (((leaf >> 13) & 0xFF) << 32);
    t.size = PageSize::size_2m;
    t.vpn = la >> 21;
    t.pfn = (base | (la & (1ULL << 21))) >> 21;
  }
  set_leaf_attributes(t, leaf, rights, write, ctx);
  return r;
}

}  // namespace mmvp
