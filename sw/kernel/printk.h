// Number formats of the kernel's messages, as Linux's vsprintf prints them: %#lx is
// "0x" and hex digits, also for zero ("0x0", where glibc's printf would print "0").
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace mmvp::sw {

inline std::string hex(std::uint64_t v) {
  return fmt::format("{:#x}", v);
}

}  // namespace mmvp::sw
