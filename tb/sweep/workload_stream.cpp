#include "tb/sweep/workload_stream.h"

#include <stdexcept>

#include "hw/common/params.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::sweep {

std::unique_ptr<sw::AccessSource> WorkloadSpec::open() const {
  if (is_mix()) throw std::logic_error("WorkloadSpec::open on a mix");
  if (scenario) return std::make_unique<sw::SyntheticWorkload>(synthetic);
  return trace::open_trace(path);
}

WorkloadSpec trace_workload(const std::string& path) {
  trace::open_trace(path);  // fails now, with the file named, if it cannot be read
  WorkloadSpec w;
  w.name = path;
  w.path = path;
  return w;
}

WorkloadSpec mix_workload(const std::string& list) {
  WorkloadSpec w;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = list.find(',', start);
    const std::string path = list.substr(start, comma == std::string::npos ? comma : comma - start);
    if (path.empty()) throw ConfigError("--mix '" + list + "': an empty file name");
    trace::open_trace(path);
    w.name += (w.mix.empty() ? "" : "+") + path;
    w.mix.push_back(path);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (w.mix.size() < 2)
    throw ConfigError("--mix '" + list + "': give two or more traces, comma-separated");
  return w;
}

WorkloadSpec scenario_workload(const std::string& text) {
  const std::string what = "--scenario '" + text + "'";
  std::size_t colon = text.find(':');
  std::string kind = text.substr(0, colon);
  if (kind != "synthetic") throw ConfigError(what + ": unknown scenario (known: synthetic)");
  WorkloadSpec w;
  w.name = text;
  w.scenario = true;
  if (colon == std::string::npos) return w;
  std::string rest = text.substr(colon + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t comma = rest.find(',', start);
    std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw ConfigError(what + ": expected KEY=N, got '" + item + "'");
    std::string key = item.substr(0, eq);
    std::uint64_t v = 0;
    if (!parse_size(item.substr(eq + 1), v))
      throw ConfigError(what + ": '" + item.substr(eq + 1) + "' is not a number");
    if (key == "pages" && v > 0 && v <= (1ull << 26)) {
      w.synthetic.working_set_pages = v;
    } else if (key == "accesses" && v > 0 && v <= (1ull << 40)) {
      w.synthetic.accesses = v;
    } else if (key == "seed") {
      w.synthetic.seed = v;
    } else if (key == "code_kib" && v > 0 && v <= (1ull << 20)) {
      w.synthetic.code_bytes = v * 1024;
    } else if (key == "pages" || key == "accesses" || key == "code_kib") {
      throw ConfigError(what + ": " + key + " " + std::to_string(v) + " is out of range");
    } else {
      throw ConfigError(what + ": unknown key '" + key +
                        "' (known: pages, accesses, seed, code_kib)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return w;
}

}  // namespace mmvp::sweep
