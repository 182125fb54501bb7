#include "hw/common/stats.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace mmvp {

const StatsReport::Entry* StatsReport::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::uint64_t StatsReport::u64(const std::string& name) const {
  const Entry* e = find(name);
  if (!e || !std::holds_alternative<std::uint64_t>(e->value))
    throw std::out_of_range("no integer statistic " + name);
  return std::get<std::uint64_t>(e->value);
}

void StatsReport::write_text(std::ostream& os) const {
  std::size_t width = 0;
  for (const auto& e : entries_) width = std::max(width, e.name.size());
  for (const auto& e : entries_) {
    std::string v;
    if (auto* u = std::get_if<std::uint64_t>(&e.value))
      v = std::to_string(*u);
    else if (auto* d = std::get_if<double>(&e.value))
      v = fmt::format("{:.6g}", *d);
    else
      v = std::get<std::string>(e.value);
    os << fmt::format("{:<{}}  {:>16}  # {}\n", e.name, width, v, e.description);
  }
}

void StatsReport::write_json(std::ostream& os) const {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const auto& e : entries_) {
    nlohmann::ordered_json* node = &root;
    std::size_t start = 0;
    for (;;) {
      std::size_t dot = e.name.find('.', start);
      std::string part = e.name.substr(start, dot == std::string::npos ? dot : dot - start);
      if (dot == std::string::npos) {
        std::visit([&](const auto& v) { (*node)[part] = v; }, e.value);
        break;
      }
      node = &(*node)[part];
      if (!node->is_object()) *node = nlohmann::ordered_json::object();
      start = dot + 1;
    }
  }
  os << root.dump(2) << "\n";
}

}  // namespace mmvp
