// `mmvp latency`: the latency staircase (lat_mem_rd) on the platform, as CSV.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {
void add_latency_command(CLI::App& app);
}
