// The slab allocator on the model: boots the kernel through the buddy allocator and
// kmem_cache_init, then runs each KTEST of suite `slab` in its own process (with and
// without slub_debug), checks /proc/slabinfo line by line against Linux's format and
// values, and has procps (slabtop, vmstat -m) read it.
#include "sw/mm/slab.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/proc/proc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

// Boots (setup_arch_and_mm + kmem_cache_init) and runs body in the kernel; returns the
// console log.
std::string boot_and_run(bool slab_debug, const std::function<void(sw::Kernel&)>& body) {
  Params p = test::platform_params({"mem.capacity=256M"});
  Platform platform("top", p);
  std::string log;
  test::run_on_kernel(platform, log, [&](sw::Kernel& k) {
    sw::setup_arch_and_mm(k);
    if (slab_debug) sw::slab_debug_enable(k, true);
    sw::kmem_cache_init(k);
    body(k);
  });
  return log;
}

struct SlabCase {
  std::string name;
  bool debug;
};

std::vector<SlabCase> slab_cases() {
  std::vector<SlabCase> cases;
  sw::for_each_ktest(
      [](const sw::KTestCase& c, void* arg) {
        if (std::string(c.suite) != "slab") return;
        auto* v = static_cast<std::vector<SlabCase>*>(arg);
        v->push_back({c.name, false});
        v->push_back({c.name, true});
      },
      &cases);
  return cases;
}

void PrintTo(const SlabCase& c, std::ostream* os) {
  *os << c.name << (c.debug ? " with slub_debug" : "");
}

class SlabKTest : public ::testing::TestWithParam<SlabCase> {};

TEST_P(SlabKTest, Passes) {
  const SlabCase& param = GetParam();
  test::KTestRun run;
  std::string log = boot_and_run(param.debug, [&](sw::Kernel& k) {
    run = test::run_ktests(k, [&](const sw::KTestCase& c) {
      return std::string(c.suite) == "slab" && param.name == c.name;
    });
  });
  EXPECT_EQ(run.cases, 1u);
  EXPECT_TRUE(run.failures.empty()) << (run.failures.empty() ? "" : run.failures[0]) << "\n" << log;
}

INSTANTIATE_TEST_SUITE_P(Slab, SlabKTest, ::testing::ValuesIn(slab_cases()),
                         [](const ::testing::TestParamInfo<SlabCase>& info) {
                           return info.param.name + (info.param.debug ? "_slub_debug" : "");
                         });

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// /proc/slabinfo after a little allocation, and the kmalloc-64 line under debug.
std::string slabinfo_after_boot() {
  std::string text;
  boot_and_run(false, [&](sw::Kernel& k) {
    sw::LAddr a = sw::kmalloc(k, 100, sw::GFP_KERNEL);
    sw::LAddr b = sw::kmalloc(k, 20, sw::GFP_KERNEL | sw::GFP_DMA);
    text = sw::proc_slabinfo(k);
    sw::kfree(k, a);
    sw::kfree(k, b);
  });
  return text;
}

TEST(Slab, SlabinfoHasLinuxFormatAndValues) {
  std::vector<std::string> lines = lines_of(slabinfo_after_boot());
  ASSERT_GE(lines.size(), 3u + 2 * 13);
  EXPECT_EQ(lines[0], "slabinfo - version: 2.1");
  EXPECT_EQ(lines[1],
            "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
            "tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
            "<sharedavail>");
  const std::regex row(
      R"(^(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) : tunables +0 +0 +0 : slabdata +(\d+) +(\d+) +0$)");
  std::map<std::string, std::vector<unsigned long>> by_name;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i], m, row)) << lines[i];
    std::vector<unsigned long> v;
    for (int f = 2; f <= 8; ++f) v.push_back(std::stoul(m[f]));
    // The exact widths of cache_show(): "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u
    // %4u : slabdata %6lu %6lu %6lu".
    char again[256];
    std::snprintf(again, sizeof again,
                  "%-17s %6lu %6lu %6lu %4lu %4lu : tunables %4u %4u %4u : slabdata %6lu %6lu %6u",
                  m[1].str().c_str(), v[0], v[1], v[2], v[3], v[4], 0u, 0u, 0u, v[5], v[6], 0u);
    EXPECT_EQ(lines[i], again);
    EXPECT_LE(v[0], v[1]) << lines[i];         // active <= total objects
    EXPECT_EQ(v[1], v[6] * v[3]) << lines[i];  // objects = slabs * objects per slab
    EXPECT_EQ(v[5], v[6]) << lines[i];         // SLUB: active slabs = slabs
    by_name[m[1]] = v;
  }
  // Newest first: the last dma-kmalloc cache at the top, the boot cache at the bottom.
  EXPECT_EQ(lines[2].rfind("dma-kmalloc-8k ", 0), 0u);
  EXPECT_EQ(lines.back().rfind("kmem_cache ", 0), 0u);
  // Linux's geometry on one CPU (objsize, objperslab, pagesperslab).
  struct Geometry {
    const char* name;
    unsigned long objsize, perslab, pages;
  } expect[] = {{"kmalloc-8", 8, 512, 1},       {"kmalloc-96", 96, 42, 1},
                {"kmalloc-192", 192, 21, 1},    {"kmalloc-1k", 1024, 8, 2},
                {"kmalloc-4k", 4096, 8, 8},     {"kmalloc-8k", 8192, 4, 8},
                {"dma-kmalloc-32", 32, 128, 1}, {"kmem_cache", 192, 21, 1}};
  for (const Geometry& g : expect) {
    ASSERT_TRUE(by_name.count(g.name)) << g.name;
    EXPECT_EQ(by_name[g.name][2], g.objsize) << g.name;
    EXPECT_EQ(by_name[g.name][3], g.perslab) << g.name;
    EXPECT_EQ(by_name[g.name][4], g.pages) << g.name;
  }
  EXPECT_GE(by_name["kmalloc-128"][0], 1u);  // the kmalloc(100) still held
  EXPECT_GE(by_name["dma-kmalloc-32"][0], 1u);
}

// Runs a shell command, returning its exit status and output.
int shell(const std::string& cmd, std::string* out) {
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return -1;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out->append(buf, n);
  return pclose(f);
}

TEST(Slab, ProcpsReadsSlabinfo) {
  std::string text = slabinfo_after_boot();
  char path[] = "/tmp/mmvp-slabinfo-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  std::string probe;
  if (shell("unshare -m true", &probe) != 0) {
    unlink(path);
    GTEST_SKIP() << "unshare -m not permitted here: " << probe;
  }
  auto in_namespace = [&](const std::string& tool) {
    std::string out;
    int rc = shell(
        "unshare -m sh -c 'mount --bind " + std::string(path) + " /proc/slabinfo && " + tool + "'",
        &out);
    EXPECT_EQ(rc, 0) << tool << ":\n" << out;
    return out;
  };
  std::string top = in_namespace("slabtop --once");
  EXPECT_NE(top.find("Active / Total Objects"), std::string::npos) << top;
  EXPECT_NE(top.find("kmalloc-8k"), std::string::npos) << top;
  EXPECT_NE(top.find("dma-kmalloc-96"), std::string::npos) << top;
  std::string vm = in_namespace("vmstat -m");
  EXPECT_NE(vm.find("Cache"), std::string::npos) << vm;
  // vmstat -m: name, active objects, objects, object size, objects per slab.
  const std::regex kmalloc8k(R"((^|\n)kmalloc-8k +\d+ +\d+ +8192 +4\n)");
  EXPECT_TRUE(std::regex_search(vm, kmalloc8k)) << vm;
  unlink(path);
}

TEST(Slab, KmallocOverflowReportUnderSlubDebug) {
  std::string caught;
  std::string log = boot_and_run(true, [&](sw::Kernel& k) {
    sw::LAddr p = sw::kmalloc(k, 64, sw::GFP_KERNEL);
    k.mem.w8(p + 64, 0x00);
    try {
      sw::kfree(k, p);
    } catch (const sw::SlabCorruption& e) {
      caught = e.what();
    }
    sw::kfree(k, p);  // the red zone was restored: a clean free
  });
  EXPECT_EQ(caught, "BUG kmalloc-64 (Not tainted): Right Redzone overwritten");
  const std::regex report(
      "=+\nBUG kmalloc-64 \\(Not tainted\\): Right Redzone overwritten\n-+\n\n"
      "INFO: 0x[0-9a-f]{16}-0x[0-9a-f]{16} @offset=\\d+\\. First byte 0x0 instead of 0xcc\n"
      "INFO: Slab 0x[0-9a-f]{16} objects=\\d+ used=\\d+ fp=0x[0-9a-f]{16} "
      "flags=0x[0-9a-f]+\\(slab\\|zone=\\d\\)\n"
      "INFO: Object 0x[0-9a-f]{16} @offset=\\d+ fp=0x[0-9a-f]{16}\n\n"
      // kmalloc-64 is 64-byte aligned, so its left red zone is 64 bytes.
      "(Redzone  [0-9a-f]{16}: (cc ){15}cc  \\.{16}\n){4}"
      "Object   [0-9a-f]{16}: 5a 5a");
  EXPECT_TRUE(std::regex_search(log, report)) << log;
  EXPECT_NE(log.find("FIX kmalloc-64: Restoring Right Redzone 0x"), std::string::npos) << log;
}

}  // namespace
}  // namespace mmvp
