#include "tb/mmvp/options.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "hw/common/debug.h"
#include "hw/common/output_file.h"
#include "hw/platform/platform.h"
#include "hw/probe/wave_window.h"
#include "sw/kernel/routines.h"
#include "tb/mmvp/replay.h"

namespace mmvp::cli {

CLI::Option* add_repeatable(CLI::App& app, const std::string& name,
                            std::vector<std::string>& values, const std::string& description) {
  return app.add_option(name, values, description)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

void ParamOptions::add_to(CLI::App& app) {
  app.add_option("--preset", preset, "named parameter set (see `mmvp params`): skylake, tiny");
  add_repeatable(app, "--config", configs,
                 "JSON config file (flat dotted names or nested objects); repeatable");
  add_repeatable(app, "--set", sets,
                 "set one parameter: --set mmu.dtlb.l1_4k.entries=128; repeatable");
  app.add_option(
      "--quantum", quantum_ns,
      "temporal-decoupling quantum in ns (0: lock-step); same as --set sim.quantum_ns=N");
}

std::vector<std::string> ParamOptions::args() const {
  std::vector<std::string> a;
  if (!preset.empty()) a.insert(a.end(), {"--preset", preset});
  for (const auto& c : configs) a.insert(a.end(), {"--config", c});
  for (const auto& s : sets) a.insert(a.end(), {"--set", s});
  if (quantum_ns >= 0) a.insert(a.end(), {"--quantum", std::to_string(quantum_ns)});
  return a;
}

void PlatformOptions::add_to(CLI::App& app) {
  params.add_to(app);
  app.add_option("--stats-json", stats_json, "also write the statistics as JSON to this file");
  app.add_option("--wave,--vcd", vcd,
                 "write probe waveforms to this file: GTKWave's compressed FST if it ends in "
                 ".fst, VCD otherwise");
  app.add_option("--wave-from", wave_from,
                 "start the waveform at a time (40us) or event: boot-end, workload:N, cr3:ADDR, "
                 "routine:NAME (trace, demo: workload:1; 0: the whole run)");
  app.add_option("--wave-to", wave_to,
                 "stop the waveform at a time or event (as --wave-from), or +TIME after its start");
  app.add_option("--wave-signals", wave_signals,
                 "only these signals: groups cpu,mmu,cache,dram,dma,rtl or globs (top.cpu.mmu.*)")
      ->delimiter(',');
  app.add_option("--proc", proc_dir,
                 "write /proc/buddyinfo, slabinfo, zoneinfo, vmallocinfo, meminfo, dma and PID/ "
                 "files here at the end");
  app.add_option(
      "--proc-at", proc_at_ns,
      "also write them, under DIR/at-<N>ns/, once simulated time reaches N ns (repeatable)");
  app.add_option("--console", console,
                 "write the kernel log (printk) to this file, or - for stderr");
  app.add_flag("-q,--quiet", quiet, "do not print the statistics");
  app.add_option("--debug-flags", debug_flags,
                 "print one line per event of these blocks (comma-separated; `mmvp debug-flags` "
                 "lists them)");
  app.add_option("--debug-file", debug_file, "write the --debug-flags lines here (default stderr)");
  app.add_option(
      "--debug-start", debug_start,
      "print --debug-flags lines only from this simulated time on (1500, 40ns, 12us, 3ms)");
}

Params ParamOptions::build_params() const {
  Params p = all_params();
  if (!preset.empty()) p.apply_preset(preset);
  for (const auto& c : configs) p.load_json_file(c);
  for (const auto& s : sets) p.set_assignment(s);
  if (quantum_ns >= 0)
    p.set("sim.quantum_ns", std::to_string(quantum_ns));
  else if (quantum_ns < -1)
    throw ConfigError("--quantum: must be 0 or more");
  return p;
}

DebugSession::DebugSession(const PlatformOptions& o) {
  debug::reset();
  if (!o.debug_start.empty()) {
    Picos t = 0;
    if (!parse_time(o.debug_start, t))
      throw ConfigError("--debug-start: '" + o.debug_start +
                        "' is not a simulated time (e.g. 1500, 40ns, 12us, 3ms)");
    debug::set_start(t);
  }
  if (o.debug_flags.empty()) {
    if (!o.debug_file.empty() || !o.debug_start.empty())
      throw ConfigError("--debug-file and --debug-start need --debug-flags");
    return;
  }
  debug::enable(o.debug_flags);
  if (!o.debug_file.empty()) {
    file_ = std::make_unique<LogFile>(o.debug_file, "--debug-file");
    debug::set_output(file_->file());
  }
}

void DebugSession::finish() {
  debug::reset();
  if (file_) file_->finish();
}

DebugSession::~DebugSession() {
  debug::reset();
}

LogFile::~LogFile() {
  try {
    out_.commit();
  } catch (const ConfigError& e) {
    std::cerr << "mmvp: error: " << e.what() << "\n";
  }
}

ConsoleSink console_sink(const std::string& spec, std::ostream& dash) {
  ConsoleSink c;
  if (spec.empty()) return c;
  if (spec == "-") {
    c.sink = [&dash](std::string_view line) { dash << line << "\n"; };
    return c;
  }
  c.log = std::make_shared<LogFile>(spec, "--console");
  std::FILE* f = c.log->file();
  c.sink = [f](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), f);  // errors surface at finish()
    std::fputc('\n', f);
  };
  return c;
}

void apply_output_options(ReplayPlan& plan, const PlatformOptions& o, std::ostream& dash) {
  plan.proc_dir = o.proc_dir;
  plan.proc_at_ns = o.proc_at_ns;
  std::sort(plan.proc_at_ns.begin(), plan.proc_at_ns.end());
  if (!plan.proc_at_ns.empty() && plan.proc_dir.empty())
    throw ConfigError("--proc-at needs --proc DIR");
  // Before the simulation: a directory that cannot be made fails the run at once.
  if (!plan.proc_dir.empty()) make_output_directory(plan.proc_dir, "--proc");
  ConsoleSink c = console_sink(o.console, dash);
  plan.console = c.sink;
  plan.console_log = c.log;
}

void emit_stats(const StatsReport& r, const PlatformOptions& o, OutputFile* json) {
  if (!o.quiet) r.write_text(std::cout);
  if (o.stats_json.empty()) return;
  std::ostringstream ss;
  r.write_json(ss);
  if (!json) {
    write_output_file(o.stats_json, ss.str(), "--stats-json");
    return;
  }
  json->write(ss.str());
  json->commit();
}

void enable_waveform(Platform& platform, const PlatformOptions& o,
                     const std::string& default_from) {
  if (o.vcd.empty()) {
    if (!o.wave_from.empty() || !o.wave_to.empty() || !o.wave_signals.empty())
      throw ConfigError("--wave-from, --wave-to and --wave-signals need --wave FILE");
    return;
  }
  auto routine = [](const std::string& name) {
    return static_cast<std::uint32_t>(sw::routine_by_name(name));
  };
  const std::string from = o.wave_from.empty() ? default_from : o.wave_from;
  WavePoint start;  // time 0
  if (!from.empty()) start = WavePoint::parse(from, "--wave-from", routine);
  if (start.kind == WaveEvent::after)
    throw ConfigError("--wave-from: +TIME is for --wave-to (that long after the start)");
  WavePoint stop;
  if (!o.wave_to.empty()) stop = WavePoint::parse(o.wave_to, "--wave-to", routine);
  if (start.kind == WaveEvent::time && stop.kind == WaveEvent::time && !stop.text.empty() &&
      stop.value <= start.value)
    throw ConfigError("--wave-to " + o.wave_to + " is not after --wave-from " + from);
  platform.enable_vcd(o.vcd, o.wave_signals);
  platform.vcd()->set_window(WaveWindow(start, stop));
}

void note_empty_waveform(Platform& platform) {
  const VcdWriter* vcd = platform.vcd();
  if (vcd && !vcd->window_started())
    std::cerr << "mmvp: note: --wave-from " << vcd->window_from()
              << " never happened: " << vcd->path() << " holds no changes\n";
}

}  // namespace mmvp::cli
