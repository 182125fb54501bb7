// Self-tests of vmalloc, vmap and ioremap (suite `vmalloc`): mappings and their
// contents, guard pages, first fit, pages returned to the buddy allocator, TLB flushes
// on unmap, vmap leaving the pages to their owner, the HPET through ioremap, RAM
// refused by ioremap, and /proc/vmallocinfo listing exactly the live areas.
#include <cstdio>
#include <string>

#include "sw/kernel/kallsyms.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

constexpr PAddr kHpetPhys = 0xFED00000;  // the platform's HPET register block
constexpr std::uint64_t kHpetGenConf = 0x010, kHpetCounter = 0x0F0;

std::uint64_t pte_of(Kernel& k, LAddr va, unsigned* level = nullptr) {
  return lookup_address(k, init_pgd(k), va, level);
}

// A vmallocinfo line: range, size, the caller as %pS prints it, then `tail`.
std::string area_line(Kernel& k, LAddr start, std::uint64_t size, const char* caller,
                      const std::string& tail) {
  char buf[160];
  std::snprintf(
      buf, sizeof buf, "0x%016llx-0x%016llx %7llu ", static_cast<unsigned long long>(start),
      static_cast<unsigned long long>(start + size), static_cast<unsigned long long>(size));
  return buf + sprint_symbol(k, kallsyms_call_site(k, caller)) + tail + "\n";
}

unsigned count_lines(const std::string& s) {
  unsigned n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

KTEST(vmalloc, contents_written_through_vmalloc_show_in_the_direct_map) {
  const unsigned n = 4;
  LAddr p = vmalloc(t.k, 3 * PAGE_SIZE + 100, "ktest_map");  // rounds up to 4 pages
  KEXPECT(p != 0);
  if (!p) return;
  KEXPECT(is_vmalloc_addr(p));
  KEXPECT_EQ(p & (PAGE_SIZE - 1), 0u);
  for (unsigned i = 0; i < n; ++i) t.k.mem.w64(p + i * PAGE_SIZE + 8 * i, 0x5a5a0000u + i);
  PAddr first_frame = vmalloc_to_phys(t.k, p);
  for (unsigned i = 0; i < n; ++i) {
    LAddr va = p + i * PAGE_SIZE;
    unsigned level = 0;
    std::uint64_t e = pte_of(t.k, va, &level);
    KEXPECT_EQ(level, 1u);
    // PAGE_KERNEL: XD too, where entries have it (not with 2-level paging, SDM 4.3).
    const std::uint64_t want =
        pte::P | pte::RW | pte::G | (kernel_layout.pte_bytes == 8 ? pte::XD : 0);
    KEXPECT_EQ(e & want, want);
    KEXPECT_EQ(e & (pte::US | pte::PCD | pte::PWT), 0u);
    PAddr pa = vmalloc_to_phys(t.k, va + 8 * i);
    KEXPECT(pa != ~0ULL);
    KEXPECT_EQ(pa & (PAGE_SIZE - 1), 8u * i);
    KEXPECT_EQ(t.k.mem.r64(page::__va(pa)), 0x5a5a0000u + i);
    if (i) KEXPECT((pa & ~(PAGE_SIZE - 1)) != first_frame);
  }
  vfree(t.k, p);
  for (unsigned i = 0; i < n; ++i) KEXPECT_EQ(pte_of(t.k, p + i * PAGE_SIZE), 0u);
  KEXPECT_EQ(vmalloc_to_phys(t.k, p), ~0ULL);
}

KTEST(vmalloc, areas_are_separated_by_an_unmapped_guard_page_and_reused_first_fit) {
  LAddr a = vmalloc(t.k, PAGE_SIZE, "ktest_guard_a");
  LAddr b = vmalloc(t.k, PAGE_SIZE, "ktest_guard_b");
  KEXPECT(a != 0 && b != 0);
  if (!a || !b) return;
  KEXPECT(pte_of(t.k, a) != 0);
  KEXPECT_EQ(pte_of(t.k, a + PAGE_SIZE), 0u);  // the guard page has no PTE
  KEXPECT_EQ(pte_of(t.k, b + PAGE_SIZE), 0u);
  KEXPECT(b >= a + 2 * PAGE_SIZE || b + 2 * PAGE_SIZE <= a);  // ranges with guards disjoint
  // First fit: the lowest gap that fits is a's, once a is gone.
  vfree(t.k, a);
  LAddr c = vmalloc(t.k, PAGE_SIZE, "ktest_guard_c");
  KEXPECT_EQ(c, a);
  vfree(t.k, c);
  vfree(t.k, b);
}

KTEST(vmalloc, vfree_returns_every_page_to_the_buddy_allocator) {
  const std::uint64_t nr = 16;
  // A first round leaves page tables for the range and slab objects behind, as the
  // first vmalloc in a region does; the second round must then balance exactly.
  vfree(t.k, vmalloc(t.k, nr * PAGE_SIZE, "ktest_warmup"));
  std::uint64_t zone_free[MAX_NR_ZONES];
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    zone_free[z] = zone_free_and_pcp_pages(t.k, zone_type(z));
  const std::uint64_t free_before = nr_free_and_pcp_pages(t.k);
  const std::uint64_t used_before = vmalloc_nr_pages(t.k);
  const std::uint64_t node_before = global_node_page_state(t.k, NR_VMALLOC);
  LAddr p = vmalloc(t.k, nr * PAGE_SIZE, "ktest_balance");
  KEXPECT(p != 0);
  if (!p) return;
  KEXPECT(nr_free_and_pcp_pages(t.k) + nr <= free_before);
  KEXPECT_EQ(vmalloc_nr_pages(t.k), used_before + nr);
  KEXPECT_EQ(global_node_page_state(t.k, NR_VMALLOC), node_before + nr);
  LAddr page = page::virt_to_page(page::__va(vmalloc_to_phys(t.k, p)));
  KEXPECT((t.k.mem.get(page, page::flags) & page::PG_vmalloc) != 0);
  vfree(t.k, p);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    KEXPECT_EQ(zone_free_and_pcp_pages(t.k, zone_type(z)), zone_free[z]);
  KEXPECT_EQ(nr_free_and_pcp_pages(t.k), free_before);
  KEXPECT_EQ(vmalloc_nr_pages(t.k), used_before);
  KEXPECT_EQ(global_node_page_state(t.k, NR_VMALLOC), node_before);
}

KTEST(vmalloc, vzalloc_returns_zeroed_pages) {
  // Dirty some pages and give them back, so that vzalloc likely gets them again.
  LAddr dirty = vmalloc(t.k, 4 * PAGE_SIZE, "ktest_dirty");
  KEXPECT(dirty != 0);
  if (dirty) t.k.mem.fill(dirty, 0xa5, 4 * PAGE_SIZE);
  vfree(t.k, dirty);
  LAddr z = vzalloc(t.k, 4 * PAGE_SIZE, "ktest_vzalloc");
  KEXPECT(z != 0);
  if (!z) return;
  std::uint64_t nonzero = 0;
  for (LAddr a = z; a < z + 4 * PAGE_SIZE; a += 8) nonzero += t.k.mem.r64(a) != 0;
  KEXPECT_EQ(nonzero, 0u);
  vfree(t.k, z);
}

KTEST(vmalloc, vfree_clears_the_ptes_and_flushes_the_tlb) {
  LAddr p = vmalloc(t.k, 2 * PAGE_SIZE, "ktest_flush");
  KEXPECT(p != 0);
  if (!p) return;
  t.k.mem.w64(p, 1);  // both pages now have TLB entries
  t.k.mem.w64(p + PAGE_SIZE, 2);
  const std::uint64_t flushed = vmap_flushed_pages(t.k);
  vfree(t.k, p);
  KEXPECT_EQ(vmap_flushed_pages(t.k), flushed + 2);
  KEXPECT_EQ(pte_of(t.k, p), 0u);
  KEXPECT_EQ(pte_of(t.k, p + PAGE_SIZE), 0u);
  KEXPECT_EQ(vmalloc_to_phys(t.k, p + PAGE_SIZE), ~0ULL);
}

KTEST(vmalloc, vunmap_leaves_the_pages_allocated) {
  const unsigned n = 3;
  LAddr array = kmalloc(t.k, n * 8, GFP_KERNEL);
  KEXPECT(array != 0);
  if (!array) return;
  for (unsigned i = 0; i < n; ++i) {
    LAddr page = alloc_page(t.k, GFP_KERNEL);
    KEXPECT(page != 0);
    t.k.mem.w64(array + 8 * i, page);
    t.k.mem.w64(page::page_to_virt(page), 0xfeed0000u + i);
  }
  const std::uint64_t used_before = vmalloc_nr_pages(t.k);
  LAddr v = vmap(t.k, array, n, "ktest_vmap");
  KEXPECT(v != 0);
  if (v) {
    for (unsigned i = 0; i < n; ++i) {
      LAddr page = t.k.mem.r64(array + 8 * i);
      KEXPECT_EQ(t.k.mem.r64(v + i * PAGE_SIZE), 0xfeed0000u + i);
      KEXPECT_EQ(vmalloc_to_phys(t.k, v + i * PAGE_SIZE), page::page_to_pfn(page) << PAGE_SHIFT);
    }
    t.k.mem.w64(v + 2 * PAGE_SIZE + 8, 77);
    KEXPECT_EQ(vmalloc_nr_pages(t.k), used_before);  // vmap allocates no pages
    vunmap(t.k, v);
    for (unsigned i = 0; i < n; ++i) KEXPECT_EQ(pte_of(t.k, v + i * PAGE_SIZE), 0u);
  }
  for (unsigned i = 0; i < n; ++i) {
    LAddr page = t.k.mem.r64(array + 8 * i);
    KEXPECT_EQ(t.k.mem.get(page, page::flags) & page::PG_buddy, 0u);
    KEXPECT_EQ(t.k.mem.get(page, page::refcount), 1);
    KEXPECT_EQ(t.k.mem.r64(page::page_to_virt(page)), 0xfeed0000u + i);
  }
  KEXPECT_EQ(t.k.mem.r64(page::page_to_virt(t.k.mem.r64(array + 16)) + 8), 77u);
  for (unsigned i = 0; i < n; ++i) __free_pages(t.k, t.k.mem.r64(array + 8 * i), 0);
  kfree(t.k, array);
}

KTEST(vmalloc, ioremap_maps_the_hpet_uncached_and_its_counter_advances) {
  LAddr regs = ioremap(t.k, kHpetPhys, 0x400, "ktest_hpet");
  KEXPECT(regs != 0);
  if (!regs) return;
  KEXPECT_EQ(regs & (PAGE_SIZE - 1), 0u);
  unsigned level = 0;
  std::uint64_t e = pte_of(t.k, regs, &level);
  KEXPECT_EQ(level, 1u);
  const std::uint64_t want = pte::P | pte::RW | pte::PCD | pte::PWT | pte::G |
                             (kernel_layout.pte_bytes == 8 ? pte::XD : 0);
  KEXPECT_EQ(e & want, want);
  KEXPECT_EQ(e & pte::US, 0u);
  KEXPECT_EQ(vmalloc_to_phys(t.k, regs + kHpetCounter), kHpetPhys + kHpetCounter);

  std::uint64_t period_fs = t.k.mem.r64(regs) >> 32;  // COUNTER_CLK_PERIOD
  KEXPECT(period_fs > 0 && period_fs <= 100000000u);
  const std::uint64_t conf = t.k.mem.r64(regs + kHpetGenConf);
  t.k.mem.w64(regs + kHpetGenConf, conf | 1);  // ENABLE_CNF
  std::uint64_t c1 = t.k.mem.r64(regs + kHpetCounter);
  t.k.cpu.charge(3000);
  std::uint64_t c2 = t.k.mem.r64(regs + kHpetCounter);
  KEXPECT(c2 > c1);
  t.k.mem.w64(regs + kHpetGenConf, conf);

  // A request that is not page aligned gets the offset back on the address.
  LAddr counter = ioremap(t.k, kHpetPhys + kHpetCounter, 8, "ktest_hpet_counter");
  KEXPECT_EQ(counter & (PAGE_SIZE - 1), kHpetCounter);
  if (counter) KEXPECT(t.k.mem.r64(counter) >= c2);
  iounmap(t.k, counter);
  iounmap(t.k, regs);
  KEXPECT_EQ(pte_of(t.k, regs), 0u);
  KEXPECT(counter == 0 || pte_of(t.k, counter) == 0);
}

KTEST(vmalloc, ioremap_of_usable_ram_is_refused) {
  LAddr page = alloc_page(t.k, GFP_KERNEL);
  KEXPECT(page != 0);
  if (!page) return;
  const PAddr pa = page::page_to_pfn(page) << PAGE_SHIFT;
  const std::string info_before = proc_vmallocinfo(t.k);
  auto console = t.k.console;
  std::string printed;
  t.k.console = [&](std::string_view line) {
    printed.append(line).push_back('\n');
    if (console) console(line);
  };
  LAddr r = ioremap(t.k, pa + 0x10, 0x20, "ktest_ram");
  t.k.console = console;
  KEXPECT_EQ(r, 0u);
  char want[96];
  std::snprintf(want, sizeof want, "ioremap on RAM at 0x%016llx - 0x%016llx",
                static_cast<unsigned long long>(pa + 0x10),
                static_cast<unsigned long long>(pa + 0x2f));
  KEXPECT(printed.find(want) != std::string::npos);
  KEXPECT(proc_vmallocinfo(t.k) == info_before);
  __free_pages(t.k, page, 0);
}

KTEST(vmalloc, vmallocinfo_lists_exactly_the_live_areas) {
  const std::string before = proc_vmallocinfo(t.k);
  LAddr a = vmalloc(t.k, 4 * PAGE_SIZE, "ktest_info_vmalloc");
  LAddr array = kmalloc(t.k, 8, GFP_KERNEL);
  LAddr page = alloc_page(t.k, GFP_KERNEL);
  KEXPECT(a != 0 && array != 0 && page != 0);
  if (!a || !array || !page) return;
  t.k.mem.w64(array, page);
  LAddr v = vmap(t.k, array, 1, "ktest_info_vmap");
  LAddr io = ioremap(t.k, kHpetPhys, 0x400, "ktest_info_ioremap");
  KEXPECT(v != 0 && io != 0);
  const std::string during = proc_vmallocinfo(t.k);
  KEXPECT_EQ(count_lines(during), count_lines(before) + 3);
  KEXPECT(during.find(area_line(t.k, a, 5 * PAGE_SIZE, "ktest_info_vmalloc",
                                " pages=4 vmalloc N0=4")) != std::string::npos);
  KEXPECT(during.find(area_line(t.k, v, 2 * PAGE_SIZE, "ktest_info_vmap", " vmap")) !=
          std::string::npos);
  KEXPECT(during.find(area_line(t.k, io, 2 * PAGE_SIZE, "ktest_info_ioremap",
                                " phys=0x00000000fed00000 ioremap")) != std::string::npos);
  // Address order, as the busy list keeps them.
  std::uint64_t last = 0;
  bool sorted = true;
  for (std::size_t at = 0; at + 18 < during.size();) {
    std::uint64_t start = std::stoull(during.substr(at + 2, 16), nullptr, 16);
    sorted = sorted && start > last;
    last = start;
    std::size_t eol = during.find('\n', at);
    if (eol == std::string::npos) break;
    at = eol + 1;
  }
  KEXPECT(sorted);
  iounmap(t.k, io);
  vunmap(t.k, v);
  vfree(t.k, a);
  __free_pages(t.k, page, 0);
  kfree(t.k, array);
  KEXPECT(proc_vmallocinfo(t.k) == before);
}

KTEST(vmalloc, a_large_area_gets_a_vmalloced_page_array) {
  // 513 pages need a 4104-byte page array: more than a page, so it is vmalloc'd
  // itself (__vmalloc_area_node) and the area shows "vpages".
  const std::string before = proc_vmallocinfo(t.k);
  const std::uint64_t used_before = vmalloc_nr_pages(t.k);
  LAddr p = vmalloc(t.k, 513 * PAGE_SIZE, "ktest_large");
  KEXPECT(p != 0);
  if (!p) return;
  const std::string during = proc_vmallocinfo(t.k);
  KEXPECT(during.find(area_line(t.k, p, 514 * PAGE_SIZE, "ktest_large",
                                " pages=513 vmalloc vpages N0=513")) != std::string::npos);
  KEXPECT(during.find(" 12288 " + sprint_symbol(t.k, kallsyms_call_site(t.k, "ktest_large")) +
                      " pages=2 vmalloc N0=2\n") != std::string::npos);
  KEXPECT_EQ(vmalloc_nr_pages(t.k), used_before + 515);
  t.k.mem.w64(p + 512 * PAGE_SIZE, 513);
  KEXPECT_EQ(t.k.mem.r64(page::__va(vmalloc_to_phys(t.k, p + 512 * PAGE_SIZE))), 513u);
  vfree(t.k, p);
  KEXPECT_EQ(vmalloc_nr_pages(t.k), used_before);
  KEXPECT(proc_vmallocinfo(t.k) == before);
}

KTEST(vmalloc, requests_beyond_total_ram_fail_without_side_effects) {
  const std::string before = proc_vmallocinfo(t.k);
  const std::uint64_t free_before = nr_free_and_pcp_pages(t.k);
  KEXPECT_EQ(vmalloc(t.k, (totalram_pages(t.k) + 1) * PAGE_SIZE, "ktest_huge"), 0u);
  KEXPECT_EQ(vmalloc(t.k, 0, "ktest_empty"), 0u);
  KEXPECT_EQ(ioremap(t.k, kHpetPhys, 0, "ktest_empty"), 0u);
  KEXPECT_EQ(nr_free_and_pcp_pages(t.k), free_before);
  KEXPECT(proc_vmallocinfo(t.k) == before);
}

}  // namespace mmvp::sw
