#include "tb/sweep/grid.h"

#include <set>

#include "hw/common/types.h"

namespace mmvp::sweep {
namespace {

constexpr std::size_t kMaxAxisValues = 100000;

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool parse_u64(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

// "LO..HI:xF" or "LO..HI:+S" (or "LO..HI", step +1).
std::vector<std::string> expand_range(const std::string& text, std::size_t dots,
                                      const std::string& what) {
  auto fail = [&](const std::string& why) -> ConfigError { return ConfigError(what + ": " + why); };
  std::string lo_text = trim(text.substr(0, dots));
  std::string rest = text.substr(dots + 2);
  std::string hi_text = rest, step_text = "+1";
  if (std::size_t colon = rest.find(':'); colon != std::string::npos) {
    hi_text = rest.substr(0, colon);
    step_text = trim(rest.substr(colon + 1));
  }
  hi_text = trim(hi_text);
  std::uint64_t lo = 0, hi = 0, step = 0;
  if (!parse_u64(lo_text, lo) || !parse_u64(hi_text, hi))
    throw fail("a range needs two unsigned integers, as in 16..2048:x2");
  if (lo > hi) throw fail("the range starts above its end");
  if (step_text.size() < 2 || (step_text[0] != 'x' && step_text[0] != '+') ||
      !parse_u64(step_text.substr(1), step))
    throw fail("the step must be xF (geometric) or +S (arithmetic), as in 16..2048:x2 or 4..16:+4");
  const bool geometric = step_text[0] == 'x';
  if (geometric && step < 2) throw fail("a geometric factor must be 2 or more");
  if (!geometric && step == 0) throw fail("an arithmetic step must be 1 or more");
  if (geometric && lo == 0) throw fail("a geometric range cannot start at 0");
  std::vector<std::string> out;
  for (std::uint64_t v = lo; v <= hi;) {
    if (out.size() == kMaxAxisValues) throw fail("more than 100000 values");
    out.push_back(std::to_string(v));
    if (geometric) {
      if (v > hi / step) break;
      v *= step;
    } else {
      if (v > hi - step) break;
      v += step;
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> expand_grid_values(const std::string& values, const std::string& what) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = values.find(',', start);
    std::string item =
        trim(values.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item.empty()) throw ConfigError(what + ": empty value");
    if (std::size_t dots = item.find(".."); dots != std::string::npos) {
      for (auto& v : expand_range(item, dots, what)) out.push_back(std::move(v));
    } else {
      out.push_back(item);
    }
    if (out.size() > kMaxAxisValues) throw ConfigError(what + ": more than 100000 values");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

GridAxis parse_grid_axis(const std::string& text) {
  const std::string what = "--grid '" + text + "'";
  std::size_t eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError(what + ": expected NAME=VALUES");
  GridAxis axis;
  axis.name = trim(text.substr(0, eq));
  if (axis.name.empty()) throw ConfigError(what + ": empty parameter name");
  if (axis.name.find_first_of(";= ") != std::string::npos)
    throw ConfigError(what + ": a parameter name cannot contain ';', '=' or spaces");
  axis.values = expand_grid_values(text.substr(eq + 1), what);
  for (const auto& v : axis.values) {
    if (v.find(';') != std::string::npos) throw ConfigError(what + ": a value cannot contain ';'");
  }
  return axis;
}

std::string ConfigPoint::key() const {
  std::string k;
  for (const auto& [name, value] : settings) {
    if (!k.empty()) k += ';';
    k += name + '=' + value;
  }
  return k;
}

const std::string* ConfigPoint::value_of(const std::string& name) const {
  for (const auto& kv : settings)
    if (kv.first == name) return &kv.second;
  return nullptr;
}

ConfigPoint parse_config_key(const std::string& key) {
  ConfigPoint p;
  std::size_t start = 0;
  while (start < key.size()) {
    std::size_t semi = key.find(';', start);
    std::string item =
        key.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("configuration '" + key + "': expected name=value;...");
    p.settings.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return p;
}

std::vector<ConfigPoint> cross_product(const std::vector<GridAxis>& axes) {
  std::set<std::string> names;
  for (const auto& a : axes) {
    if (!names.insert(a.name).second)
      throw ConfigError("--grid: parameter " + a.name + " is given twice");
    if (a.values.empty()) throw ConfigError("--grid: parameter " + a.name + " has no values");
  }
  std::vector<ConfigPoint> points(1);
  for (const auto& a : axes) {
    std::vector<ConfigPoint> next;
    next.reserve(points.size() * a.values.size());
    for (const auto& p : points) {
      for (const auto& v : a.values) {
        ConfigPoint q = p;
        q.settings.emplace_back(a.name, v);
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
    if (points.size() > 1000000) throw ConfigError("--grid: more than a million configurations");
  }
  return points;
}

}  // namespace mmvp::sweep
