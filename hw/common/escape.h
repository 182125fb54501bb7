// Text from untrusted input made safe for a one-line message on a terminal.
#pragma once
#include <string>
#include <string_view>

namespace mmvp {

// Every byte outside printable ASCII (0x20-0x7e) written as \xNN: an escape sequence,
// a form feed or a newline in a bad trace line can neither reach the terminal nor split
// the one-line error. Idempotent, so a message may pass through it twice.
inline std::string escape_bytes(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mmvp
