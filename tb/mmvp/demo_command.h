// `mmvp demo`: the default scenario behind scripts/demo.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {
void add_demo_command(CLI::App& app);
}
