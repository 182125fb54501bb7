// Shared by the SystemC testbenches: sc_main runs GoogleTest, and ctest runs each
// test case as its own process (a SystemC kernel elaborates once per process).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/platform/platform.h"
#include "sw/kernel/boot.h"
#include "sw/kernel/sched.h"
#include "sw/kernel/selftest.h"
#include "sw/kernel/user_replay.h"
#include "tb/mmvp/impls.h"
#include "tb/mmvp/replay.h"

namespace mmvp::test {

// Platform parameters with the defaults, then "name=value" overrides.
inline Params platform_params(const std::vector<std::string>& sets = {}) {
  Params p = all_params();
  for (const auto& s : sets) p.set_assignment(s);
  return p;
}

// Runs body as the platform's program on a kernel (not yet booted) whose printk lines
// are appended to log.
inline void run_on_kernel(Platform& platform, std::string& log,
                          const std::function<void(sw::Kernel&)>& body) {
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    k.console = [&](std::string_view l) {
      log += l;
      log += '\n';
    };
    body(k);
  });
}

// Boots the kernel with its defaults and runs `program` at CPL 3 as its only process
// (named `name`), whose pages fault in on first touch.
inline void run_user_program(Platform& platform, const char* name,
                             const std::function<void(CpuPort&)>& program) {
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    sw::start_kernel(k, {});
    sw::UserProgram prog{name, nullptr, nullptr, [&](sw::Cpu& c) { program(c); }};
    sw::ProcessResult result;
    sw::run_processes(k, &prog, 1, sw::SchedOptions{}, &result);
    EXPECT_FALSE(result.counts.killed) << result.counts.kill_reason;
  });
}

// The outcome of the kernel self-tests `select` accepts, run on booted kernel k.
struct KTestRun {
  unsigned cases = 0;
  std::vector<std::string> failures;  // "suite.name: first failure"
};
inline KTestRun run_ktests(sw::Kernel& k, const std::function<bool(const sw::KTestCase&)>& select) {
  KTestRun run;
  run.cases = sw::run_ktests(k, select, [&](const sw::KTestCase& c, const sw::KTest& t) {
    if (t.failures)
      run.failures.push_back(std::string(c.suite) + "." + c.name + ": " + t.first_failure);
  });
  return run;
}
inline KTestRun run_ktest_suite(sw::Kernel& k, const std::string& suite) {
  return run_ktests(k, [&](const sw::KTestCase& c) { return suite == c.suite; });
}

}  // namespace mmvp::test

int sc_main(int argc, char* argv[]) {
  mmvp::cli::register_builtin_impls();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Our own main (it takes precedence over SystemC's): keeps the SystemC banner out of
// test listings and output.
int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
