#include "tb/sweep/rtl_area.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace mmvp::sweep {
namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::uint64_t number(const std::string& s, const std::string& where) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    throw InputError(where + ": '" + s + "' is not a number");
  return std::stoull(s);
}

}  // namespace

RtlAreaTable RtlAreaTable::read(const std::string& path, const std::string& array) {
  RtlAreaTable t;
  // "mmu.<level>.<name>"
  const std::string prefix = "mmu.";
  const auto dot = array.find('.', prefix.size());
  if (array.compare(0, prefix.size(), prefix) != 0 || dot == std::string::npos)
    throw ConfigError("--area-array: '" + array + "' is not an array such as mmu.dtlb.l1_4k");
  t.level_ = array.substr(prefix.size(), dot - prefix.size());
  t.name_ = array.substr(dot + 1);
  if (t.level_ != "dtlb" && t.level_ != "itlb" && t.level_ != "stlb")
    throw ConfigError("--area-array: '" + array + "' is not an array such as mmu.dtlb.l1_4k");

  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read");
  std::string line;
  if (!std::getline(in, line) || line.rfind("entries,ways,policy,cells,flip_flops", 0) != 0)
    throw InputError(path +
                     ":1: not an rtl-area CSV (header entries,ways,policy,cells,flip_flops)");
  for (unsigned n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    auto f = split_commas(line);
    if (f.size() < 5) throw InputError(where + ": expected 5 fields");
    Replacement policy;
    if (!parse_replacement(f[2], policy))
      throw InputError(where + ": unknown policy '" + f[2] + "'");
    const auto entries = static_cast<unsigned>(number(f[0], where));
    const auto ways = static_cast<unsigned>(number(f[1], where));
    t.by_geometry_[{entries, ways, f[2]}] = {number(f[3], where), number(f[4], where)};
  }
  if (t.by_geometry_.empty()) throw InputError(path + ": no rows");
  return t;
}

std::optional<AreaFigure> RtlAreaTable::lookup(const MmuConfig& m) const {
  const auto& level = level_ == "dtlb" ? m.dtlb : level_ == "itlb" ? m.itlb : m.stlb;
  for (const TlbArrayConfig& a : level) {
    if (a.name != name_ || a.entries == 0) continue;
    const unsigned ways = a.ways == 0 ? a.entries : a.ways;
    auto it = by_geometry_.find({a.entries, ways, replacement_name(a.policy)});
    if (it != by_geometry_.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace mmvp::sweep
