// Shared by the SystemC testbenches: sc_main runs GoogleTest, and ctest runs each
// test case as its own process (a SystemC kernel elaborates once per process).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/platform/platform.h"
#include "tb/mmvp/impls.h"
#include "tb/mmvp/replay.h"

namespace mmvp::test {

// Platform parameters with the defaults, then "name=value" overrides.
inline Params platform_params(const std::vector<std::string>& sets = {}) {
  Params p;
  declare_platform_params(p);
  cli::declare_replay_params(p);
  for (const auto& s : sets) p.set_assignment(s);
  return p;
}

}  // namespace mmvp::test

int sc_main(int argc, char* argv[]) {
  mmvp::cli::register_builtin_impls();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Our own main (it takes precedence over SystemC's): keeps the SystemC banner out of
// test listings and output.
int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
