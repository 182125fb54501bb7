// `mmvp trace FILE...` and `mmvp trace convert IN OUT`.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {

void add_trace_command(CLI::App& app);

}  // namespace mmvp::cli
