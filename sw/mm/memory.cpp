#include "sw/mm/memory.h"

#include "sw/kernel/boot.h"
#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/init.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

std::uint64_t span(unsigned level) {  // what one entry at `level` maps
  return 1ULL << pt_shift(level);
}
std::uint64_t pages_per_pmd() {  // 512, or 1024 with 2-level paging
  return PMD_SIZE / PAGE_SIZE;
}
LAddr table_va(std::uint64_t entry) {
  return page::__va(entry & pte::ADDR_MASK);
}
// The end of the level-`level` entry holding addr, or end if sooner (pXd_addr_end).
LAddr addr_end(LAddr addr, LAddr end, unsigned level) {
  const LAddr boundary = (addr + span(level)) & ~(span(level) - 1);
  return boundary - 1 < end - 1 ? boundary : end;
}

// pte_free() / pmd_free() / pud_free(): a user page-table page back to the buddy
// allocator, with its NR_PAGETABLE and mm accounting.
void free_table(Kernel& k, LAddr m, std::uint64_t entry) {
  free_page(k, table_va(entry));
  mod_node_page_state(k, NR_PAGETABLE, -1);
  k.mem.add(m, mm::pgtables, static_cast<std::uint64_t>(-1));
}

// Calls leaf(slot, pte, va) for every present PTE of [start, end) under pgd, skipping
// absent tables whole, and huge(slot, leaf, haddr, level) for every 2 MB PMD leaf and
// 1 GB PUD leaf the range touches: huge returns true when it split a PMD leaf into a
// PTE table, whose entries the walk then visits.
template <typename Leaf, typename Huge>
void for_each_pte(Kernel& k, PAddr pgd, LAddr start, LAddr end, Leaf&& leaf, Huge&& huge) {
  Guest& g = k.mem;
  LAddr va = start;
  while (va < end) {
    LAddr table = page::__va(pgd);
    bool descended = true;
    for (unsigned level = PGTABLE_LEVELS; level > 1; --level) {
      const LAddr slot = pt_slot(table, va, level);
      std::uint64_t e = pt_get(g, slot);
      if ((e & pte::P) && (e & pte::PS) && level <= 3 &&
          huge(slot, e, va & ~(span(level) - 1), level))
        e = pt_get(g, slot);  // split: now a PTE table
      if (!(e & pte::P) || (e & pte::PS)) {
        va = addr_end(va, end, level);
        descended = false;
        break;
      }
      table = table_va(e);
    }
    if (!descended) continue;
    const LAddr stop = addr_end(va, end, 2);
    for (; va < stop; va += PAGE_SIZE) {
      const LAddr slot = pt_slot(table, va, 1);
      const std::uint64_t e = pt_get(g, slot);
      if (e & pte::P) leaf(slot, e, va);
    }
  }
}

// The bits a 2 MB leaf and its 4 KB PTEs share (SDM Table 4-18/4-19: PS and the PAT
// bit's position differ).
constexpr std::uint64_t kLeafBits =
    pte::P | pte::RW | pte::US | pte::PWT | pte::PCD | pte::A | pte::D | pte::G | pte::XD;

// __split_huge_pmd(): the 2 MB leaf at slot becomes a PTE table mapping the same 512
// frames, each now its own page (split_page); the 2 MB translation is invalidated.
bool split_huge_pmd(Kernel& k, LAddr m, LAddr slot, std::uint64_t pmd, LAddr haddr,
                    TlbGather& tlb) {
  Guest& g = k.mem;
  const LAddr pt = get_zeroed_page(k, GFP_KERNEL);
  if (!pt) return false;
  mod_node_page_state(k, NR_PAGETABLE, 1);
  g.add(m, mm::pgtables, 1);
  const PAddr base = pmd & pte::ADDR_MASK & ~(PMD_SIZE - 1);
  for (std::uint64_t i = 0; i < pages_per_pmd(); ++i)
    pt_set(g, pt + kernel_layout.pte_bytes * i, (base + i * PAGE_SIZE) | (pmd & kLeafBits));
  pt_set(g, slot, page::__pa(pt) | PAGE_TABLE);
  split_page(k, page::pfn_to_page(base >> PAGE_SHIFT), PMD_SHIFT - PAGE_SHIFT);
  mod_node_page_state(k, NR_ANON_THPS, -static_cast<std::int64_t>(pages_per_pmd()));
  count_vm_event(k, THP_SPLIT_PMD);
  tlb.adjust_huge(haddr, haddr + PMD_SIZE);
  return true;
}

// What an operation over [start, end) does with a 2 MB leaf: the whole leaf when the
// range covers it (whole), else split it first so the 4 KB pages can be treated alone.
// A 1 GB leaf (hugetlb only) is never split: hugetlb ranges are aligned to its size.
template <typename Whole>
auto huge_or_split(Kernel& k, LAddr m, LAddr start, LAddr end, TlbGather& tlb, Whole&& whole) {
  return [&k, m, start, end, &tlb, whole](LAddr slot, std::uint64_t leaf, LAddr haddr,
                                          unsigned level) {
    if (haddr >= start && haddr + span(level) <= end) {
      whole(slot, leaf, haddr, level);
      return false;
    }
    return level == 2 && split_huge_pmd(k, m, slot, leaf, haddr, tlb);
  };
}

// free_pud_range / free_pmd_range / free_pte_range over the entries of `table` (at
// `level`) in [addr, end): a PTE page under a PMD entry is freed outright (the caller
// trimmed the range); a PMD or PUD table once its span, as Linux checks it, lies within
// [floor, ceiling).
void free_level(Kernel& k, LAddr m, LAddr table, unsigned level, LAddr addr, LAddr end, LAddr floor,
                LAddr ceiling, TlbGather& tlb) {
  Guest& g = k.mem;
  do {
    const LAddr next = addr_end(addr, end, level);
    const LAddr slot = pt_slot(table, addr, level);
    const std::uint64_t e = pt_get(g, slot);
    if ((e & pte::P) && !(e & pte::PS)) {
      if (level == 2) {  // free_pte_range(): the PTE page
        pt_set(g, slot, 0);
        free_table(k, m, e);
        tlb.adjust(addr, addr + PAGE_SIZE);
      } else {
        free_level(k, m, table_va(e), level - 1, addr, next, floor, ceiling, tlb);
        // The child table (covering span(level)) goes too if the range owns it whole.
        const LAddr mask = ~(span(level) - 1);
        LAddr c = ceiling;
        bool whole = (addr & mask) >= floor;
        if (whole && c) {
          c &= mask;
          whole = c != 0;
        }
        if (whole && next - 1 > c - 1) whole = false;
        if (whole) {
          pt_set(g, slot, 0);
          free_table(k, m, e);
          tlb.adjust(addr, addr + PAGE_SIZE);
        }
      }
    }
    addr = next;
  } while (addr != end);
}

// A fault that mapped `pages` anonymous pages: MM_ANONPAGES and its high-water mark
// (add_mm_counter, update_hiwater_rss), NR_ANON_MAPPED, the task's min_flt.
void account_anon_fault(Kernel& k, LAddr t, LAddr m, std::uint64_t pages) {
  Guest& g = k.mem;
  const std::uint64_t rss = g.add(m, mm::rss, pages);
  if (rss > g.get(m, mm::hiwater_rss)) g.set(m, mm::hiwater_rss, rss);
  mod_node_page_state(k, NR_ANON_MAPPED, static_cast<std::int64_t>(pages));
  g.add(t, task::min_flt, 1);
}

}  // namespace

std::uint64_t vm_page_prot(std::uint64_t vm_flags) {
  // PROT_NONE: Linux clears _PAGE_PRESENT and sets _PAGE_PROTNONE; a supervisor-only
  // present entry has the same effect here (every user access faults, the frame stays).
  if (!(vm_flags & VM_ACCESS_FLAGS)) return pte::P | pte::XD;
  std::uint64_t prot = pte::P | pte::US;
  if (vm_flags & VM_WRITE) prot |= pte::RW;
  if (!(vm_flags & VM_EXEC)) prot |= pte::XD;
  return prot;
}

bool thp_vma_allowable(Kernel& k, LAddr v, LAddr addr) {
  Guest& g = k.mem;
  const auto mode = static_cast<ThpMode>(g.get(MM_GLOBALS, mm_globals::transparent_hugepage));
  if (mode == ThpMode::every_fault || mode == ThpMode::every_fault_1g)
    return true;                             // the bound: file mappings too (zeroed)
  if (g.get(v, vma::vm_file)) return false;  // no page cache: only anonymous THPs
  const std::uint64_t flags = g.get(v, vma::vm_flags);
  const bool enabled = mode == ThpMode::always    ? !(flags & VM_NOHUGEPAGE)
                       : mode == ThpMode::madvise ? (flags & VM_HUGEPAGE) != 0
                                                  : false;
  const LAddr haddr = addr & ~(PMD_SIZE - 1);
  return enabled && g.get(v, vma::vm_start) <= haddr && haddr + PMD_SIZE <= g.get(v, vma::vm_end);
}

bool do_huge_pmd_anonymous_page(Kernel& k, LAddr t, LAddr m, LAddr v, LAddr addr) {
  Guest& g = k.mem;
  // kernel.user_page_size=1g: a 1 GB page from the hugetlb pool over the PUD when the
  // pool has one and no table is there yet.
  if (static_cast<ThpMode>(g.get(MM_GLOBALS, mm_globals::transparent_hugepage)) ==
      ThpMode::every_fault_1g) {
    const LAddr gaddr = addr & ~(PUD_SIZE - 1);
    std::uint64_t tables = 0;
    const PAddr slot = pgtable_entry(k, g.get(m, mm::pgd), gaddr, 3, true, &tables);
    g.add(m, mm::pgtables, tables);
    if (slot && pt_get(g, page::__va(slot)) == 0) {
      if (const LAddr head = hugetlb_alloc_page(k, 1)) {
        pt_set(g, page::__va(slot),
               (page::page_to_pfn(head) << PAGE_SHIFT) | vm_page_prot(g.get(v, vma::vm_flags)) |
                   pte::PS);
        account_anon_fault(k, t, m, PUD_SIZE / PAGE_SIZE);
        return true;
      }
    }
  }
  const LAddr haddr = addr & ~(PMD_SIZE - 1);
  const PAddr pgd = g.get(m, mm::pgd);
  std::uint64_t tables = 0;
  const PAddr slot = pgtable_entry(k, pgd, haddr, 2, true, &tables);
  g.add(m, mm::pgtables, tables);
  if (!slot || pt_get(g, page::__va(slot)) != 0) return false;  // a PTE table is there already
  // GFP_TRANSHUGE_LIGHT: no reclaim; zeroed as clear_huge_page does.
  const LAddr page = alloc_pages(k, GFP_TRANSHUGE_LIGHT | __GFP_ZERO, PMD_SHIFT - PAGE_SHIFT);
  if (!page) {
    count_vm_event(k, THP_FAULT_FALLBACK);
    return false;
  }
  pt_set(g, page::__va(slot),
         (page::page_to_pfn(page) << PAGE_SHIFT) | vm_page_prot(g.get(v, vma::vm_flags)) | pte::PS);
  account_anon_fault(k, t, m, pages_per_pmd());
  mod_node_page_state(k, NR_ANON_THPS, static_cast<std::int64_t>(pages_per_pmd()));
  count_vm_event(k, THP_FAULT_ALLOC);
  return true;
}

bool do_anonymous_page(Kernel& k, LAddr t, LAddr m, LAddr v, LAddr addr) {
  Guest& g = k.mem;
  LAddr page = alloc_page(k, GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
  if (!page) return false;
  // folio_add_new_anon_rmap() + folio_add_lru(): the page knows its mapper.
  g.set(page, page::flags, g.get(page, page::flags) | page::PG_lru);
  g.set(page, page::mapping, m | page::PAGE_MAPPING_ANON);
  g.set(page, page::index, addr >> PAGE_SHIFT);
  std::uint64_t tables = 0;
  if (!map_page(k, g.get(m, mm::pgd), addr & ~(PAGE_SIZE - 1),
                page::page_to_pfn(page) << PAGE_SHIFT, vm_page_prot(g.get(v, vma::vm_flags)),
                &tables)) {
    __free_pages(k, page, 0);
    g.add(m, mm::pgtables, tables);
    return false;
  }
  g.add(m, mm::pgtables, tables);
  account_anon_fault(k, t, m, 1);
  return true;
}

void zap_page_range(Kernel& k, LAddr m, LAddr start, LAddr end, TlbGather& tlb) {
  Guest& g = k.mem;
  std::uint64_t freed = 0;
  auto zap_huge = [&](LAddr slot, std::uint64_t pmd, LAddr haddr, unsigned level) {
    if (level == 3) {  // a 1 GB page of kernel.user_page_size=1g: back to its pool
      pt_set(g, slot, 0);
      hugetlb_free_page(k, page::pfn_to_page((pmd & pte::ADDR_MASK) >> PAGE_SHIFT));
      tlb.adjust(haddr, haddr + PUD_SIZE, 30);
      freed += PUD_SIZE / PAGE_SIZE;
      return;
    }
    pt_set(g, slot, 0);
    __free_pages(k, page::pfn_to_page((pmd & pte::ADDR_MASK) >> PAGE_SHIFT),
                 PMD_SHIFT - PAGE_SHIFT);
    mod_node_page_state(k, NR_ANON_THPS, -static_cast<std::int64_t>(pages_per_pmd()));
    tlb.adjust_huge(haddr, haddr + PMD_SIZE);
    freed += pages_per_pmd();
  };
  for_each_pte(
      k, g.get(m, mm::pgd), start, end,
      [&](LAddr slot, std::uint64_t e, LAddr va) {
        pt_set(g, slot, 0);
        __free_pages(k, page::pfn_to_page((e & pte::ADDR_MASK) >> PAGE_SHIFT), 0);
        tlb.adjust(va, va + PAGE_SIZE);
        ++freed;
      },
      huge_or_split(k, m, start, end, tlb, zap_huge));
  if (!freed) return;
  g.add(m, mm::rss, -freed);
  mod_node_page_state(k, NR_ANON_MAPPED, -static_cast<std::int64_t>(freed));
}

void free_pgd_range(Kernel& k, LAddr m, LAddr addr, LAddr end, LAddr floor, LAddr ceiling,
                    TlbGather& tlb) {
  // Linux's free_pgd_range(): trim [addr, end) to the PMD-aligned part no neighbour
  // shares.
  const LAddr pmd_mask = ~(PMD_SIZE - 1);
  addr &= pmd_mask;
  if (addr < floor) {
    addr += PMD_SIZE;
    if (!addr) return;
  }
  if (ceiling) {
    ceiling &= pmd_mask;
    if (!ceiling) return;
  }
  if (end - 1 > ceiling - 1) end -= PMD_SIZE;
  if (addr > end - 1) return;
  free_level(k, m, page::__va(k.mem.get(m, mm::pgd)), PGTABLE_LEVELS, addr, end, floor, ceiling,
             tlb);
}

void change_protection(Kernel& k, LAddr m, LAddr start, LAddr end, std::uint64_t vm_flags,
                       TlbGather& tlb) {
  Guest& g = k.mem;
  // Without PAE there is no XD bit (SDM 4.3): entries never hold it.
  const std::uint64_t kProtBits = pte::RW | pte::US | (kernel_layout.pte_bytes == 8 ? pte::XD : 0);
  const std::uint64_t prot = vm_page_prot(vm_flags) & kProtBits;
  auto protect_huge = [&](LAddr slot, std::uint64_t leaf, LAddr haddr,
                          unsigned level) {  // change_huge_pmd(), hugetlb_change_protection()
    const std::uint64_t updated = (leaf & ~kProtBits) | prot;
    if (updated == leaf) return;
    pt_set(g, slot, updated);
    tlb.adjust(haddr, haddr + span(level), pt_shift(level));
  };
  for_each_pte(
      k, g.get(m, mm::pgd), start, end,
      [&](LAddr slot, std::uint64_t e, LAddr va) {
        const std::uint64_t updated = (e & ~kProtBits) | prot;
        if (updated == e) return;
        pt_set(g, slot, updated);
        tlb.adjust(va, va + PAGE_SIZE);
      },
      huge_or_split(k, m, start, end, tlb, protect_huge));
}

void walk_present_ptes(
    Kernel& k, LAddr m, LAddr start, LAddr end,
    const std::function<void(LAddr va, std::uint64_t pte, unsigned level)>& visit) {
  for_each_pte(
      k, k.mem.get(m, mm::pgd), start, end,
      [&](LAddr, std::uint64_t e, LAddr va) { visit(va, e, 1); },
      [&](LAddr, std::uint64_t leaf, LAddr haddr, unsigned level) {
        visit(haddr, leaf, level);
        return false;
      });
}

void tlb_finish(Kernel& k, LAddr m, const TlbGather& tlb) {
  if (tlb.empty()) return;
  // inc_mm_tlb_gen(), and flush_tlb_func() bringing this CPU's ASID up to it.
  const std::uint64_t gen = k.mem.add(m, mm::tlb_gen, 1);
  const LAddr G = TASKS_GLOBALS;
  if (k.mem.get(G, tasks_globals::pcid_enabled))
    k.mem.set(G, tasks_globals::ctxs(2 * k.mem.get(G, tasks_globals::loaded_asid) + 1), gen);
  // tlb_get_unmap_shift(): the stride is the smallest page size the change touched.
  const unsigned shift = tlb.shift;
  const std::uint64_t pages = (tlb.end - tlb.start) >> shift;
  if (pages > kTlbSinglePageFlushCeiling) {
    // flush_tlb_local(): reloading CR3 drops every non-global entry (SDM 4.10.4.1).
    k.cpu.write_cr(3, k.cpu.read_cr(3));
    count_vm_event(k, NR_TLB_LOCAL_FLUSH_ALL);
    return;
  }
  for (LAddr va = tlb.start; va < tlb.end; va += 1ULL << shift) k.cpu.invlpg(va);
  count_vm_events(k, NR_TLB_LOCAL_FLUSH_ONE, pages);
}

}  // namespace mmvp::sw
