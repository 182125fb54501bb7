#include "hw/common/params.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mmvp {
namespace {

std::vector<Preset>& preset_table() {
  static std::vector<Preset> table;
  return table;
}

bool parse_bool(const std::string& v, bool& out) {
  if (v == "1" || v == "true" || v == "on" || v == "yes") {
    out = true;
    return true;
  }
  if (v == "0" || v == "false" || v == "off" || v == "no") {
    out = false;
    return true;
  }
  return false;
}

void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out, const std::string& origin) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
    const auto& v = it.value();
    if (v.is_object()) {
      flatten(v, name, out, origin);
    } else if (v.is_string()) {
      out.emplace_back(name, v.get<std::string>());
    } else if (v.is_boolean()) {
      out.emplace_back(name, v.get<bool>() ? "true" : "false");
    } else if (v.is_number_unsigned() || v.is_number_integer()) {
      if (v.is_number_integer() && v.get<std::int64_t>() < 0)
        throw ConfigError(origin + ": " + name + ": negative value " + v.dump());
      out.emplace_back(name, std::to_string(v.get<std::uint64_t>()));
    } else if (v.is_number_float()) {
      out.emplace_back(name, v.dump());  // for real parameters; others reject it
    } else {
      throw ConfigError(origin + ": " + name + ": unsupported value " + v.dump());
    }
  }
}

}  // namespace

bool parse_time(const std::string& text, Picos& out) {
  static const struct {
    const char* suffix;
    std::uint64_t ps;
  } units[] = {{"ps", 1}, {"ns", 1000}, {"us", 1000000}, {"ms", 1000000000}, {"s", 1000000000000}};
  std::string digits = text;
  std::uint64_t mult = 1;
  for (const auto& u : units) {
    const std::size_t n = std::strlen(u.suffix);
    if (digits.size() > n && digits.compare(digits.size() - n, n, u.suffix) == 0) {
      digits.resize(digits.size() - n);
      mult = u.ps;
      break;
    }
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long long v = 0;
  try {
    v = std::stoull(digits);
  } catch (...) {
    return false;
  }
  if (v > UINT64_MAX / mult) return false;
  out = v * mult;
  return true;
}

bool parse_size(const std::string& text, std::uint64_t& out) {
  if (text.empty()) return false;
  std::string t = text;
  std::uint64_t mult = 1;
  char last = static_cast<char>(std::toupper(static_cast<unsigned char>(t.back())));
  bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
  if (!hex) {
    if (last == 'B' && t.size() > 1) {  // accept "64GB", "4KB"
      t.pop_back();
      last = static_cast<char>(std::toupper(static_cast<unsigned char>(t.back())));
    }
    const char* units = "KMGTP";
    if (const char* u = std::strchr(units, last); u && last) {
      mult = 1ULL << (10 * (u - units + 1));
      t.pop_back();
    }
  }
  if (t.empty()) return false;
  std::size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(t, &pos, hex ? 16 : 10);
  } catch (...) {
    return false;
  }
  if (pos != t.size() || t[0] == '-') return false;
  if (mult != 1 && v > UINT64_MAX / mult) return false;
  out = v * mult;
  return true;
}

std::string format_size(std::uint64_t bytes) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  unsigned u = 0;
  while (u < 5 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + units[u];
}

void Params::declare(ParamSpec spec) {
  std::string name = spec.name;
  std::string def = spec.default_value;
  specs_[name] = std::move(spec);
  set(name, def);
}

void Params::set(const std::string& name, const std::string& value) {
  auto it = specs_.find(name);
  if (it == specs_.end()) throw ConfigError("unknown parameter '" + name + "' (see `mmvp params`)");
  const ParamSpec& s = it->second;
  std::string v = value;
  switch (s.type) {
    case ParamType::integer:
    case ParamType::size: {
      std::uint64_t n = 0;
      bool has_unit = v.find_first_of("KMGTPkmgtp") != std::string::npos && v.rfind("0x", 0) != 0 &&
                      v.rfind("0X", 0) != 0;
      bool ok = parse_size(v, n) && (s.type == ParamType::size || !has_unit);
      if (!ok) {
        throw ConfigError(name + ": '" + value + "' is not a " +
                          (s.type == ParamType::size ? "size (e.g. 4096, 2M, 64G)" : "number"));
      }
      if (n < s.min || n > s.max) {
        throw ConfigError(name + ": " + value + " is outside " + std::to_string(s.min) + ".." +
                          std::to_string(s.max));
      }
      v = std::to_string(n);
      break;
    }
    case ParamType::boolean: {
      bool b = false;
      if (!parse_bool(v, b)) throw ConfigError(name + ": '" + value + "' is not true or false");
      v = b ? "true" : "false";
      break;
    }
    case ParamType::choice: {
      if (std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end()) {
        std::string all;
        for (const auto& c : s.choices) all += (all.empty() ? "" : ", ") + c;
        throw ConfigError(name + ": '" + value + "' is not one of " + all);
      }
      break;
    }
    case ParamType::real: {
      char* end = nullptr;
      const double d = v.empty() ? 0 : std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(d))
        throw ConfigError(name + ": '" + value + "' is not a number");
      if (d < static_cast<double>(s.min) || d > static_cast<double>(s.max)) {
        throw ConfigError(name + ": " + value + " is outside " + std::to_string(s.min) + ".." +
                          std::to_string(s.max));
      }
      break;
    }
    case ParamType::text:
      break;
  }
  values_[name] = v;
}

void Params::set_assignment(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set expects name=value, got '" + assignment + "'");
  set(assignment.substr(0, eq), assignment.substr(eq + 1));
}

void Params::apply_preset(const std::string& preset_name) {
  for (const auto& p : presets()) {
    if (p.name == preset_name) {
      for (const auto& [k, v] : p.values) set(k, v);
      return;
    }
  }
  std::string all;
  for (const auto& p : presets()) all += (all.empty() ? "" : ", ") + p.name;
  throw ConfigError("unknown preset '" + preset_name + "' (presets: " + all + ")");
}

void Params::load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  load_json_text(ss.str(), path);
}

void Params::load_json_text(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(origin + ": invalid JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (1e414) is out_of_range, not a parse_error.
    std::string why = e.what();
    if (const std::size_t end = why.find("] "); end != std::string::npos) why.erase(0, end + 2);
    throw ConfigError(origin + ": invalid JSON: " + why);
  }
  if (!j.is_object()) throw ConfigError(origin + ": the config must be a JSON object");
  std::vector<std::pair<std::string, std::string>> flat;
  flatten(j, "", flat, origin);
  // A "preset" key applies first, whatever its position.
  for (const auto& [k, v] : flat)
    if (k == "preset") apply_preset(v);
  for (const auto& [k, v] : flat) {
    if (k == "preset") continue;
    try {
      set(k, v);
    } catch (const ConfigError& e) {
      throw ConfigError(origin + ": " + e.what());
    }
  }
}

const ParamSpec& Params::spec(const std::string& name) const {
  auto it = specs_.find(name);
  if (it == specs_.end()) throw ConfigError("unknown parameter '" + name + "'");
  return it->second;
}

std::uint64_t Params::u64(const std::string& name) const {
  spec(name);
  return std::stoull(values_.at(name));
}

double Params::real(const std::string& name) const {
  spec(name);
  return std::strtod(values_.at(name).c_str(), nullptr);
}

bool Params::flag(const std::string& name) const {
  spec(name);
  return values_.at(name) == "true";
}

const std::string& Params::str(const std::string& name) const {
  spec(name);
  return values_.at(name);
}

std::vector<const ParamSpec*> Params::list() const {
  std::vector<const ParamSpec*> out;
  for (const auto& [k, s] : specs_) out.push_back(&s);
  return out;
}

std::vector<std::pair<std::string, std::string>> Params::values() const {
  return {values_.begin(), values_.end()};
}

void Params::add_preset(Preset p) {
  for (auto& q : preset_table()) {
    if (q.name == p.name) {
      q = std::move(p);
      return;
    }
  }
  preset_table().push_back(std::move(p));
}

void Params::merge_preset(const std::string& name, const std::string& description,
                          const std::vector<std::pair<std::string, std::string>>& values) {
  Preset merged{name, description, {}};
  for (const Preset& existing : presets()) {
    if (existing.name != name) continue;
    merged = existing;
    if (merged.description.empty()) merged.description = description;
  }
  for (const auto& [k, v] : values) {
    bool replaced = false;
    for (auto& kv : merged.values) {
      if (kv.first == k) {
        kv.second = v;
        replaced = true;
      }
    }
    if (!replaced) merged.values.emplace_back(k, v);
  }
  add_preset(std::move(merged));
}

const std::vector<Preset>& Params::presets() {
  return preset_table();
}

}  // namespace mmvp
