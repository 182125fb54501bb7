#include "sw/kernel/selftest.h"

#include <vector>

namespace mmvp::sw {
namespace {
// The registry of test functions (host code, like the kunit_suite section).
std::vector<KTestCase>& registry() {
  static std::vector<KTestCase> cases;
  return cases;
}
}  // namespace

void KTest::fail(const char* file, int line, const std::string& what) {
  std::string msg = std::string(file) + ":" + std::to_string(line) + ": expected " + what;
  if (failures++ == 0) first_failure = msg;
  k.printk("    # " + msg);
}

bool register_ktest(const KTestCase& c) {
  registry().push_back(c);
  return true;
}

void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg) {
  for (const auto& c : registry()) f(c, arg);
}

}  // namespace mmvp::sw
