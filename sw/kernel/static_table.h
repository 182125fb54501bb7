// A table of the kernel image filled while the program loads (static initialisation),
// like a linker section (.kunit_test_suites, an initcall level): entries are linked in
// registration order, never written once the kernel runs, and hold code and constant
// data only, so they are not kernel state (which lives in guest memory).
#pragma once

namespace mmvp::sw {

template <typename T>
class StaticTable {
 public:
  class Entry {
   public:
    explicit Entry(const T& v) : value(v) {
      if (tail())
        tail()->next_ = this;
      else
        head() = this;
      tail() = this;
      ++count();
      index_ = count();
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    const T value;
    const Entry* next() const { return next_; }
    unsigned index() const { return index_; }  // 1-based, in registration order

   private:
    Entry* next_ = nullptr;
    unsigned index_ = 0;
  };

  static const Entry* first() { return head(); }
  static unsigned size() { return count(); }

 private:
  // Function-local statics, so entries in other translation units may register first.
  static Entry*& head() {
    static Entry* h = nullptr;
    return h;
  }
  static Entry*& tail() {
    static Entry* t = nullptr;
    return t;
  }
  static unsigned& count() {
    static unsigned n = 0;
    return n;
  }
};

}  // namespace mmvp::sw
