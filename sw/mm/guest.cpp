#include "sw/mm/guest.h"

#include <string>

namespace mmvp::sw {

// memset_erms / clear_page_erms (arch/x86/lib/memset_64.S, clear_page_64.S): one REP
// STOSB, as Linux uses on a CPU with ERMS.
void Guest::fill(LAddr va, std::uint8_t byte, std::uint64_t bytes) {
  if (bytes) cpu_.rep_stos(va, byte, 1, bytes);
}

// memcpy with FSRM/ERMS (arch/x86/lib/memcpy_64.S): one REP MOVSB.
void Guest::copy(LAddr dst, LAddr src, std::uint64_t bytes) {
  if (bytes) cpu_.rep_movs(dst, src, 1, bytes);
}

void Guest::write_string(LAddr va, const char* s, std::uint64_t max) {
  std::uint64_t i = 0;
  for (; s[i] && i + 1 < max; ++i) w8(va + i, static_cast<std::uint8_t>(s[i]));
  w8(va + i, 0);
}

std::string Guest::read_string(LAddr va, std::uint64_t max) {
  std::string out;
  for (std::uint64_t i = 0; i < max; ++i) {
    char c = static_cast<char>(r8(va + i));
    if (!c) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace mmvp::sw
