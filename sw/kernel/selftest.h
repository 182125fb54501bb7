// The kernel's self-tests, like KUnit for mm: test cases run on the model after boot,
// inside the kernel, and report each expectation that fails. The testbench
// (tb/sc/kernel_selftest_test.cpp) boots a platform per suite and runs them.
#pragma once
#include <functional>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/static_table.h"

namespace mmvp::sw {

// A system call made from CPL 3 as a process makes it: SYSCALL, or INT 0x80 (a 32-bit
// process's, with i386 numbers) when int80.
inline std::int64_t user_syscall(Kernel& k, bool int80, std::uint64_t nr, std::uint64_t a0 = 0,
                                 std::uint64_t a1 = 0, std::uint64_t a2 = 0, std::uint64_t a3 = 0,
                                 std::uint64_t a4 = 0, std::uint64_t a5 = 0) {
  SyscallFrame f;
  f.nr = nr;
  f.int80 = int80;
  f.arg[0] = a0, f.arg[1] = a1, f.arg[2] = a2, f.arg[3] = a3, f.arg[4] = a4, f.arg[5] = a5;
  k.cpu.set_cpl(3);
  const std::int64_t r = k.cpu.syscall(f);
  k.cpu.set_cpl(0);
  return r;
}

struct KTest {
  Kernel& k;
  int failures = 0;
  std::string first_failure;
  void fail(const char* file, int line, const std::string& what);
};

using KTestFn = void (*)(KTest&);
struct KTestCase {
  const char* suite;
  const char* name;
  KTestFn fn;
};

// The kernel image's test table, the counterpart of Linux's .kunit_test_suites
// section (static_table.h). The KTEST macro adds one case.
using KTestTable = StaticTable<KTestCase>;
// Calls f for every case of the table, in registration order.
void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg);

// The runner (KUnit's kunit_run_tests): runs every case `select` accepts, in table
// order, each to its end or to the exception it throws (a failure), prints a KTAP line
// per case ("ok N suite.name" or "not ok N ...") and hands each outcome to `report`.
// Returns the number of cases run.
unsigned run_ktests(Kernel& k, const std::function<bool(const KTestCase&)>& select,
                    const std::function<void(const KTestCase&, const KTest&)>& report);

#define KTEST(suite, name)                                               \
  static void ktest_##suite##_##name(::mmvp::sw::KTest& t);              \
  static const ::mmvp::sw::KTestTable::Entry ktest_reg_##suite##_##name{ \
      ::mmvp::sw::KTestCase{#suite, #name, &ktest_##suite##_##name}};    \
  static void ktest_##suite##_##name([[maybe_unused]] ::mmvp::sw::KTest& t)

#define KEXPECT(cond)                               \
  do {                                              \
    if (!(cond)) t.fail(__FILE__, __LINE__, #cond); \
  } while (0)
#define KEXPECT_EQ(a, b)                                                                           \
  do {                                                                                             \
    auto ka_ = (a);                                                                                \
    auto kb_ = (b);                                                                                \
    if (!(ka_ == kb_))                                                                             \
      t.fail(__FILE__, __LINE__,                                                                   \
             std::string(#a " == " #b " (") + std::to_string(ka_) + " vs " + std::to_string(kb_) + \
                 ")");                                                                             \
  } while (0)

// The console lines a KTEST's code prints while f runs (the kernel's console is given
// back afterwards), for checking a report's text.
template <typename F>
std::string capture_console(Kernel& k, F&& f) {
  std::string log;
  auto saved = k.console;
  k.console = [&](std::string_view line) { log.append(line).push_back('\n'); };
  f();
  k.console = saved;
  return log;
}

}  // namespace mmvp::sw
