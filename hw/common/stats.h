// The statistics tree: blocks add named values (dotted names, like params) with a
// one-line description; the report prints as aligned text or as nested JSON.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace mmvp {

class StatsReport {
 public:
  using Value = std::variant<std::uint64_t, double, std::string>;
  struct Entry {
    std::string name;
    Value value;
    std::string description;
  };

  void add(const std::string& name, std::uint64_t v, const std::string& desc) {
    entries_.push_back({name, v, desc});
  }
  void add_real(const std::string& name, double v, const std::string& desc) {
    entries_.push_back({name, v, desc});
  }
  void add_text(const std::string& name, const std::string& v, const std::string& desc) {
    entries_.push_back({name, v, desc});
  }
  // Ratio a/b, 0 when b is 0.
  void add_ratio(const std::string& name, double a, double b, const std::string& desc) {
    add_real(name, b == 0 ? 0.0 : a / b, desc);
  }

  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(const std::string& name) const;
  // Value of an integer statistic; throws std::out_of_range when absent.
  std::uint64_t u64(const std::string& name) const;

  void write_text(std::ostream& os) const;
  void write_json(std::ostream& os) const;  // nested objects following the dots

 private:
  std::vector<Entry> entries_;
};

}  // namespace mmvp
