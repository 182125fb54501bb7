// mm/highmem.c: kmap (the permanent kmap area and the page_address hash) and
// kmap_local (fixmap slots), as the i386 kernel uses them. State in guest memory:
// pkmap_count[] and the hash are memblock-allocated in lowmem by kmap_init, the rest in
// mm_globals.
#include "sw/mm/highmem.h"

#include "sw/mm/init.h"
#include "sw/mm/memblock.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

constexpr unsigned PA_HASH_ORDER = 7;  // 128 buckets
// struct page_address_map { struct page *page; void *virtual; struct list_head list; }.
namespace pam {
inline constexpr Field<LAddr> page{0};
inline constexpr Field<LAddr> virt{8};
inline constexpr Embedded list{16, list::kSize};
inline constexpr unsigned kSize = 32;
}  // namespace pam

const LAddr& G = MM_GLOBALS;
unsigned last_pkmap() {
  return kernel_layout.last_pkmap;
}
LAddr pkmap_addr(unsigned nr) {
  return kernel_layout.pkmap_base + static_cast<LAddr>(nr) * PAGE_SIZE;
}
unsigned pkmap_nr(LAddr vaddr) {
  return static_cast<unsigned>((vaddr - kernel_layout.pkmap_base) >> PAGE_SHIFT);
}
// pkmap_count[nr] (an int).
LAddr pkmap_count_slot(Kernel& k, unsigned nr) {
  return k.mem.get(G, mm_globals::pkmap_count) + 4 * nr;
}
// hash_ptr(page, PA_HASH_ORDER) with 32-bit pointers: hash_32 (include/linux/hash.h).
LAddr hash_bucket(Kernel& k, LAddr page) {
  const auto h = static_cast<std::uint32_t>(static_cast<std::uint32_t>(page) * 0x61C88647u) >>
                 (32 - PA_HASH_ORDER);
  return k.mem.get(G, mm_globals::page_address_htable) + h * list::kSize;
}
// The page_address_map of a kmapped highmem page in its hash bucket, 0 if none.
LAddr find_page_address_map(Kernel& k, LAddr page) {
  Guest& g = k.mem;
  const LAddr head = hash_bucket(k, page);
  for (LAddr e = g.get(head, list::next); e != head; e = g.get(e, list::next))
    if (g.get(e - pam::list, pam::page) == page) return e - pam::list;
  return 0;
}
// set_page_address(): record (or with 0, forget) the pkmap address of a highmem page.
void set_page_address(Kernel& k, LAddr page, LAddr vaddr) {
  Guest& g = k.mem;
  if (vaddr) {
    const LAddr m = g.get(G, mm_globals::page_address_maps) + pkmap_nr(vaddr) * pam::kSize;
    g.set(m, pam::page, page);
    g.set(m, pam::virt, vaddr);
    list::add_tail(g, m + pam::list, hash_bucket(k, page));
  } else if (const LAddr m = find_page_address_map(k, page)) {
    list::del(g, m + pam::list);
  }
}
// The PTE of a pkmap slot (pkmap_page_table[nr]: one PTE table covers the area).
LAddr pkmap_pte(Kernel& k, unsigned nr) {
  return k.mem.get(G, mm_globals::pkmap_page_table) + kernel_layout.pte_bytes * nr;
}
// flush_all_zero_pkmaps(): unmap every slot whose count is 1 (mapped, unused).
void flush_all_zero_pkmaps(Kernel& k) {
  Guest& g = k.mem;
  bool need_flush = false;
  for (unsigned i = 0; i < last_pkmap(); ++i) {
    const LAddr c = pkmap_count_slot(k, i);
    if (g.r32(c) != 1) continue;
    g.w32(c, 0);
    const std::uint64_t pte = pt_get(g, pkmap_pte(k, i));
    if (!(pte & pte::P)) k.panic("flush_all_zero_pkmaps: a counted pkmap slot is not mapped");
    pt_set(g, pkmap_pte(k, i), 0);
    set_page_address(k, page::pfn_to_page((pte & pte::ADDR_MASK) >> PAGE_SHIFT), 0);
    need_flush = true;
  }
  if (need_flush) {
    g.add(G, mm_globals::pkmap_flushes, 1);
    flush_tlb_kernel_range(k, pkmap_addr(0), pkmap_addr(last_pkmap()));
  }
}
// map_new_virtual(): the next free slot after last_pkmap_nr, wrapping (and flushing the
// unused ones) at the end of the area.
LAddr map_new_virtual(Kernel& k, LAddr page) {
  Guest& g = k.mem;
  unsigned count = last_pkmap();
  unsigned nr = g.get(G, mm_globals::last_pkmap_nr);
  for (;;) {
    nr = (nr + 1) & (last_pkmap() - 1);
    if (nr == 0) {
      flush_all_zero_pkmaps(k);
      count = last_pkmap();
    }
    if (g.r32(pkmap_count_slot(k, nr)) == 0) break;
    // One CPU and no sleeping: every slot held is a kmap not yet undone.
    if (--count == 0) k.panic("kmap: all " + std::to_string(last_pkmap()) + " pkmap slots in use");
  }
  g.set(G, mm_globals::last_pkmap_nr, nr);
  const LAddr vaddr = pkmap_addr(nr);
  const PAddr pa = page::page_to_pfn(page) << PAGE_SHIFT;
  pt_set(g, pkmap_pte(k, nr), pa | PAGE_KERNEL);  // kmap_prot = PAGE_KERNEL
  g.w32(pkmap_count_slot(k, nr), 1);
  set_page_address(k, page, vaddr);
  return vaddr;
}
// The PTE of kmap_local slot idx: __kmap_pte - idx (the slots' PTEs are consecutive).
LAddr kmap_local_pte(Kernel& k, unsigned idx) {
  const LAddr vaddr = fix_to_virt(FIX_KMAP_BEGIN + idx);
  return page::__va(pgtable_entry(k, init_pgd(k), vaddr, 1, false));
}

}  // namespace

bool PageHighMem(Kernel& k, LAddr page) {
  return zone_config.has_highmem && page_zonenum(k, page) == ZONE_HIGHMEM;
}

LAddr page_address(Kernel& k, LAddr page) {
  if (!PageHighMem(k, page)) return page::page_to_virt(page);
  const LAddr m = find_page_address_map(k, page);
  return m ? k.mem.get(m, pam::virt) : 0;
}

void kmap_init(Kernel& k) {
  Guest& g = k.mem;
  const unsigned n = last_pkmap();
  const PAddr counts = memblock_phys_alloc(k, 4 * n, PAGE_SIZE);
  const PAddr table = memblock_phys_alloc(k, list::kSize << PA_HASH_ORDER, PAGE_SIZE);
  const PAddr maps = memblock_phys_alloc(k, pam::kSize * n, PAGE_SIZE);
  if (!counts || !table || !maps) k.panic("kmap_init: out of memory");
  g.zero(page::__va(counts), 4 * n);
  for (unsigned b = 0; b < (1u << PA_HASH_ORDER); ++b)
    list::init(g, page::__va(table) + b * list::kSize);
  g.set(G, mm_globals::pkmap_count, page::__va(counts));
  g.set(G, mm_globals::page_address_htable, page::__va(table));
  g.set(G, mm_globals::page_address_maps, page::__va(maps));
  g.set(G, mm_globals::last_pkmap_nr, 0);
  g.set(G, mm_globals::kmap_local_idx, 0);
  // pkmap_page_table: the PTE of PKMAP_BASE, the first of LAST_PKMAP consecutive ones.
  const PAddr pte = pgtable_entry(k, init_pgd(k), kernel_layout.pkmap_base, 1, false);
  if (!pte) k.panic("kmap_init: no PTE table for the pkmap area");
  g.set(G, mm_globals::pkmap_page_table, page::__va(pte));
}

LAddr kmap(Kernel& k, LAddr page) {
  if (!PageHighMem(k, page)) return page_address(k, page);
  // kmap_high().
  LAddr vaddr = page_address(k, page);
  if (!vaddr) vaddr = map_new_virtual(k, page);
  const LAddr c = pkmap_count_slot(k, pkmap_nr(vaddr));
  k.mem.w32(c, k.mem.r32(c) + 1);
  return vaddr;
}

void kunmap(Kernel& k, LAddr page) {
  if (!PageHighMem(k, page)) return;
  // kunmap_high(): the count drops; at 1 the slot is free for flush_all_zero_pkmaps.
  const LAddr vaddr = page_address(k, page);
  if (!vaddr) k.panic("kunmap: the page is not kmapped");
  const LAddr c = pkmap_count_slot(k, pkmap_nr(vaddr));
  const std::uint32_t count = k.mem.r32(c);
  if (count < 2) k.panic("kunmap: pkmap_count underflow");
  k.mem.w32(c, count - 1);
}

LAddr kmap_local_page(Kernel& k, LAddr page) {
  if (!PageHighMem(k, page)) return page_address(k, page);
  // __kmap_local_pfn_prot(): the next slot of the CPU's stack, PTE set, no flush (the
  // slot's last unmap flushed it).
  Guest& g = k.mem;
  const unsigned idx = g.get(G, mm_globals::kmap_local_idx);
  if (idx >= KM_MAX_IDX) k.panic("kmap_local: more than KM_MAX_IDX nested mappings");
  g.set(G, mm_globals::kmap_local_idx, idx + 1);
  const LAddr pte = kmap_local_pte(k, idx);
  if (pt_get(g, pte) & pte::P) k.panic("kmap_local: the fixmap slot is in use");
  pt_set(g, pte, (page::page_to_pfn(page) << PAGE_SHIFT) | PAGE_KERNEL);
  return fix_to_virt(FIX_KMAP_BEGIN + idx);
}

void kunmap_local(Kernel& k, LAddr vaddr) {
  vaddr &= ~(PAGE_SIZE - 1);
  // kunmap_local_indexed(): a direct-map address was never mapped.
  if (!kernel_layout.x86_32 || vaddr < fix_to_virt(FIX_KMAP_END) ||
      vaddr > fix_to_virt(FIX_KMAP_BEGIN))
    return;
  Guest& g = k.mem;
  const unsigned idx = g.get(G, mm_globals::kmap_local_idx) - 1;
  if (vaddr != fix_to_virt(FIX_KMAP_BEGIN + idx)) k.panic("kunmap_local: not the last mapping");
  pt_set(g, kmap_local_pte(k, idx), 0);
  k.cpu.invlpg(vaddr);  // arch_kmap_local_post_unmap(): flush_tlb_one_kernel
  g.set(G, mm_globals::kmap_local_idx, idx);
}

void clear_highpage(Kernel& k, LAddr page) {
  const LAddr va = kmap_local_page(k, page);
  k.mem.zero(va, PAGE_SIZE);
  kunmap_local(k, va);
}

void clear_highpages(Kernel& k, LAddr page, std::uint64_t n) {
  if (!PageHighMem(k, page)) {
    k.mem.zero(page::page_to_virt(page), n * PAGE_SIZE);
    return;
  }
  for (std::uint64_t i = 0; i < n; ++i) clear_highpage(k, page + i * page::kSize);
}

void copy_highpage(Kernel& k, LAddr to, LAddr from) {
  const LAddr vfrom = kmap_local_page(k, from);
  const LAddr vto = kmap_local_page(k, to);
  k.mem.copy(vto, vfrom, PAGE_SIZE);
  kunmap_local(k, vto);
  kunmap_local(k, vfrom);
}

}  // namespace mmvp::sw
