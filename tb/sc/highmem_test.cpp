// HIGHMEM on the i386 kernel, seen from the testbench: a page above lowmem copied
// through kmap_local costs what the kernel cannot see itself: two INVLPGs, and a page
// walk for each fixmap address it maps (the slot's old translation was invalidated), where
// a copy of two lowmem pages through the direct map needs neither.
#include "sw/mm/highmem.h"

#include <gtest/gtest.h>

#include "sw/kernel/boot.h"
#include "sw/mm/init.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

struct Counts {
  std::uint64_t invlpg = 0, walks = 0, dtlb_misses = 0;
};

Counts counts(Platform& platform) {
  StatsReport r;
  platform.report(r);
  return {r.u64("mmu.invlpg"), r.u64("mmu.walker.walks"), r.u64("mmu.dtlb.misses")};
}

// One copy_highpage on an i386 kernel booted with or without PAE.
void check_copy_cost(bool pae) {
  Params p = test::platform_params({"mem.capacity=2G"});
  Platform platform("top", p);
  std::string log;
  Counts high, low;
  std::uint64_t high_pfn = 0, low_pfn = 0, max_low = 0;
  bool same = false;
  test::run_on_kernel(platform, log, [&](sw::Kernel& k) {
    sw::BootOptions opt;
    opt.i386 = true;
    opt.pae = pae;
    sw::start_kernel(k, opt);
    const sw::LAddr a = sw::alloc_page(k, sw::GFP_HIGHUSER),
                    b = sw::alloc_page(k, sw::GFP_HIGHUSER);
    const sw::LAddr la = sw::alloc_page(k, sw::GFP_KERNEL), lb = sw::alloc_page(k, sw::GFP_KERNEL);
    ASSERT_TRUE(a && b && la && lb);
    max_low = sw::max_low_pfn(k);
    high_pfn = sw::page::page_to_pfn(a);
    low_pfn = sw::page::page_to_pfn(la);
    // A pattern in the source, through kmap.
    const sw::LAddr va = sw::kmap(k, a);
    for (unsigned i = 0; i < sw::PAGE_SIZE; i += 8) k.mem.w64(va + i, 0xabc000 + i);
    sw::kunmap(k, a);
    // Warm every translation but the fixmap's, then measure each copy alone.
    sw::copy_highpage(k, lb, la);
    Counts c0 = counts(platform);
    sw::copy_highpage(k, b, a);
    Counts c1 = counts(platform);
    sw::copy_highpage(k, lb, la);
    Counts c2 = counts(platform);
    high = {c1.invlpg - c0.invlpg, c1.walks - c0.walks, c1.dtlb_misses - c0.dtlb_misses};
    low = {c2.invlpg - c1.invlpg, c2.walks - c1.walks, c2.dtlb_misses - c1.dtlb_misses};
    const sw::LAddr vb = sw::kmap(k, b);
    same = k.mem.r64(vb) == 0xabc000 && k.mem.r64(vb + sw::PAGE_SIZE - 8) == 0xabc000 + 4088;
    sw::kunmap(k, b);
  });
  EXPECT_GE(high_pfn, max_low);  // above lowmem: no direct mapping
  EXPECT_LT(low_pfn, max_low);
  EXPECT_TRUE(same);
  // kunmap_local of both slots: one INVLPG each; lowmem needs none.
  EXPECT_EQ(high.invlpg, 2u);
  EXPECT_EQ(low.invlpg, 0u);
  // The two fixmap addresses miss the TLB and are walked; the direct map is warm.
  EXPECT_GE(high.walks, 2u);
  EXPECT_GE(high.dtlb_misses, 2u);
  EXPECT_EQ(low.walks, 0u);
  std::cout << "copy_highpage: highmem " << high.invlpg << " INVLPG, " << high.walks << " walks, "
            << high.dtlb_misses << " DTLB misses; lowmem " << low.invlpg << ", " << low.walks
            << ", " << low.dtlb_misses << "\n";
}

TEST(Highmem, CopyThroughKmapLocalCostsTwoInvlpgsAndTheirWalks) {
  check_copy_cost(true);
}
TEST(Highmem, CopyThroughKmapLocalCostsTheSameWith2LevelPaging) {
  check_copy_cost(false);
}

}  // namespace
}  // namespace mmvp
