// Runs the kernel's self-tests (KTEST suites) on the model: one suite per test case,
// each booting the guest kernel in its own process.
#include <set>

#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/page_alloc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

struct SuiteRun {
  std::string suite;
  sw::Kernel* k;
  int cases = 0;
  std::vector<std::string> failures;
};

void run_suite(const std::string& suite, bool slab_debug = false) {
  Params p = test::platform_params({"mem.capacity=256M"});
  Platform platform("top", p);
  SuiteRun run{suite, nullptr, 0, {}};
  std::string log;
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    k.console = [&](std::string_view l) {
      log += l;
      log += '\n';
    };
    sw::BootOptions opt;
    opt.slab_debug = slab_debug;
    sw::start_kernel(k, opt);
    run.k = &k;
    sw::for_each_ktest(
        [](const sw::KTestCase& c, void* arg) {
          auto* r = static_cast<SuiteRun*>(arg);
          if (r->suite != c.suite) return;
          ++r->cases;
          sw::KTest t{*r->k, 0, {}};
          try {
            c.fn(t);
          } catch (const std::exception& e) {
            t.fail(__FILE__, __LINE__, std::string("no exception, got: ") + e.what());
          }
          if (t.failures) r->failures.push_back(std::string(c.name) + ": " + t.first_failure);
        },
        &run);
  });
  EXPECT_GT(run.cases, 0) << "no KTEST in suite " << suite;
  for (const auto& f : run.failures) ADD_FAILURE() << suite << "." << f;
  if (!run.failures.empty()) std::cerr << log;
}

TEST(KernelSelftest, buddy) {
  run_suite("buddy");
}
TEST(KernelSelftest, memblock) {
  run_suite("memblock");
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
TEST(KernelSelftest, isa_dma) {
  run_suite("isa_dma");
}

}  // namespace
}  // namespace mmvp
