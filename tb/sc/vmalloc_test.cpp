// vmalloc, vmap and ioremap on the model: boots memory management (setup_arch_and_mm,
// kmem_cache_init, vmalloc_init), runs the `vmalloc` KTEST suite, and checks from the
// testbench what the kernel cannot see itself: /proc/vmallocinfo's format, that an
// access after vfree really faults (the TLB was flushed, not just the PTE cleared),
// that a guard page faults, that an allocation failure unwinds to the last page, and
// that ioremap reaches the HPET device.
#include "sw/mm/vmalloc.h"

#include <regex>
#include <sstream>

#include "sw/kernel/boot.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/slab.h"
#include "sw/proc/proc.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

using test::platform_params;

// The #PF a test provokes on purpose: the handler throws it out of the access.
struct ExpectedFault {
  ExceptionInfo info;
};

// Boots memory management on a fresh platform and runs `body` on the kernel.
void with_kernel(const std::vector<std::string>& sets, std::string& log,
                 const std::function<void(Platform&, sw::Kernel&)>& body) {
  Params p = platform_params(sets);
  Platform platform("top", p);
  test::run_on_kernel(platform, log, [&](sw::Kernel& k) {
    sw::setup_arch_and_mm(k);
    sw::kmem_cache_init(k);
    sw::vmalloc_init(k);
    try {
      body(platform, k);
    } catch (const ExpectedFault& e) {
      ADD_FAILURE() << "unexpected #PF at 0x" << std::hex << e.info.address << ", error code 0x"
                    << e.info.error_code;
    }
  });
}

void throw_on_page_fault(CpuPort& cpu) {
  cpu.set_exception_handler(vec::PF, [](const ExceptionInfo& e) { throw ExpectedFault{e}; });
}

std::uint64_t stat(Platform& platform, const std::string& name) {
  StatsReport r;
  platform.report(r);
  return r.u64(name);
}

TEST(Vmalloc, SelfTestsPass) {
  test::KTestRun run;
  std::string log;
  with_kernel({"mem.capacity=256M"}, log,
              [&](Platform&, sw::Kernel& k) { run = test::run_ktest_suite(k, "vmalloc"); });
  EXPECT_GE(run.cases, 10u);
  for (const auto& f : run.failures) ADD_FAILURE() << f;
  if (!run.failures.empty()) std::cerr << log;
}

TEST(Vmalloc, VmallocinfoHasLinuxFormat) {
  std::string log, info;
  LAddr big = 0, io = 0;
  with_kernel({"mem.capacity=256M"}, log, [&](Platform&, sw::Kernel& k) {
    big = sw::vmalloc(k, 600 * sw::PAGE_SIZE, "alloc_large_system_hash");  // vpages
    sw::vzalloc(k, 5000, "fork_init");
    io = sw::ioremap(k, Platform::kHpetBase + 0x10, 16, "hpet_enable");
    LAddr array = sw::kmalloc(k, 16, sw::GFP_KERNEL);
    k.mem.w64(array, sw::alloc_page(k, sw::GFP_KERNEL));
    k.mem.w64(array + 8, sw::alloc_page(k, sw::GFP_KERNEL));
    sw::vmap(k, array, 2, "vmap_ktest");
    info = sw::proc_vmallocinfo(k);
  });
  // seq_printf(m, "0x%pK-0x%pK %7ld", ...) then " %pS", " pages=%d", " phys=%pa" and the
  // flag words in s_show's order.
  const std::regex line(
      R"(0x([0-9a-f]{16})-0x([0-9a-f]{16}) ( {0,6}\d+) [a-z_][a-z0-9_]*\+0x[0-9a-f]+/0x[0-9a-f]+)"
      R"(( pages=\d+)?( phys=0x[0-9a-f]{16})?( ioremap)?( vmalloc)?( vmap)?( vpages)?( N0=\d+)?)");
  std::istringstream in(info);
  std::string l;
  unsigned lines = 0;
  while (std::getline(in, l)) {
    ++lines;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    std::uint64_t start = std::stoull(m[1], nullptr, 16), end = std::stoull(m[2], nullptr, 16);
    EXPECT_EQ(std::stoull(m[3]), end - start) << l;
    EXPECT_GE(m[3].length(), 7u) << "%7ld: " << l;
    EXPECT_GE(start, sw::VMALLOC_START);
  }
  EXPECT_EQ(lines, 5u) << info;  // + the 600-page area's page array
  // Each caller as %pS prints it: symbol+offset/size, the offset inside the size.
  auto has = [&](const std::string& re) { return std::regex_search(info, std::regex(re)); };
  char range[64];
  std::snprintf(range, sizeof range, "0x%016llx-0x%016llx", static_cast<unsigned long long>(big),
                static_cast<unsigned long long>(big + 601 * sw::PAGE_SIZE));
  EXPECT_TRUE(has(std::string(range) +
                  " 2461696 alloc_large_system_hash\\+0x[0-9a-f]+/0x[0-9a-f]+ pages=600 "
                  "vmalloc vpages N0=600\n"))
      << info;
  EXPECT_TRUE(has("   12288 fork_init\\+0x[0-9a-f]+/0x[0-9a-f]+ pages=2 vmalloc N0=2\n")) << info;
  EXPECT_TRUE(
      has("    8192 hpet_enable\\+0x[0-9a-f]+/0x[0-9a-f]+ phys=0x00000000fed00000 ioremap\n"))
      << info;
  EXPECT_EQ(io & 0xfff, 0x10u);
  EXPECT_TRUE(has("   12288 vmap_ktest\\+0x[0-9a-f]+/0x[0-9a-f]+ vmap\n")) << info;
  // The offset lies inside the symbol: sprint_symbol of the recorded address.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(info, m, std::regex("fork_init\\+0x([0-9a-f]+)/0x([0-9a-f]+)")));
  EXPECT_LT(std::stoull(m[1], nullptr, 16), std::stoull(m[2], nullptr, 16));
}

TEST(Vmalloc, AccessAfterVfreeFaultsBecauseTheTlbWasFlushed) {
  std::string log;
  LAddr p = 0;
  std::uint64_t invlpg = 0, flushed = 0;
  bool faulted = false;
  ExceptionInfo fault;
  bool stale_hit = false;
  with_kernel({"mem.capacity=256M"}, log, [&](Platform& platform, sw::Kernel& k) {
    throw_on_page_fault(k.cpu);
    // Control: clearing a PTE without INVLPG leaves the stale translation usable, so
    // the fault below is the flush's doing.
    LAddr q = sw::vmalloc(k, sw::PAGE_SIZE, "tlb_control");
    k.mem.w64(q, 7);
    const PAddr q_phys = sw::vmalloc_to_phys(k, q);
    const std::uint64_t q_pte = sw::unmap_page(k, sw::init_pgd(k), q);
    try {
      stale_hit = k.mem.r64(q) == 7;
    } catch (const ExpectedFault&) {
      stale_hit = false;
    }
    sw::map_page(k, sw::init_pgd(k), q, q_phys, q_pte & ~sw::pte::ADDR_MASK);
    sw::vfree(k, q);

    p = sw::vmalloc(k, 2 * sw::PAGE_SIZE, "tlb_test");
    k.mem.w64(p, 1);
    k.mem.w64(p + sw::PAGE_SIZE, 2);  // both translations are in the TLB now
    std::uint64_t invlpg_before = stat(platform, "mmu.invlpg");
    std::uint64_t flushed_before = sw::vmap_flushed_pages(k);
    sw::vfree(k, p);
    invlpg = stat(platform, "mmu.invlpg") - invlpg_before;
    flushed = sw::vmap_flushed_pages(k) - flushed_before;
    try {
      k.mem.r64(p + sw::PAGE_SIZE);
    } catch (const ExpectedFault& e) {
      faulted = true;
      fault = e.info;
    }
  });
  EXPECT_TRUE(stale_hit) << "the TLB caches translations: without INVLPG a cleared PTE still maps";
  EXPECT_EQ(invlpg, 2u);
  EXPECT_EQ(flushed, 2u);
  ASSERT_TRUE(faulted);
  EXPECT_EQ(fault.address, p + sw::PAGE_SIZE);
  EXPECT_EQ(fault.error_code & pf::P, 0u) << "not present";
}

TEST(Vmalloc, GuardPageAccessFaults) {
  std::string log;
  LAddr p = 0;
  bool faulted = false;
  ExceptionInfo fault;
  with_kernel({"mem.capacity=256M"}, log, [&](Platform&, sw::Kernel& k) {
    throw_on_page_fault(k.cpu);
    p = sw::vmalloc(k, 3 * sw::PAGE_SIZE, "guard_test");
    LAddr next = sw::vmalloc(k, sw::PAGE_SIZE, "guard_next");
    EXPECT_EQ(next, p + 4 * sw::PAGE_SIZE) << "first fit right after the guard page";
    k.mem.w64(p + 3 * sw::PAGE_SIZE - 8, 1);  // last word of the area
    try {
      k.mem.w64(p + 3 * sw::PAGE_SIZE, 1);  // one past the end
    } catch (const ExpectedFault& e) {
      faulted = true;
      fault = e.info;
    }
  });
  ASSERT_TRUE(faulted);
  EXPECT_EQ(fault.address, p + 3 * sw::PAGE_SIZE);
  EXPECT_EQ(fault.error_code & (pf::P | pf::W), pf::W) << "not-present write";
}

TEST(Vmalloc, AllocationFailureUnwindsToTheLastPage) {
  // 64 MB: asking for every page of RAM passes the totalram check but runs the buddy
  // allocator dry half-way; everything taken must come back.
  std::string log;
  LAddr first = 1, second = 1;
  std::uint64_t free_before = 0, free_after = 0, used_after = 0;
  std::string info_before, info_after;
  with_kernel({"mem.capacity=64M"}, log, [&](Platform&, sw::Kernel& k) {
    std::uint64_t size = sw::totalram_pages(k) * sw::PAGE_SIZE;
    first = sw::vmalloc(k, size, "unwind_warmup");  // page tables for the page array
    free_before = sw::nr_free_and_pcp_pages(k);
    info_before = sw::proc_vmallocinfo(k);
    second = sw::vmalloc(k, size, "unwind_test");
    free_after = sw::nr_free_and_pcp_pages(k);
    info_after = sw::proc_vmallocinfo(k);
    used_after = sw::vmalloc_nr_pages(k);
  });
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(second, 0u);
  EXPECT_EQ(free_after, free_before);
  EXPECT_EQ(info_after, info_before);
  EXPECT_EQ(info_after, "");
  EXPECT_EQ(used_after, 0u);
  EXPECT_NE(log.find("vmalloc error: size "), std::string::npos) << log;
  EXPECT_NE(log.find(", failed to allocate pages"), std::string::npos) << log;
}

TEST(Vmalloc, IoremapReachesTheHpetDevice) {
  std::string log;
  std::uint64_t c1 = 0, c2 = 0, cycles = 0, period = 0, reads = 0;
  with_kernel({"mem.capacity=256M"}, log, [&](Platform& platform, sw::Kernel& k) {
    LAddr regs = sw::ioremap(k, Platform::kHpetBase, 0x400, "hpet_test");
    ASSERT_NE(regs, 0u);
    period = k.mem.r64(regs) >> 32;
    k.mem.w64(regs + 0x10, 1);
    std::uint64_t t0 = k.cpu.cycles();
    c1 = k.mem.r64(regs + 0xF0);
    k.cpu.charge(400000);  // 100 us at 4 GHz
    c2 = k.mem.r64(regs + 0xF0);
    cycles = k.cpu.cycles() - t0;
    reads = stat(platform, "hpet.reads");
    sw::iounmap(k, regs);
  });
  EXPECT_EQ(period, 69841279u);
  EXPECT_EQ(reads, 3u);
  // ~14.3 counts per microsecond: 100 us and a little is 1432 counts and a few more.
  EXPECT_GE(c2 - c1, 1431u);
  EXPECT_LE(c2 - c1, 1431u + cycles / 100);
}

// The device ioremap maps: its TLM responses, straight at its socket.
TEST(Vmalloc, HpetAnswersTlmErrorsInsteadOfCrashing) {
  Params p = platform_params();
  Platform platform("top", p);
  std::vector<tlm::tlm_response_status> got;
  std::uint64_t counter = 0, errors = 0;
  platform.run([&](CpuPort&) {
    auto access = [&](std::uint64_t addr, unsigned len, bool byte_enable, unsigned width) {
      std::uint64_t data = 0;
      unsigned char be[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      tlm::tlm_generic_payload t;
      t.set_command(tlm::TLM_READ_COMMAND);
      t.set_address(addr);
      t.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
      t.set_data_length(len);
      t.set_streaming_width(width);
      if (byte_enable) {
        t.set_byte_enable_ptr(be);
        t.set_byte_enable_length(len);
      }
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      platform.hpet().socket.get_base_export()->b_transport(t, delay);
      got.push_back(t.get_response_status());
      return data;
    };
    counter = access(0x000, 8, false, 8) >> 32;  // capabilities: the period
    access(0x0F0, 2, false, 2);                  // 16-bit access
    access(0x0F2, 4, false, 4);                  // misaligned
    access(0x400, 4, false, 4);                  // past the 1 KB window
    access(0x0F0, 8, true, 8);                   // byte enables
    access(0x0F0, 8, false, 4);                  // streaming
    StatsReport r;
    platform.report(r);
    errors = r.u64("hpet.errors");
  });
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0], tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(counter, 69841279u);
  EXPECT_EQ(got[1], tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(got[2], tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(got[3], tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(got[4], tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_EQ(got[5], tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(errors, 5u);
}

}  // namespace
}  // namespace mmvp
