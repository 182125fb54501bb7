// The kernel's self-tests, like KUnit for mm: test cases run on the model after boot,
// inside the kernel, and report each expectation that fails. The testbench
// (tb/sc/kernel_selftest_test.cpp) boots a platform per suite and runs them.
#pragma once
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

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

// One case of the kernel image's test table, the counterpart of Linux's
// .kunit_test_suites section: code pointers fixed when the program is loaded (static
// initialisation), never written while the kernel runs, so not kernel state (which
// lives in guest memory). The KTEST macro defines one per case; each links itself
// behind the previous one, with no allocation.
class KTestRegistration {
 public:
  explicit KTestRegistration(const KTestCase& c);
  KTestRegistration(const KTestRegistration&) = delete;
  KTestRegistration& operator=(const KTestRegistration&) = delete;

 private:
  friend void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg);
  KTestCase case_;
  KTestRegistration* next_ = nullptr;  // written once, while the program loads
};
// Calls f for every case of the table, in registration order.
void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg);

#define KTEST(suite, name)                                            \
  static void ktest_##suite##_##name(::mmvp::sw::KTest& t);           \
  static ::mmvp::sw::KTestRegistration ktest_reg_##suite##_##name{    \
      ::mmvp::sw::KTestCase{#suite, #name, &ktest_##suite##_##name}}; \
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

}  // namespace mmvp::sw
