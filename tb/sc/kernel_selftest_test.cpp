// Runs the kernel's self-tests (KTEST suites) on the model: one suite per test case,
// each booting the guest kernel in its own process.
#include <set>

#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

void run_suite(const std::string& suite, bool slab_debug = false,
               sw::BootOptions opt = sw::BootOptions{}, const char* capacity = "256M") {
  Params p = test::platform_params({std::string("mem.capacity=") + capacity});
  Platform platform("top", p);
  test::KTestRun run;
  std::string log;
  test::run_on_kernel(platform, log, [&](sw::Kernel& k) {
    opt.slab_debug = slab_debug;
    sw::start_kernel(k, opt);
    run = test::run_ktest_suite(k, suite);
  });
  EXPECT_GT(run.cases, 0u) << "no KTEST in suite " << suite;
  for (const auto& f : run.failures) ADD_FAILURE() << f;
  if (!run.failures.empty()) std::cerr << log;
}

TEST(KernelSelftest, buddy) {
  run_suite("buddy");
}
TEST(KernelSelftest, pagealloc) {
  run_suite("pagealloc");
}
TEST(KernelSelftest, memblock) {
  run_suite("memblock");
}
// The memmap with deferred struct page initialisation (kernel.deferred_struct_page_init)
// and without, on a 1 GB guest, where DMA32 is the last zone and all but its first
// section is deferred; the page allocator's own tests on the deferred boot too.
sw::BootOptions deferral(bool on) {
  sw::BootOptions opt;
  opt.deferred_struct_page_init = on;
  return opt;
}
TEST(KernelSelftest, memmap_deferred) {
  run_suite("memmap", false, deferral(true), "1G");
}
TEST(KernelSelftest, memmap_not_deferred) {
  run_suite("memmap", false, deferral(false), "1G");
}
// An 8 GB guest whose boot fast-forwards the middle of its loops over struct pages
// (kernel.memmap_fast_forward, with deferral): every struct page still initialised and
// every free frame managed once.
TEST(KernelSelftest, memmap_fast_forwarded) {
  Params p = test::platform_params({"mem.capacity=8G"});
  Platform platform("top", p);
  test::KTestRun run;
  std::string log;
  std::uint64_t ff_pages = 0;
  test::run_on_kernel(platform, log, [&](sw::Kernel& k) {
    sw::start_kernel(k, deferral(true));
    ff_pages = k.mem.get(sw::MM_GLOBALS, sw::mm_globals::memmap_ff_pages);
    run = test::run_ktest_suite(k, "memmap");
  });
  EXPECT_GT(ff_pages, 1000000u);
  EXPECT_GT(run.cases, 0u);
  for (const auto& f : run.failures) ADD_FAILURE() << f;
}
TEST(KernelSelftest, memblock_deferred) {
  run_suite("memblock", false, deferral(true), "1G");
}
TEST(KernelSelftest, pagealloc_deferred) {
  run_suite("pagealloc", false, deferral(true), "1G");
}
TEST(KernelSelftest, slab) {
  run_suite("slab");
}
TEST(KernelSelftest, vmalloc) {
  run_suite("vmalloc");
}
TEST(KernelSelftest, process) {
  run_suite("process");
}
TEST(KernelSelftest, vma) {
  run_suite("vma");
}
TEST(KernelSelftest, ia32) {
  run_suite("ia32");
}
// The i386 kernel (kernel.arch=i386: PAE, HIGHMEM) on 2 GB: 1.1 GB of it is highmem.
// The suites whose cases hold on either kernel run on it too; buddy, pagealloc,
// vma and memblock still assume x86-64's zones, layout or the SYSCALL ABI in some cases.
sw::BootOptions i386() {
  sw::BootOptions opt;
  opt.i386 = true;
  return opt;
}
TEST(KernelSelftest, highmem_i386) {
  run_suite("highmem", false, i386(), "2G");
}
// Without PAE (kernel.i386.pae=off): 2-level paging, 4 MB pages, 1024 pkmap slots.
sw::BootOptions i386_2level() {
  sw::BootOptions opt = i386();
  opt.pae = false;
  return opt;
}
TEST(KernelSelftest, highmem_i386_2level) {
  run_suite("highmem", false, i386_2level(), "2G");
}
TEST(KernelSelftest, vmalloc_i386_2level) {
  run_suite("vmalloc", false, i386_2level(), "2G");
}
TEST(KernelSelftest, slab_i386_2level) {
  run_suite("slab", false, i386_2level(), "2G");
}
TEST(KernelSelftest, memmap_i386_2level) {
  run_suite("memmap", false, i386_2level(), "2G");
}
TEST(KernelSelftest, process_i386_2level) {
  run_suite("process", false, i386_2level(), "2G");
}
TEST(KernelSelftest, isa_dma_i386_2level) {
  run_suite("isa_dma", false, i386_2level(), "2G");
}
TEST(KernelSelftest, process_i386) {
  run_suite("process", false, i386(), "2G");
}
TEST(KernelSelftest, slab_i386) {
  run_suite("slab", false, i386(), "2G");
}
TEST(KernelSelftest, vmalloc_i386) {
  run_suite("vmalloc", false, i386(), "2G");
}
TEST(KernelSelftest, memmap_i386) {
  run_suite("memmap", false, i386(), "2G");
}
TEST(KernelSelftest, isa_dma_i386) {
  run_suite("isa_dma", false, i386(), "2G");
}
TEST(KernelSelftest, dma_api_i386) {
  run_suite("dma_api", false, i386(), "2G");
}
TEST(KernelSelftest, thp) {
  run_suite("thp");
}
// Pools of four 2 MB pages and one 1 GB page (reserved from memblock: a 2 GB guest).
TEST(KernelSelftest, hugetlb) {
  sw::BootOptions opt;
  opt.hugepages_2m = 4;
  opt.hugepages_1g = 1;
  run_suite("hugetlb", false, opt, "2G");
}
TEST(KernelSelftest, dma_api) {
  run_suite("dma_api");
}
TEST(KernelSelftest, isa_dma) {
  run_suite("isa_dma");
}

}  // namespace
}  // namespace mmvp
