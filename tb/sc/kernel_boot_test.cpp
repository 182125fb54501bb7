// Boots the guest kernel's memory setup (setup_arch_and_mm) on platforms of 1, 5, 16
// and 64 GB: the boot log, zone spans, every free frame in the buddy free lists and
// every other frame reserved, /proc/buddyinfo and /proc/zoneinfo parsing back to the
// zones, and the `buddy` and `memblock` KTEST suites.
#include <chrono>
#include <iostream>
#include <sstream>

#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/proc/proc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

using namespace sw;

struct ZoneFacts {
  std::uint64_t start_pfn = 0, spanned = 0, present = 0, managed = 0, free = 0, list_pages = 0;
};

struct BootRun {
  std::string log, buddyinfo, zoneinfo, meminfo;
  std::uint64_t cycles = 0, dram_host_bytes = 0, totalram = 0, max_pfn = 0;
  double host_seconds = 0;
  ZoneFacts zones[kMaxZoneSlots];
  // Frames not accounted for by a full struct page scan (free frames outside any
  // buddy block, or allocated frames not PG_reserved); -1 when not scanned.
  std::int64_t unaccounted = -1;
  // Page-table facts: leaf entries and their levels, kernel-half PGD slots.
  std::uint64_t text_pte = 0, data_pte = 0, direct_pte = 0, vmemmap_pte = 0;
  unsigned text_level = 0, data_level = 0, direct_level = 0, vmemmap_level = 0;
  unsigned user_pgd_entries = 0, vmalloc_pgd_entries = 0;
  std::uint64_t cr3 = 0;
  int ktest_cases = 0;
  std::vector<std::string> ktest_failures;
};

// Walks one free list, counting blocks and checking each is a PG_buddy head of its order.
std::uint64_t walk_free_list(Kernel& k, unsigned z, unsigned order, bool* ok) {
  std::uint64_t n = 0;
  for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) {
    const LAddr head = free_list_addr(z, order, mt);
    for (LAddr e = k.mem.get(head, list::next); e != head; e = k.mem.get(e, list::next)) {
      LAddr page = e - page::lru;
      if (!(k.mem.get(page, page::flags) & page::PG_buddy) ||
          k.mem.get(page, page::private_) != order)
        *ok = false;
      ++n;
    }
  }
  return n;
}

// Every pfn below max_pfn is either inside a free buddy block or PG_reserved.
std::int64_t scan_struct_pages(Kernel& k, std::uint64_t max_pfn) {
  std::int64_t bad = 0;
  for (std::uint64_t pfn = 0; pfn < max_pfn;) {
    LAddr page = page::pfn_to_page(pfn);
    std::uint64_t flags = k.mem.get(page, page::flags);
    if (flags & page::PG_buddy) {
      std::uint64_t order = k.mem.get(page, page::private_);
      for (std::uint64_t i = 1; i < (1ULL << order); ++i)
        bad += (k.mem.get(page::pfn_to_page(pfn + i), page::flags) &
                (page::PG_reserved | page::PG_buddy)) != 0;
      pfn += 1ULL << order;
    } else {
      bad += !(flags & page::PG_reserved);
      ++pfn;
    }
  }
  return bad;
}

BootRun boot(const std::vector<std::string>& sets, bool scan, const char* ktest_suites = nullptr) {
  Params p = test::platform_params(sets);
  Platform platform("top", p);
  BootRun r;
  platform.run([&](CpuPort& cpu) {
    Kernel k(cpu);
    k.console = [&](std::string_view l) {
      r.log += l;
      r.log += '\n';
    };
    std::uint64_t c0 = cpu.cycles();
    auto t0 = std::chrono::steady_clock::now();
    setup_arch_and_mm(k);
    r.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cycles = cpu.cycles() - c0;

    const PAddr pgd = init_pgd(k);
    r.cr3 = cpu.read_cr(3);
    r.text_pte = lookup_address(k, pgd, layout::KERNEL_TEXT, &r.text_level);
    r.data_pte = lookup_address(k, pgd, layout::KERNEL_DATA + 0x1000, &r.data_level);
    r.direct_pte = lookup_address(k, pgd, PAGE_OFFSET + (4ULL << 30), &r.direct_level);
    r.vmemmap_pte = lookup_address(k, pgd, VMEMMAP_START, &r.vmemmap_level);
    for (unsigned i = 0; i < 512; ++i) {
      std::uint64_t e = k.mem.r64(page::__va(pgd) + 8 * i);
      if (i < 256) r.user_pgd_entries += e != 0;
      if (i >= pgd_index(VMALLOC_START) && i <= pgd_index(VMALLOC_END))
        r.vmalloc_pgd_entries += (e & pte::P) != 0;
    }
    r.totalram = totalram_pages(k);
    r.max_pfn = max_pfn(k);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      ZoneFacts& f = r.zones[z];
      f.start_pfn = zone_field(k, z, zone::zone_start_pfn);
      f.spanned = zone_field(k, z, zone::spanned_pages);
      f.present = zone_field(k, z, zone::present_pages);
      f.managed = zone_field(k, z, zone::managed_pages);
      f.free = zone_free_pages(k, static_cast<zone_type>(z));
      bool ok = true;
      for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
        std::uint64_t n = walk_free_list(k, z, o, &ok);
        if (n != k.mem.get(free_area_addr(z, o), free_area::nr_free)) ok = false;
        f.list_pages += n << o;
      }
      if (!ok) f.list_pages = ~0ULL;
    }
    if (scan) r.unaccounted = scan_struct_pages(k, r.max_pfn);
    r.buddyinfo = proc_buddyinfo(k);
    r.zoneinfo = proc_zoneinfo(k);
    r.meminfo = proc_meminfo(k);

    if (!ktest_suites) return;
    const std::string suites = ktest_suites;
    test::KTestRun run = test::run_ktests(k, [&](const KTestCase& c) {
      return suites.find(std::string(",") + c.suite + ",") != std::string::npos;
    });
    r.ktest_cases = static_cast<int>(run.cases);
    r.ktest_failures = run.failures;
  });
  StatsReport rep;
  platform.report(rep);
  r.dram_host_bytes = rep.u64("dram.host_bytes");
  std::cout << "boot " << sets.front() << ": " << r.host_seconds << " host s, " << r.cycles
            << " cycles, dram host bytes " << r.dram_host_bytes << "\n";
  return r;
}

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// The free and managed pages of every zone agree with the free lists.
void expect_every_free_frame_listed(const BootRun& r) {
  std::uint64_t free = 0, managed = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    EXPECT_EQ(r.zones[z].list_pages, r.zones[z].free) << zone_names[z];
    EXPECT_EQ(r.zones[z].free, r.zones[z].managed) << zone_names[z];
    EXPECT_LE(r.zones[z].managed, r.zones[z].present) << zone_names[z];
    free += r.zones[z].free;
    managed += r.zones[z].managed;
  }
  EXPECT_EQ(free, managed);
  EXPECT_EQ(managed, r.totalram);
}

// /proc/buddyinfo: one line per populated zone, 11 counts summing to its free pages.
void expect_buddyinfo_parses(const BootRun& r) {
  std::istringstream in(r.buddyinfo);
  std::string line;
  unsigned lines = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string node, zone_word, name;
    int nid = -1;
    char comma = 0;
    ls >> node >> nid >> comma >> zone_word >> name;
    ASSERT_EQ(comma, ',');
    ASSERT_EQ(node, "Node");
    ASSERT_EQ(zone_word, "zone");
    unsigned z = 0;
    while (z < MAX_NR_ZONES && name != zone_names[z]) ++z;
    ASSERT_LT(z, MAX_NR_ZONES) << line;
    std::uint64_t sum = 0, n = 0;
    for (unsigned o = 0; o < NR_PAGE_ORDERS && ls >> n; ++o) sum += n << o;
    EXPECT_EQ(sum, r.zones[z].free) << line;
    EXPECT_EQ(line.substr(0, 22),
              std::string("Node 0, zone ") + std::string(8 - name.size(), ' ') + name + " ");
    ++lines;
  }
  unsigned populated = 0;
  for (const auto& f : r.zones) populated += f.present != 0;
  EXPECT_EQ(lines, populated);
}

// /proc/zoneinfo: every zone, with its numbers.
void expect_zoneinfo_parses(const BootRun& r) {
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    std::string header = std::string("Node 0, zone ") +
                         std::string(8 - std::string(zone_names[z]).size(), ' ') + zone_names[z] +
                         "\n";
    auto at = r.zoneinfo.find(header);
    ASSERT_NE(at, std::string::npos) << header;
    auto next = r.zoneinfo.find("Node 0, zone", at + 1);
    std::string block =
        r.zoneinfo.substr(at, next == std::string::npos ? std::string::npos : next - at);
    const ZoneFacts& f = r.zones[z];
    EXPECT_TRUE(contains(block, "\n  pages free     " + std::to_string(f.free) + "\n")) << block;
    EXPECT_TRUE(contains(block, "\n        spanned  " + std::to_string(f.spanned) + "\n")) << block;
    EXPECT_TRUE(contains(block, "\n        present  " + std::to_string(f.present) + "\n")) << block;
    EXPECT_TRUE(contains(block, "\n        managed  " + std::to_string(f.managed) + "\n")) << block;
    EXPECT_TRUE(contains(block, "\n        protection: (")) << block;
    if (f.present) {
      EXPECT_TRUE(contains(block, "\n  start_pfn:           " + std::to_string(f.start_pfn) + "\n"))
          << block;
    }
  }
}

// swapper_pg_dir: empty user half, vmalloc PUDs preallocated, the kernel image and
// vmemmap in global 2M pages with the right rights.
void expect_kernel_page_tables(const BootRun& r) {
  EXPECT_EQ(r.cr3, layout::pa_symbol(layout::INIT_PGD));
  EXPECT_EQ(r.user_pgd_entries, 0u);
  EXPECT_EQ(r.vmalloc_pgd_entries, 64u);
  EXPECT_EQ(r.text_level, 2u);
  EXPECT_EQ(r.text_pte & (pte::P | pte::RW | pte::US | pte::PS | pte::G | pte::XD),
            pte::P | pte::PS | pte::G);
  EXPECT_EQ(r.text_pte & pte::ADDR_MASK, layout::KERNEL_PHYS);
  EXPECT_EQ(r.data_level, 2u);
  EXPECT_EQ(r.data_pte & (pte::P | pte::RW | pte::US | pte::PS | pte::G | pte::XD),
            pte::P | pte::RW | pte::PS | pte::G | pte::XD);
  EXPECT_EQ(r.data_pte & pte::ADDR_MASK, layout::KERNEL_PHYS + layout::KERNEL_TEXT_SIZE);
  EXPECT_EQ(r.vmemmap_level, 2u);
  EXPECT_EQ(r.vmemmap_pte & (pte::US | pte::G | pte::XD | pte::RW), pte::G | pte::XD | pte::RW);
}

void expect_common_boot_log(const BootRun& r) {
  expect_kernel_page_tables(r);
  EXPECT_TRUE(contains(r.log, "BIOS-provided physical RAM map:\n"));
  EXPECT_TRUE(contains(r.log, "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"));
  EXPECT_TRUE(contains(r.log, "BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved\n"));
  EXPECT_TRUE(
      contains(r.log, "Zone ranges:\n  DMA      [mem 0x0000000000001000-0x0000000000ffffff]\n"));
  EXPECT_TRUE(contains(r.log, "  node   0: [mem 0x0000000000001000-0x000000000009efff]\n"));
  EXPECT_TRUE(
      contains(r.log, "    vmalloc : 0xffffc90000000000 - 0xffffe8ffffffffff   ( 32767 GB)\n"))
      << r.log;
  EXPECT_TRUE(contains(r.log, "Memory: ")) << r.log;
  // DMA: pfns 1..0xfff spanned, 0x9f..0xff missing, the first MB reserved.
  EXPECT_EQ(r.zones[ZONE_DMA].start_pfn, 1u);
  EXPECT_EQ(r.zones[ZONE_DMA].spanned, 4095u);
  EXPECT_EQ(r.zones[ZONE_DMA].present, 3998u);
  EXPECT_EQ(r.zones[ZONE_DMA].managed, 3840u);
  EXPECT_EQ(r.zones[ZONE_DMA32].start_pfn, 4096u);
  std::uint64_t kb = 0;
  std::istringstream mi(r.meminfo);
  std::string label;
  mi >> label >> kb;
  EXPECT_EQ(label, "MemTotal:");
  EXPECT_EQ(kb, r.totalram * 4);
  EXPECT_TRUE(contains(r.meminfo, "\nVmallocTotal:   34359738367 kB\n")) << r.meminfo;
}

TEST(KernelBoot, OneGigabyteWithSelfTests) {
  BootRun r = boot({"mem.capacity=1G"}, true, ",buddy,memblock,");
  std::cout << r.log << r.buddyinfo << r.zoneinfo << r.meminfo;
  expect_common_boot_log(r);
  EXPECT_TRUE(contains(r.log, "  Normal   empty\n"));
  EXPECT_TRUE(contains(r.log, "  DMA32    [mem 0x0000000001000000-0x000000003fffffff]\n"));
  EXPECT_EQ(r.max_pfn, 0x40000u);
  EXPECT_EQ(r.zones[ZONE_DMA32].spanned, 0x40000u - 4096);
  EXPECT_EQ(r.zones[ZONE_DMA32].present, 0x40000u - 4096);
  EXPECT_EQ(r.zones[ZONE_NORMAL].spanned, 0u);
  expect_every_free_frame_listed(r);
  EXPECT_EQ(r.unaccounted, 0);
  expect_buddyinfo_parses(r);
  expect_zoneinfo_parses(r);
  EXPECT_TRUE(contains(r.meminfo, "\nDirectMap4k:        2048 kB\n")) << r.meminfo;  // [0, 2M)
  EXPECT_EQ(r.ktest_cases, 11);
  for (const auto& f : r.ktest_failures) ADD_FAILURE() << f;
  if (!r.ktest_failures.empty()) std::cerr << r.log;
}

TEST(KernelBoot, FiveGigabytesHaveANormalZone) {
  BootRun r = boot({"mem.capacity=5G"}, true, ",buddy,memblock,");
  expect_common_boot_log(r);
  EXPECT_TRUE(contains(r.log, "  Normal   [mem 0x0000000100000000-0x000000017fffffff]\n")) << r.log;
  EXPECT_EQ(r.max_pfn, 0x180000u);
  EXPECT_EQ(r.zones[ZONE_DMA32].spanned, 0x100000u - 4096);
  EXPECT_EQ(r.zones[ZONE_DMA32].present, 0xc0000u - 4096);  // the MMIO hole [3G, 4G)
  EXPECT_EQ(r.zones[ZONE_NORMAL].start_pfn, 0x100000u);
  EXPECT_EQ(r.zones[ZONE_NORMAL].spanned, 0x80000u);
  EXPECT_EQ(r.zones[ZONE_NORMAL].present, 0x80000u);
  expect_every_free_frame_listed(r);
  EXPECT_EQ(r.unaccounted, 0);
  expect_buddyinfo_parses(r);
  expect_zoneinfo_parses(r);
  for (const auto& f : r.ktest_failures) ADD_FAILURE() << f;
}

TEST(KernelBoot, SixteenGigabytes) {
  BootRun r = boot({"mem.capacity=16G"}, false);
  expect_common_boot_log(r);
  EXPECT_EQ(r.zones[ZONE_NORMAL].spanned, 13ULL << 18);
  expect_every_free_frame_listed(r);
  expect_buddyinfo_parses(r);
}

TEST(KernelBoot, SixtyFourGigabytesAtMaxPhyAddr40) {
  BootRun r = boot({"mem.capacity=64G", "mem.maxphyaddr=40"}, false);
  expect_common_boot_log(r);
  EXPECT_EQ(r.max_pfn, (65ULL << 30) >> PAGE_SHIFT);
  EXPECT_EQ(r.zones[ZONE_NORMAL].present, (61ULL << 30) >> PAGE_SHIFT);
  expect_every_free_frame_listed(r);
  expect_buddyinfo_parses(r);
  expect_zoneinfo_parses(r);
  EXPECT_TRUE(contains(r.meminfo, "\nDirectMap1G:    66060288 kB\n"))
      << r.meminfo;  // [1G, 3G) + [4G, 65G)
  // PAGE_OFFSET + 4 GB: a 1G page of the direct map, global, NX, writable, supervisor.
  EXPECT_EQ(r.direct_level, 3u);
  EXPECT_EQ(r.direct_pte & (pte::P | pte::RW | pte::US | pte::PS | pte::G | pte::XD),
            pte::P | pte::RW | pte::PS | pte::G | pte::XD);
  EXPECT_EQ(r.direct_pte & pte::ADDR_MASK, 4ULL << 30);
}

TEST(KernelBoot, ThirtyTwoMegabytesStillBoot) {
  BootRun r = boot({"mem.capacity=32M"}, true);
  expect_common_boot_log(r);
  EXPECT_TRUE(contains(r.log, "  DMA32    [mem 0x0000000001000000-0x0000000001ffffff]\n")) << r.log;
  expect_every_free_frame_listed(r);
  EXPECT_EQ(r.unaccounted, 0);
  expect_buddyinfo_parses(r);
}

TEST(KernelBoot, RamThatCannotHoldTheKernelImageIsAPanicNotACrash) {
  try {
    boot({"mem.capacity=16M"}, false);
    FAIL() << "expected a kernel panic";
  } catch (const sw::KernelPanic& e) {
    EXPECT_TRUE(contains(e.what(), "the kernel image [mem 0x01000000-0x013fffff] is not in RAM"))
        << e.what();
  }
}

}  // namespace
}  // namespace mmvp
