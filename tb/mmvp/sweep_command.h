// `mmvp sweep`: TLB sizing sweeps over a grid of configurations and a set of workloads.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {

void add_sweep_command(CLI::App& app);

}  // namespace mmvp::cli
