// The mmvp command: one executable, one subcommand per job.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <systemc>

#include "hw/common/escape.h"
#include "hw/common/types.h"
#include "hw/cpu/cpu_port.h"
#include "tb/mmvp/demo_command.h"
#include "tb/mmvp/dma_check_command.h"
#include "tb/mmvp/impls.h"
#include "tb/mmvp/latency_command.h"
#include "tb/mmvp/params_command.h"
#include "tb/mmvp/replay.h"
#include "tb/mmvp/sweep_command.h"
#include "tb/mmvp/trace_command.h"

int sc_main(int argc, char* argv[]) {
  mmvp::cli::register_builtin_impls();
  CLI::App app{"mmvp: a cycle-approximate virtual platform of the x86-64 memory system"};
  app.require_subcommand(1);
  mmvp::cli::add_params_command(app);
  mmvp::cli::add_trace_command(app);
  mmvp::cli::add_demo_command(app);
  mmvp::cli::add_sweep_command(app);
  mmvp::cli::add_dma_check_command(app);
  mmvp::cli::add_latency_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mmvp: error: " << mmvp::escape_bytes(e.what()) << "\n";
    return 2;
  } catch (const mmvp::ConfigError& e) {
    std::cerr << "mmvp: error: " << mmvp::escape_bytes(e.what()) << "\n";
    return 2;
  } catch (const mmvp::InputError& e) {
    std::cerr << "mmvp: error: " << mmvp::escape_bytes(e.what()) << "\n";
    return 3;
  } catch (const mmvp::cli::Interrupted& e) {
    std::cerr << "mmvp: " << e.what() << "\n";
    return 130;
  } catch (const mmvp::cli::WorkloadsKilled& e) {
    std::cerr << "mmvp: " << mmvp::escape_bytes(e.what()) << "\n";
    return 5;
  } catch (const mmvp::CpuHalt& e) {
    std::cerr << "mmvp: error: the core halted: " << mmvp::escape_bytes(e.what()) << "\n";
    return 4;
  } catch (const std::exception& e) {
    std::cerr << "mmvp: error: " << mmvp::escape_bytes(e.what()) << "\n";
    return 1;
  }
  return 0;
}

int main(int argc, char* argv[]) {
  // Keep the SystemC banner out of mmvp's output.
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
