#include "sw/kernel/selftest.h"

namespace mmvp::sw {
namespace {
// Ends of the test table (selftest.h: KTestRegistration). Function-local statics, so
// registrations in other translation units may run first.
KTestRegistration*& table_head() {
  static KTestRegistration* head = nullptr;
  return head;
}
KTestRegistration*& table_tail() {
  static KTestRegistration* tail = nullptr;
  return tail;
}
}  // namespace

void KTest::fail(const char* file, int line, const std::string& what) {
  std::string msg = std::string(file) + ":" + std::to_string(line) + ": expected " + what;
  if (failures++ == 0) first_failure = msg;
  k.printk("    # " + msg);
}

KTestRegistration::KTestRegistration(const KTestCase& c) : case_(c) {
  if (table_tail())
    table_tail()->next_ = this;
  else
    table_head() = this;
  table_tail() = this;
}

void for_each_ktest(void (*f)(const KTestCase&, void*), void* arg) {
  for (const KTestRegistration* r = table_head(); r; r = r->next_) f(r->case_, arg);
}

}  // namespace mmvp::sw
