// Debug trace flags, as gem5's DPRINTF: one line per event, stamped with the simulated
// time and the block's name, for the flags the user turns on (--debug-flags). A flag
// that is off costs one test of a global word, so the statements stay compiled in.
//
//   DPRINTF(Walker, "mmu.walker", "la {:#x}: PML4E {:#x} = {:#x}", la, pa, e);
//
// prints, once simulated time reaches --debug-start,
//
//   1234567: mmu.walker: la 0x7f0000001000: PML4E 0x1000 = 0x2007
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hw/common/types.h"

namespace mmvp::debug {

enum class Flag : unsigned { Walker, Tlb, Cache, Dram, Dma, Fault, Slab, Buddy, Vmalloc, kCount };

struct FlagInfo {
  Flag flag;
  const char* name;
  const char* description;
};
// Every flag, in the order of Flag.
const std::vector<FlagInfo>& flags();

// Bit i set: Flag(i) is on. Written only by enable() and reset().
inline std::uint32_t mask = 0;
inline bool on(Flag f) {
  return (mask >> static_cast<unsigned>(f)) & 1u;
}

// Turns on the flags of a comma-separated list of names (case as listed, or "All");
// throws ConfigError naming an unknown flag.
void enable(const std::string& list);
// Everything off, output to stderr, start at 0, no clock: the state at program start.
void reset();
// Where lines go: stderr by default; a FILE* the caller keeps open.
void set_output(std::FILE* out);
// Lines for events before this simulated time are dropped.
void set_start(Picos t);
// The simulated time of "now" (the platform sets the core's clock).
void set_clock(std::function<Picos()> now);

// Whether an enabled flag prints now (simulated time has reached the start).
bool printing();
bool printing_at(Picos t);
void print(std::string_view who, std::string_view message);
void print_at(Picos t, std::string_view who, std::string_view message);

}  // namespace mmvp::debug

#define DPRINTF(flag, who, ...)                                              \
  do {                                                                       \
    if (__builtin_expect(::mmvp::debug::on(::mmvp::debug::Flag::flag), 0) && \
        ::mmvp::debug::printing())                                           \
      ::mmvp::debug::print((who), ::fmt::format(__VA_ARGS__));               \
  } while (0)

// The same for an event at simulated time t other than the core's now (a
// transaction's time in a target: sc_time_stamp() plus its annotated delay).
#define DPRINTF_AT(flag, t, who, ...)                                        \
  do {                                                                       \
    if (__builtin_expect(::mmvp::debug::on(::mmvp::debug::Flag::flag), 0) && \
        ::mmvp::debug::printing_at(t))                                       \
      ::mmvp::debug::print_at((t), (who), ::fmt::format(__VA_ARGS__));       \
  } while (0)
