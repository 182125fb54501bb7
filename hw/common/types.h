// Basic value types shared by every hardware block.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mmvp {

using PAddr = std::uint64_t;  // physical address
using LAddr = std::uint64_t;  // linear (virtual) address
using Picos = std::uint64_t;  // simulated time in picoseconds; the pure cores' time unit

// A configuration problem found while reading parameters: the message names the
// parameter and is printed as a one-line error by the command line.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A malformed input file (trace, config): message carries file and line.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr bool is_pow2(std::uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

}  // namespace mmvp
