#include "tb/mmvp/options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
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
  app.add_option("--proc", proc_dir,
                 "write /proc/buddyinfo, slabinfo, zoneinfo, vmallocinfo, meminfo here at the end");
  app.add_option(
      "--proc-at", proc_at_ns,
      "also write them, under DIR/at-<N>ns/, once simulated time reaches N ns (repeatable)");
  app.add_option("--console", console,
                 "write the kernel log (printk) to this file, or - for stderr");
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

void apply_output_options(ReplayPlan& plan, const PlatformOptions& o) {
  plan.proc_dir = o.proc_dir;
  plan.proc_at_ns = o.proc_at_ns;
  std::sort(plan.proc_at_ns.begin(), plan.proc_at_ns.end());
  if (!plan.proc_at_ns.empty() && plan.proc_dir.empty())
    throw ConfigError("--proc-at needs --proc DIR");
  if (o.console == "-") {
    plan.console = [](std::string_view line) { std::cerr << line << "\n"; };
  } else if (!o.console.empty()) {
    auto file = std::make_shared<std::ofstream>(o.console, std::ios::trunc);
    if (!*file) throw ConfigError("--console: cannot write " + o.console);
    plan.console = [file](std::string_view line) { *file << line << "\n"; };
  }
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
