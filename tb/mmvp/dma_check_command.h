// `mmvp dma-check`: boots the guest kernel, moves verified data through every ISA DMA
// channel in both directions, sets up each kind of bad buffer the DMA validator must
// flag, prints a summary and fails (non-zero exit) if a good transfer failed or a bad
// one went unflagged.
#pragma once
#include <CLI/CLI.hpp>

namespace mmvp::cli {
void add_dma_check_command(CLI::App& app);
}
