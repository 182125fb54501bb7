// Command-line options shared by the subcommands that build a platform: presets,
// config files, --set, --quantum, and where statistics and waveforms go.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/common/stats.h"

namespace mmvp::cli {

struct PlatformOptions {
  std::string preset;
  std::vector<std::string> configs;
  std::vector<std::string> sets;
  long long quantum_ns = -1;  // -1: keep sim.quantum_ns
  std::string stats_json;
  std::string vcd;
  std::string proc_dir;
  std::vector<std::uint64_t> proc_at_ns;
  std::string console;  // kernel log: "" (quiet), "-" (stderr) or a file
  bool quiet = false;

  void add_to(CLI::App& app);
  // Declares every parameter and applies, in order: preset, config files, --set,
  // --quantum. Throws ConfigError.
  Params build_params() const;
};

// Writes the report as text to stdout (unless quiet) and as JSON to stats_json (via a
// temporary file renamed into place).
void emit_stats(const StatsReport& r, const PlatformOptions& o);
struct ReplayPlan;
// Copies --proc, --proc-at and --console into the plan (the console sink writes to
// stderr or appends to the file).
void apply_output_options(ReplayPlan& plan, const PlatformOptions& o);
// Writes `text` to `path` atomically (temporary file, then rename).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mmvp::cli
