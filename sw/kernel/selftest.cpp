#include "sw/kernel/selftest.h"

namespace mmvp::sw {
void KTest::fail(const char* file, int line, const std::string& what) {
  std::string msg = std::string(file) + ":" + std::to_string(line) + ": expected " + what;
  if (failures++ == 0) first_failure = msg;
  k.printk("    # " + msg);
}

void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg) {
  for (const auto* e = KTestTable::first(); e; e = e->next()) f(e->value, arg);
}

unsigned run_ktests(Kernel& k, const std::function<bool(const KTestCase&)>& select,
                    const std::function<void(const KTestCase&, const KTest&)>& report) {
  RoutineScope rs(k, Routine::selftest);
  unsigned n = 0;
  for (const auto* e = KTestTable::first(); e; e = e->next()) {
    const KTestCase& c = e->value;
    if (!select(c)) continue;
    KTest t{k, 0, {}};
    try {
      c.fn(t);
    } catch (const std::exception& e) {
      t.fail(__FILE__, __LINE__, std::string("no exception, got: ") + e.what());
    }
    ++n;
    k.printk(std::string(t.failures ? "    not ok " : "    ok ") + std::to_string(n) + " " +
             c.suite + "." + c.name);
    report(c, t);
  }
  return n;
}

}  // namespace mmvp::sw
