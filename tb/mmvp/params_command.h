// `mmvp params`: every parameter with its value, default and description; presets.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {
void add_params_command(CLI::App& app);
}
