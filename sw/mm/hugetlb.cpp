#include "sw/mm/hugetlb.h"

#include <fmt/format.h>

#include "sw/mm/highmem.h"
#include "sw/mm/memblock.h"
#include "sw/mm/memory.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

const LAddr& G = MM_GLOBALS;

unsigned hstate_index(unsigned shift) {
  return shift == HUGETLB_SHIFTS[1] ? 1 : 0;
}
unsigned level_of(unsigned shift) {
  return shift == 30 ? 3 : 2;
}

// enqueue_hugetlb_folio(): a free huge page (its head struct page) onto its pool.
void enqueue(Kernel& k, unsigned h, LAddr head) {
  list::add_tail(k.mem, head + page::lru, hstate_addr(h) + hstate::freelist);
  k.mem.add(hstate_addr(h), hstate::free_huge_pages, 1);
}

// prep_new_hugetlb_folio(): the head of a new pool page, added to the pool.
void add_pool_page(Kernel& k, unsigned h, PAddr pa, bool dirty) {
  const LAddr head = page::pfn_to_page(pa >> PAGE_SHIFT);
  const std::uint64_t zone = k.mem.get(head, page::flags) & page::ZONE_MASK;
  k.mem.set(head, page::flags,
            zone | page::PG_head | page::PG_hugetlb | (dirty ? page::PG_hugetlb_used : 0));
  k.mem.set(head, page::compound_order, static_cast<std::uint8_t>(HUGETLB_SHIFTS[h] - PAGE_SHIFT));
  k.mem.add(hstate_addr(h), hstate::nr_huge_pages, 1);
  enqueue(k, h, head);
}

const char* size_text(unsigned h) {
  return h == 1 ? "1.00 GiB" : "2.00 MiB";
}

}  // namespace

LAddr hstate_addr(unsigned h) {
  return G + mm_globals::hstates + h * hstate::kSize;
}

void hugetlb_reserve_gigantic(Kernel& k, unsigned n) {
  if (n > kMaxBoot1g) n = kMaxBoot1g;
  const LAddr globals = early_sym(k, G);  // paging may still be off
  if (kernel_layout.x86_32) {
    // hugepagesz_setup(): no 1 GB pages without PUD leaves (x86-64 only).
    k.mem.set(globals, mm_globals::boot_1g_count, 0);
    k.printk("HugeTLB: unsupported hugepagesz=1G");
    return;
  }
  unsigned got = 0;
  for (; got < n; ++got) {
    const PAddr pa = memblock_phys_alloc(k, PUD_SIZE, PUD_SIZE);
    if (!pa) break;
    k.mem.set(globals, mm_globals::boot_1g(got), pa);
  }
  k.mem.set(globals, mm_globals::boot_1g_count, got);
  if (got < n)
    k.printk(
        fmt::format("HugeTLB: allocating {} of page size 1.00 GiB failed.  Only allocated {} "
                    "hugepages.",
                    n, got));
}

void hugetlb_init(Kernel& k, unsigned n2m) {
  Guest& g = k.mem;
  for (unsigned h = 0; h < 2; ++h) {
    const LAddr hs = hstate_addr(h);
    g.set(hs, hstate::nr_huge_pages, 0);
    g.set(hs, hstate::free_huge_pages, 0);
    g.set(hs, hstate::resv_huge_pages, 0);
    list::init(g, hs + hstate::freelist);
  }
  // gather_bootmem_prealloc(): memblock's 1 GB pages were never written, so are zero.
  const std::uint64_t n1g = g.get(G, mm_globals::boot_1g_count);
  for (unsigned i = 0; i < n1g; ++i) add_pool_page(k, 1, g.get(G, mm_globals::boot_1g(i)), false);
  if (PMD_SHIFT != HUGETLB_SHIFTS[0]) {
    // i386 without PAE: its huge pages would be 4 MB, which mmvp's hugetlb does not
    // build: no pool at all.
    k.printk("HugeTLB: 4.00 MiB pages (2-level paging) are not supported here; no pools");
    return;
  }
  unsigned got = 0;
  for (; got < n2m; ++got) {  // alloc_pool_huge_folio(): the buddy allocator's order 9
    // htlb_alloc_mask(): GFP_HIGHUSER_MOVABLE, as 2 MB pages are migratable.
    const LAddr page =
        alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN,
                    PMD_SHIFT - PAGE_SHIFT);
    if (!page) break;
    add_pool_page(k, 0, page::page_to_pfn(page) << PAGE_SHIFT, true);
  }
  if (got < n2m)
    k.printk(
        fmt::format("HugeTLB: allocating {} of page size 2.00 MiB failed.  Only allocated {} "
                    "hugepages.",
                    n2m, got));
  for (unsigned h : {1u, 0u}) {  // hugetlb_init_hstates / report_hugepages, largest first
    if (h == 1 && kernel_layout.x86_32) continue;  // 1 GB pages need 64-bit (PUD leaves)
    k.printk(fmt::format("HugeTLB: registered {} page size, pre-allocated {} pages", size_text(h),
                         g.get(hstate_addr(h), hstate::nr_huge_pages)));
  }
}

int hstate_of_flags(std::uint64_t flags) {
  const std::uint64_t shift = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
  if (shift == 0 || shift == HUGETLB_SHIFTS[0]) return 0;
  if (shift == HUGETLB_SHIFTS[1]) return 1;
  return -1;
}

bool hugetlb_reserve(Kernel& k, unsigned h, std::uint64_t pages) {
  const LAddr hs = hstate_addr(h);
  const std::uint64_t free = k.mem.get(hs, hstate::free_huge_pages);
  const std::uint64_t resv = k.mem.get(hs, hstate::resv_huge_pages);
  if (free < resv + pages) return false;
  k.mem.set(hs, hstate::resv_huge_pages, resv + pages);
  return true;
}

LAddr hugetlb_alloc_page(Kernel& k, unsigned h) {
  Guest& g = k.mem;
  const LAddr hs = hstate_addr(h);
  const LAddr head_list = hs + hstate::freelist;
  if (list::empty(g, head_list)) return 0;
  // dequeue_hugetlb_folio_nodemask(): the first free page.
  const LAddr head = g.get(head_list, list::next) - page::lru;
  list::del(g, head + page::lru);
  g.add(hs, hstate::free_huge_pages, ~std::uint64_t{0});
  const std::uint64_t flags = g.get(head, page::flags);
  if (flags & page::PG_hugetlb_used)  // clear_huge_page
    clear_highpages(k, head, 1ULL << (HUGETLB_SHIFTS[h] - PAGE_SHIFT));
  g.set(head, page::flags, flags | page::PG_hugetlb_used);
  return head;
}

void hugetlb_free_page(Kernel& k, LAddr head) {
  const auto order = k.mem.get(head, page::compound_order);
  enqueue(k, order + PAGE_SHIFT == HUGETLB_SHIFTS[1] ? 1 : 0, head);
}

bool hugetlb_fault(Kernel& k, LAddr m, LAddr v, LAddr addr) {
  Guest& g = k.mem;
  const unsigned shift = g.get(v, vma::vm_hpage_shift);
  const unsigned h = hstate_index(shift);
  const LAddr hs = hstate_addr(h);
  const LAddr head = hugetlb_alloc_page(k, h);
  if (!head) return false;
  if (g.get(hs, hstate::resv_huge_pages)) g.add(hs, hstate::resv_huge_pages, ~std::uint64_t{0});
  const LAddr haddr = addr & ~((1ULL << shift) - 1);
  std::uint64_t tables = 0;
  const PAddr slot = pgtable_entry(k, g.get(m, mm::pgd), haddr, level_of(shift), true, &tables);
  g.add(m, mm::pgtables, tables);
  if (!slot) {
    enqueue(k, h, head);
    return false;
  }
  pt_set(g, page::__va(slot),
         (page::page_to_pfn(head) << PAGE_SHIFT) | vm_page_prot(g.get(v, vma::vm_flags)) | pte::PS);
  return true;
}

void hugetlb_unmap(Kernel& k, LAddr m, LAddr v, LAddr start, LAddr end, TlbGather& tlb,
                   bool release) {
  Guest& g = k.mem;
  const unsigned shift = g.get(v, vma::vm_hpage_shift);
  const unsigned h = hstate_index(shift);
  const std::uint64_t size = 1ULL << shift;
  for (LAddr a = start; a < end; a += size) {
    const PAddr slot = pgtable_entry(k, g.get(m, mm::pgd), a, level_of(shift), false);
    const std::uint64_t e = slot ? pt_get(g, page::__va(slot)) : 0;
    const LAddr hs = hstate_addr(h);
    if (!(e & pte::P)) {  // never faulted: its reservation goes back
      if (release && g.get(hs, hstate::resv_huge_pages))
        g.add(hs, hstate::resv_huge_pages, ~std::uint64_t{0});
      continue;
    }
    pt_set(g, page::__va(slot), 0);
    enqueue(k, h, page::pfn_to_page((e & pte::ADDR_MASK) >> PAGE_SHIFT));  // free_huge_folio
    if (!release) g.add(hs, hstate::resv_huge_pages, 1);
    tlb.adjust(a, a + size, shift);
  }
}

std::uint64_t hugetlb_mapped_bytes(Kernel& k, LAddr m, LAddr v) {
  Guest& g = k.mem;
  const unsigned shift = g.get(v, vma::vm_hpage_shift);
  std::uint64_t bytes = 0;
  for (LAddr a = g.get(v, vma::vm_start); a < g.get(v, vma::vm_end); a += 1ULL << shift) {
    const PAddr slot = pgtable_entry(k, g.get(m, mm::pgd), a, level_of(shift), false);
    if (slot && (pt_get(g, page::__va(slot)) & pte::P)) bytes += 1ULL << shift;
  }
  return bytes;
}

}  // namespace mmvp::sw
