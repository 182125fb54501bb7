#include "tb/sweep/results.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hw/common/output_file.h"
#include "hw/common/types.h"
#include "tb/sweep/grid.h"

namespace mmvp::sweep {
namespace {

// The fixed columns after the parameter columns, in order.
const char* const kColumns[] = {"engine",
                                "records",
                                "instructions",
                                "dtlb_lookups",
                                "dtlb_hits",
                                "dtlb_misses",
                                "dtlb_miss_rate",
                                "dtlb_mpki",
                                "itlb_lookups",
                                "itlb_hits",
                                "itlb_misses",
                                "itlb_miss_rate",
                                "itlb_mpki",
                                "stlb_lookups",
                                "stlb_hits",
                                "stlb_misses",
                                "stlb_miss_rate",
                                "stlb_mpki",
                                "walks",
                                "walks_pki",
                                "dtlb_reach_kib",
                                "stlb_reach_kib",
                                "rtl_cells",
                                "rtl_flip_flops",
                                "avg_translation_cycles",
                                "translation_cycles",
                                "walk_cycles",
                                "cycles",
                                "cpi",
                                "l1d_misses",
                                "l1d_mpki",
                                "l2_misses",
                                "l2_mpki",
                                "llc_misses",
                                "llc_mpki",
                                "switch_flushes",
                                "switch_flushes_avoided"};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ratio(std::uint64_t a, std::uint64_t b, double scale) {
  if (b == 0) return "";
  return fmt::format("{:.6g}", static_cast<double>(a) * scale / static_cast<double>(b));
}

std::vector<std::string> param_columns(const std::vector<SweepRow>& rows) {
  std::vector<std::string> names;
  for (const SweepRow& r : rows) {
    for (const auto& [name, value] : parse_config_key(r.config).settings) {
      (void)value;
      bool known = false;
      for (const auto& n : names) known = known || n == name;
      if (!known) names.push_back(name);
    }
  }
  return names;
}

// Every fixed column of a row, as text.
std::map<std::string, std::string> fixed_fields(const SweepRow& r) {
  const TlbCounts& c = r.counts;
  const std::uint64_t instr = r.instructions;
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  std::map<std::string, std::string> f;
  for (const char* column : kColumns) f[column] = "";  // empty unless set below
  f["engine"] = r.engine;
  f["records"] = n(r.records);
  f["instructions"] = n(r.instructions);
  const std::pair<const char*, const LevelCounts*> levels[] = {
      {"dtlb", &c.dtlb}, {"itlb", &c.itlb}, {"stlb", &c.stlb}};
  for (const auto& [name, l] : levels) {
    const std::string p = name;
    f[p + "_lookups"] = n(l->lookups);
    f[p + "_hits"] = n(l->hits);
    f[p + "_misses"] = n(l->misses);
    f[p + "_miss_rate"] = ratio(l->misses, l->lookups, 1.0);
    f[p + "_mpki"] = ratio(l->misses, instr, 1000.0);
  }
  f["walks"] = n(c.walks);
  f["walks_pki"] = ratio(c.walks, instr, 1000.0);
  f["dtlb_reach_kib"] = n(r.dtlb_reach_kib);
  f["stlb_reach_kib"] = n(r.stlb_reach_kib);
  f["rtl_cells"] = r.rtl_area ? n(r.rtl_area->cells) : "";
  f["rtl_flip_flops"] = r.rtl_area ? n(r.rtl_area->flip_flops) : "";
  if (r.timed) {
    f["avg_translation_cycles"] = fmt::format("{:.6g}", r.avg_translation_cycles);
    f["translation_cycles"] = n(r.translation_cycles);
    f["walk_cycles"] = n(r.walk_cycles);
    f["cycles"] = n(r.cycles);
    f["cpi"] = ratio(r.cycles, instr, 1.0);
    f["switch_flushes"] = n(r.switch_flushes);
    f["switch_flushes_avoided"] = n(r.switch_flushes_avoided);
    for (auto [name, v] : {std::pair<const char*, std::uint64_t>{"l1d", r.l1d_misses},
                           {"l2", r.l2_misses},
                           {"llc", r.llc_misses}}) {
      f[std::string(name) + "_misses"] = n(v);
      f[std::string(name) + "_mpki"] = ratio(v, instr, 1000.0);
    }
  }
  return f;
}

// Splits one CSV record (RFC 4180 quoting, no embedded newlines).
bool split_csv_line(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (ch == ',') {
      out.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return !quoted;
}

std::uint64_t to_u64(const std::string& s, const std::string& where) {
  if (s.empty()) return 0;
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size()) throw InputError(where + ": '" + s + "' is not a count");
  return v;
}

}  // namespace

std::string rows_to_csv(const std::vector<SweepRow>& rows) {
  const std::vector<std::string> params = param_columns(rows);
  std::string out = "workload,base,config";
  for (const auto& p : params) out += "," + csv_field(p);
  for (const char* c : kColumns) out += std::string(",") + c;
  out += "\n";
  for (const SweepRow& r : rows) {
    out += csv_field(r.workload) + "," + csv_field(r.base) + "," + csv_field(r.config);
    const ConfigPoint point = parse_config_key(r.config);
    for (const auto& p : params) {
      const std::string* v = point.value_of(p);
      out += "," + csv_field(v ? *v : "");
    }
    const auto f = fixed_fields(r);
    for (const char* c : kColumns) {
      auto it = f.find(c);
      out += "," + (it == f.end() ? std::string() : csv_field(it->second));
    }
    out += "\n";
  }
  return out;
}

bool parse_shard_text(const std::string& text, unsigned& k, unsigned& n) {
  char tail = 0;
  return text.find('-') == std::string::npos &&
         std::sscanf(text.c_str(), "%u/%u%c", &k, &n, &tail) == 2 && n >= 1 && n <= 1000000 &&
         k >= 1 && k <= n;
}

bool SweepIdentity::same_sweep(const SweepIdentity& o, std::string& why) const {
  if (workloads != o.workloads) {
    why = "the workloads differ";
  } else if (base != o.base) {
    why = "the base settings differ ('" + base + "' and '" + o.base + "')";
  } else if (axes.size() != o.axes.size()) {
    why = "the grids differ";
  } else if (total_rows != o.total_rows) {
    why = "the numbers of rows differ";
  } else if (shards != o.shards) {
    why = "the numbers of shards differ (" + std::to_string(shards) + " and " +
          std::to_string(o.shards) + ")";
  } else {
    for (std::size_t i = 0; i < axes.size(); ++i) {
      if (axes[i].name != o.axes[i].name || axes[i].values != o.axes[i].values) {
        why = "the grids differ (" + axes[i].name + ")";
        return false;
      }
    }
    return true;
  }
  return false;
}

std::string rows_to_json(const std::vector<SweepRow>& rows, const SweepIdentity* identity) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const SweepRow& r : rows) {
    nlohmann::ordered_json j;
    j["workload"] = r.workload;
    j["base"] = r.base;
    j["config"] = r.config;
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [k, v] : parse_config_key(r.config).settings) params[k] = v;
    j["params"] = params;
    const auto fields = fixed_fields(r);
    for (const char* column : kColumns) {
      const std::string k = column;
      const std::string& v = fields.at(k);
      if (v.empty()) continue;
      if (k == "engine") {
        j[k] = v;
      } else if (v.find_first_of(".e") != std::string::npos) {
        j[k] = std::stod(v);
      } else {
        j[k] = std::stoull(v);
      }
    }
    all.push_back(std::move(j));
  }
  nlohmann::ordered_json root;
  if (identity) {
    nlohmann::ordered_json id;
    id["workloads"] = identity->workloads;
    id["base"] = identity->base;
    nlohmann::ordered_json grid = nlohmann::ordered_json::array();
    for (const GridAxis& a : identity->axes)
      grid.push_back({{"name", a.name}, {"values", a.values}});
    id["grid"] = std::move(grid);
    id["total_rows"] = identity->total_rows;
    if (identity->shards)
      id["shard"] = std::to_string(identity->shard) + "/" + std::to_string(identity->shards);
    root["sweep"] = std::move(id);
  }
  root["rows"] = std::move(all);
  return root.dump(1) + "\n";
}

std::vector<SweepRow> rows_from_csv(const std::string& text, const std::string& origin) {
  std::vector<SweepRow> rows;
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header, fields;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = origin + ":" + std::to_string(line_no);
    if (line.empty()) continue;
    if (!split_csv_line(line, fields)) throw InputError(where + ": unterminated quote");
    if (header.empty()) {
      header = fields;
      if (header.size() < 3 || header[0] != "workload" || header[2] != "config")
        throw InputError(where + ": not a sweep CSV (the header must start workload,base,config)");
      continue;
    }
    if (fields.size() != header.size())
      throw InputError(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                       std::to_string(header.size()));
    std::map<std::string, std::string> f;
    for (std::size_t i = 0; i < header.size(); ++i) f[header[i]] = fields[i];
    SweepRow r;
    r.workload = f["workload"];
    r.base = f["base"];
    r.config = f["config"];
    parse_config_key(r.config);
    r.engine = f["engine"];
    auto u = [&](const char* name) { return to_u64(f[name], where + ": " + name); };
    r.records = u("records");
    r.instructions = u("instructions");
    r.counts.dtlb = {u("dtlb_lookups"), u("dtlb_hits"), u("dtlb_misses")};
    r.counts.itlb = {u("itlb_lookups"), u("itlb_hits"), u("itlb_misses")};
    r.counts.stlb = {u("stlb_lookups"), u("stlb_hits"), u("stlb_misses")};
    r.counts.walks = u("walks");
    r.dtlb_reach_kib = u("dtlb_reach_kib");
    r.stlb_reach_kib = u("stlb_reach_kib");
    if (!f["rtl_cells"].empty()) r.rtl_area = AreaFigure{u("rtl_cells"), u("rtl_flip_flops")};
    r.timed = !f["cycles"].empty();
    if (r.timed) {
      try {
        r.avg_translation_cycles = std::stod(f["avg_translation_cycles"]);
      } catch (const std::exception&) {
        throw InputError(where + ": avg_translation_cycles is not a number");
      }
      r.translation_cycles = u("translation_cycles");
      r.walk_cycles = u("walk_cycles");
      r.cycles = u("cycles");
      // Rows written before the caches existed have no cache columns.
      auto opt = [&](const char* name) { return f[name].empty() ? 0 : u(name); };
      r.l1d_misses = opt("l1d_misses");
      r.l2_misses = opt("l2_misses");
      r.llc_misses = opt("llc_misses");
      r.switch_flushes = opt("switch_flushes");
      r.switch_flushes_avoided = opt("switch_flushes_avoided");
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void write_results(const std::string& prefix, const std::vector<SweepRow>& rows,
                   const SweepIdentity* identity) {
  write_output_file(prefix + ".csv", rows_to_csv(rows), "--out");
  write_output_file(prefix + ".json", rows_to_json(rows, identity), "--out");
}

SweepIdentity read_identity(const std::string& prefix) {
  const std::string path = prefix + ".json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    throw InputError(path + ": not JSON");
  }
  if (!root.is_object() || !root.contains("sweep"))
    throw InputError(path + ": no \"sweep\" object (not written by this version of mmvp sweep)");
  SweepIdentity id;
  try {
    const nlohmann::json& j = root["sweep"];
    id.workloads = j.at("workloads").get<std::vector<std::string>>();
    id.base = j.at("base").get<std::string>();
    for (const auto& a : j.at("grid"))
      id.axes.push_back(
          {a.at("name").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
    id.total_rows = j.at("total_rows").get<std::uint64_t>();
    if (j.contains("shard")) {
      const std::string k = j["shard"].get<std::string>();
      unsigned shard = 0, shards = 0;
      if (!parse_shard_text(k, shard, shards)) throw InputError("bad shard '" + k + "'");
      id.shard = shard;
      id.shards = shards;
    }
  } catch (const InputError& e) {
    throw InputError(path + ": \"sweep\": " + e.what());
  } catch (const std::exception&) {
    throw InputError(path + ": \"sweep\" object is malformed");
  }
  return id;
}

std::vector<SweepRow> read_results(const std::string& prefix) {
  const std::string path = prefix + ".csv";
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return rows_from_csv(ss.str(), path);
}

}  // namespace mmvp::sweep
