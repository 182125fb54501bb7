#include "tb/mmvp/options.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hw/platform/platform.h"
#include "tb/mmvp/replay.h"

namespace mmvp::cli {

void PlatformOptions::add_to(CLI::App& app) {
  app.add_option("--preset", preset, "named parameter set (see `mmvp params`): skylake, tiny");
  app.add_option("--config", configs, "JSON config file (flat dotted names or nested objects)");
  app.add_option("--set", sets, "set one parameter: --set mmu.dtlb.l1_4k.entries=128");
  app.add_option(
      "--quantum", quantum_ns,
      "temporal-decoupling quantum in ns (0: lock-step); same as --set sim.quantum_ns=N");
  app.add_option("--stats-json", stats_json, "also write the statistics as JSON to this file");
  app.add_option("--vcd", vcd, "write probe waveforms to this VCD file");
  app.add_flag("-q,--quiet", quiet, "do not print the statistics");
}

Params PlatformOptions::build_params() const {
  Params p;
  declare_platform_params(p);
  declare_replay_params(p);
  if (!preset.empty()) p.apply_preset(preset);
  for (const auto& c : configs) p.load_json_file(c);
  for (const auto& s : sets) p.set_assignment(s);
  if (quantum_ns >= 0)
    p.set("sim.quantum_ns", std::to_string(quantum_ns));
  else if (quantum_ns < -1)
    throw ConfigError("--quantum: must be 0 or more");
  return p;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw ConfigError("cannot write " + path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw ConfigError("cannot write " + path);
  }
}

void emit_stats(const StatsReport& r, const PlatformOptions& o) {
  if (!o.quiet) r.write_text(std::cout);
  if (!o.stats_json.empty()) {
    std::ostringstream ss;
    r.write_json(ss);
    write_file_atomically(o.stats_json, ss.str());
  }
}

}  // namespace mmvp::cli
