// Self-tests of the i386 kernel's layout and HIGHMEM (run on an i386 boot with more
// memory than lowmem holds): the 3G/1G split and MAXMEM, the zones, GFP_HIGHUSER pages
// above max_low_pfn without a direct mapping, kmap's pkmap slots (reuse, counts, the
// flush when they wrap) and kmap_local's fixmap slots.
#include "sw/kernel/selftest.h"
#include "sw/mm/highmem.h"
#include "sw/mm/init.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

bool in_pkmap(LAddr va) {
  return va >= kernel_layout.pkmap_base &&
         va < kernel_layout.pkmap_base + kernel_layout.last_pkmap * PAGE_SIZE;
}

}  // namespace

KTEST(highmem, layout_is_the_i386_split) {
  KEXPECT(kernel_layout.x86_32);
  // PAE: 3 levels, 2 MB PMD pages, 512 pkmap slots; 2-level: 4 MB, 1024.
  KEXPECT(PGTABLE_LEVELS == 3 || PGTABLE_LEVELS == 2);
  KEXPECT_EQ(PMD_SHIFT, PGTABLE_LEVELS == 3 ? 21u : 22u);
  KEXPECT_EQ(kernel_layout.last_pkmap, PGTABLE_LEVELS == 3 ? 512u : 1024u);
  const std::uint64_t low = max_low_pfn(t.k);
  const LAddr high_memory = t.k.mem.get(MM_GLOBALS, mm_globals::high_memory);
  // lowmem is what MAXMEM allows (VMALLOC_END - PAGE_OFFSET - 128 MB), or all memory.
  KEXPECT_EQ(low, std::min(max_pfn(t.k), kernel_layout.maxmem >> PAGE_SHIFT));
  KEXPECT_EQ(high_memory, PAGE_OFFSET + (low << PAGE_SHIFT));
  KEXPECT_EQ(VMALLOC_START, high_memory + (8ULL << 20));  // VMALLOC_OFFSET
  KEXPECT(VMALLOC_END < kernel_layout.pkmap_base);
  KEXPECT(kernel_layout.pkmap_base + kernel_layout.last_pkmap * PAGE_SIZE <=
          kernel_layout.fixaddr_boot_start);
  // The direct map ends at high_memory: its last byte is mapped, the next is not.
  KEXPECT(lookup_address(t.k, init_pgd(t.k), high_memory - 1) != 0);
  KEXPECT_EQ(lookup_address(t.k, init_pgd(t.k), high_memory), 0u);
  // Zones: DMA below 16 MB, Normal to max_low_pfn, HighMem above.
  KEXPECT_EQ(zone_field(t.k, ZONE_NORMAL, zone::zone_start_pfn) +
                 zone_field(t.k, ZONE_NORMAL, zone::spanned_pages),
             low);
  KEXPECT_EQ(zone_field(t.k, ZONE_HIGHMEM, zone::zone_start_pfn), low);
  KEXPECT(std::string(zone_names[ZONE_HIGHMEM]) == "HighMem");
}

KTEST(highmem, highuser_pages_come_from_highmem_without_an_address) {
  const std::uint64_t low = max_low_pfn(t.k);
  const LAddr user = alloc_page(t.k, GFP_HIGHUSER_MOVABLE);
  const LAddr kern = alloc_page(t.k, GFP_KERNEL);
  KEXPECT(user != 0 && kern != 0);
  KEXPECT(page::page_to_pfn(user) >= low);
  KEXPECT(PageHighMem(t.k, user));
  KEXPECT_EQ(page_address(t.k, user), 0u);
  KEXPECT(page::page_to_pfn(kern) < low);
  KEXPECT(!PageHighMem(t.k, kern));
  KEXPECT_EQ(page_address(t.k, kern), page::page_to_virt(kern));
  // kmap of a lowmem page is its direct-map address, no slot taken.
  KEXPECT_EQ(kmap(t.k, kern), page::page_to_virt(kern));
  kunmap(t.k, kern);
  __free_pages(t.k, user, 0);
  __free_pages(t.k, kern, 0);
}

KTEST(highmem, kmap_copies_a_page_above_lowmem) {
  const LAddr src = alloc_page(t.k, GFP_HIGHUSER);
  const LAddr dst = alloc_page(t.k, GFP_HIGHUSER | __GFP_ZERO);
  KEXPECT(PageHighMem(t.k, src) && PageHighMem(t.k, dst));
  // kmap(): a pkmap slot; a second kmap of the page finds the same one (page_address).
  const LAddr vs = kmap(t.k, src);
  KEXPECT(in_pkmap(vs));
  KEXPECT_EQ(page_address(t.k, src), vs);
  KEXPECT_EQ(kmap(t.k, src), vs);
  for (unsigned i = 0; i < PAGE_SIZE; i += 8) t.k.mem.w64(vs + i, 0x1000 + i);
  kunmap(t.k, src);
  kunmap(t.k, src);
  // The slot stays mapped (count 1) until a flush needs it: the address still works.
  KEXPECT_EQ(page_address(t.k, src), vs);
  // copy_highpage(): two kmap_local slots in the fixmap, each unmapped with INVLPG.
  copy_highpage(t.k, dst, src);
  const LAddr vd = kmap_local_page(t.k, dst);
  KEXPECT_EQ(vd, fix_to_virt(FIX_KMAP_BEGIN));
  KEXPECT_EQ(t.k.mem.r64(vd), 0x1000u);
  KEXPECT_EQ(t.k.mem.r64(vd + PAGE_SIZE - 8), 0x1000u + PAGE_SIZE - 8);
  // Nested (kmap_atomic is the same stack): the next slot is the page below.
  const LAddr vs2 = kmap_atomic(t.k, src);
  KEXPECT_EQ(vs2, fix_to_virt(FIX_KMAP_BEGIN + 1));
  KEXPECT_EQ(t.k.mem.r64(vs2 + 8), 0x1008u);
  kunmap_atomic(t.k, vs2);
  kunmap_local(t.k, vd);
  // The slot's PTE is gone: the address no longer translates.
  KEXPECT_EQ(lookup_address(t.k, init_pgd(t.k), fix_to_virt(FIX_KMAP_BEGIN)), 0u);
  __free_pages(t.k, src, 0);
  __free_pages(t.k, dst, 0);
}

KTEST(highmem, pkmap_slots_wrap_with_one_flush) {
  // LAST_PKMAP + 8 distinct pages, each kmapped and kunmapped: when last_pkmap_nr
  // wraps, flush_all_zero_pkmaps() frees every slot left at count 1, with one flush.
  const unsigned n = kernel_layout.last_pkmap + 8;  // 520, or 1032 without PAE
  const LAddr blocks[2] = {alloc_pages(t.k, GFP_HIGHUSER, 10), alloc_pages(t.k, GFP_HIGHUSER, 10)};
  KEXPECT(blocks[0] != 0 && blocks[1] != 0);
  if (!blocks[0] || !blocks[1]) return;
  const std::uint64_t flushes = t.k.mem.get(MM_GLOBALS, mm_globals::pkmap_flushes);
  LAddr first = 0;
  for (unsigned i = 0; i < n; ++i) {
    const LAddr p = blocks[i / 1024] + (i % 1024) * page::kSize;
    const LAddr va = kmap(t.k, p);
    KEXPECT(in_pkmap(va));
    if (i == 0) first = p;
    kunmap(t.k, p);
  }
  const std::uint64_t now = t.k.mem.get(MM_GLOBALS, mm_globals::pkmap_flushes);
  KEXPECT(now >= flushes + 1 && now <= flushes + 2);
  // The first page's slot was reclaimed by the flush: it has no address any more.
  KEXPECT_EQ(page_address(t.k, first), 0u);
  for (LAddr b : blocks) __free_pages(t.k, b, 10);
}

}  // namespace mmvp::sw
