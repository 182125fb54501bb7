#include "sw/mm/guest.h"

#include <string>

namespace mmvp::sw {

void Guest::fill(LAddr va, std::uint8_t byte, std::uint64_t bytes) {
  std::uint64_t pattern = 0x0101010101010101ULL * byte;
  while (bytes > 0 && (va & 7)) {
    w8(va++, byte);
    --bytes;
  }
  for (; bytes >= 8; bytes -= 8, va += 8) w64(va, pattern);
  while (bytes-- > 0) w8(va++, byte);
}

void Guest::copy(LAddr dst, LAddr src, std::uint64_t bytes) {
  if (((dst | src) & 7) == 0) {
    for (; bytes >= 8; bytes -= 8, dst += 8, src += 8) w64(dst, r64(src));
  }
  while (bytes-- > 0) w8(dst++, r8(src++));
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
