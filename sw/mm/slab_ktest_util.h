// Helpers shared by the slab self-tests (slab_ktest.cpp, slab_debug_ktest.cpp).
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "sw/kernel/selftest.h"
#include "sw/mm/slab_internal.h"

namespace mmvp::sw::slab_ktest {

// Keeps the console lines printed while it lives (and still forwards them).
class ConsoleCapture {
 public:
  explicit ConsoleCapture(Kernel& k) : k_(k), saved_(k.console) {
    k_.console = [this](std::string_view line) {
      text_ += line;
      text_ += '\n';
      if (saved_) saved_(line);
    };
  }
  ~ConsoleCapture() { k_.console = saved_; }
  ConsoleCapture(const ConsoleCapture&) = delete;
  ConsoleCapture& operator=(const ConsoleCapture&) = delete;
  bool has(const std::string& s) const { return text_.find(s) != std::string::npos; }
  const std::string& text() const { return text_; }
  void clear() { text_.clear(); }

 private:
  Kernel& k_;
  std::function<void(std::string_view)> saved_;
  std::string text_;
};

// Runs f and returns the SlabCorruption message it threw ("" if none).
inline std::string corruption_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SlabCorruption& e) {
    return e.what();
  }
  return "";
}

inline std::uint64_t node_field(Kernel& k, LAddr s, Field<std::uint64_t> field) {
  return k.mem.get(s, field);
}
inline unsigned objects_per_slab(Kernel& k, LAddr s) {
  return oo_objects(k.mem.get(s, kc::oo));
}
inline unsigned slab_order(Kernel& k, LAddr s) {
  return oo_order(k.mem.get(s, kc::oo));
}

// Compares two strings as a KEXPECT would, printing both on a mismatch.
#define KEXPECT_STREQ(a, b)                                                             \
  do {                                                                                  \
    std::string ka_ = (a), kb_ = (b);                                                   \
    if (ka_ != kb_)                                                                     \
      t.fail(__FILE__, __LINE__, #a " == " #b " (\"" + ka_ + "\" vs \"" + kb_ + "\")"); \
  } while (0)
#define KEXPECT_HAS(text, part)                                                   \
  do {                                                                            \
    std::string kt_ = (text), kp_ = (part);                                       \
    if (kt_.find(kp_) == std::string::npos)                                       \
      t.fail(__FILE__, __LINE__, std::string(#text " contains \"") + kp_ + "\""); \
  } while (0)

}  // namespace mmvp::sw::slab_ktest
