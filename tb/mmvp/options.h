// Command-line options shared by the subcommands that build a platform: presets,
// config files, --set, --quantum, and where statistics and waveforms go.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hw/common/output_file.h"
#include "hw/common/params.h"
#include "hw/common/stats.h"

namespace mmvp {
class Platform;
}

namespace mmvp::cli {

// Where every parameter's value comes from, the one block of options every
// subcommand takes: --preset, then each --config, each --set and --quantum, in that
// order. --config and --set take one value each and may be repeated.
struct ParamOptions {
  std::string preset;
  std::vector<std::string> configs;
  std::vector<std::string> sets;
  long long quantum_ns = -1;  // -1: keep sim.quantum_ns

  void add_to(CLI::App& app);
  // Declares every parameter and applies, in order: preset, config files, --set,
  // --quantum. Throws ConfigError.
  Params build_params() const;
  // The same options as command-line arguments (for child runs).
  std::vector<std::string> args() const;
};

// The parameter block and where a platform run's outputs go.
struct PlatformOptions {
  ParamOptions params;
  std::string stats_json;
  std::string vcd;
  std::string wave_from, wave_to;         // --wave-from/--wave-to (hw/probe/wave_window.h)
  std::vector<std::string> wave_signals;  // --wave-signals, comma-separated groups or globs
  std::string proc_dir;
  std::vector<std::uint64_t> proc_at_ns;
  std::string console;  // kernel log: "" (quiet), "-" (stderr) or a file
  bool quiet = false;
  std::string debug_flags, debug_file, debug_start;  // --debug-* (hw/common/debug.h)

  void add_to(CLI::App& app);
  Params build_params() const { return params.build_params(); }
};

// Turns on the platform's waveform if --vcd was given, windowed by --wave-from (default
// `default_from`, "" for the whole run) and --wave-to, with the --wave-signals
// selection. ConfigError for a bad point or pattern.
void enable_waveform(Platform& platform, const PlatformOptions& o, const std::string& default_from);

// After the run: a note on stderr if the waveform's --wave-from point never came (its
// dump holds the declarations only).
void note_empty_waveform(Platform& platform);

// A vector option that takes exactly one value per occurrence and may be repeated
// (as -D options are), so that `--set a=1 trace.txt` leaves trace.txt a positional
// argument.
CLI::Option* add_repeatable(CLI::App& app, const std::string& name,
                            std::vector<std::string>& values, const std::string& description);

// Writes the report as text to stdout (unless quiet) and as JSON to stats_json (via a
// temporary file renamed into place): into `json` if given, opened on stats_json before
// the run so that a path that cannot be written fails before any work is done.
void emit_stats(const StatsReport& r, const PlatformOptions& o, OutputFile* json = nullptr);
// A log written while the run goes (--console FILE, --debug-file FILE): an OutputFile
// that lands even when the run fails (its log is what explains the failure). finish()
// commits and throws ConfigError on a write error; without it the destructor commits
// and reports an error on stderr.
class LogFile {
 public:
  LogFile(const std::string& path, const std::string& what) : out_(path, what) {}
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  std::FILE* file() { return out_.file(); }
  void finish() { out_.commit(); }

 private:
  OutputFile out_;
};

// Turns the --debug-* options into the debug trace's state for as long as it lives
// (flags, start time, output file); ConfigError for a bad flag, time or file.
class DebugSession {
 public:
  explicit DebugSession(const PlatformOptions& o);
  ~DebugSession();
  DebugSession(const DebugSession&) = delete;
  DebugSession& operator=(const DebugSession&) = delete;
  void finish();  // commits the --debug-file (ConfigError on a write error)

 private:
  std::unique_ptr<LogFile> file_;
};

// The kernel log's sink for --console SPEC: none for "", `dash` for "-", else the file
// SPEC (ConfigError if it cannot be created). `log` keeps the file; finish() it after
// the run.
struct ConsoleSink {
  std::function<void(std::string_view)> sink;
  std::shared_ptr<LogFile> log;
  void finish() {
    if (log) log->finish();
  }
};
ConsoleSink console_sink(const std::string& spec, std::ostream& dash);
struct ReplayPlan;
// Copies --proc, --proc-at and --console (console_sink with `dash`) into the plan.
void apply_output_options(ReplayPlan& plan, const PlatformOptions& o,
                          std::ostream& dash = std::cerr);

}  // namespace mmvp::cli
