// What every fuzz target shares: an invariant check that aborts (libFuzzer then saves
// the input as a crash) and the rule that only the documented error types may leave a
// reader or a loader; anything else escaping is a defect.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "hw/common/types.h"

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace mmvp::fuzz {

// Runs body; InputError and ConfigError are the expected answers to bad input, any
// other exception aborts with its message.
template <typename Body>
void expect_only_input_errors(Body&& body) {
  try {
    body();
  } catch (const InputError&) {
  } catch (const ConfigError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  }
}

}  // namespace mmvp::fuzz
