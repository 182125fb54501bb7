#include "sw/kernel/kallsyms.h"

#include <cstdio>
#include <cstring>

#include "sw/kernel/layout.h"

namespace mmvp::sw {
namespace {

// The table: a count, then entries sorted by address (they are handed out upwards).
namespace kallsyms {
inline constexpr Field<std::uint32_t> count{0};
inline constexpr unsigned kEntries = 16;  // entries start here
inline constexpr unsigned kNameLen = 40;
inline constexpr Field<LAddr> addr{0};
inline constexpr Field<std::uint32_t> size{8};
inline constexpr Embedded name{16, kNameLen};
inline constexpr unsigned kEntrySize = name.end();
inline constexpr unsigned kMax = (layout::KALLSYMS_SIZE - kEntries) / kEntrySize;
}  // namespace kallsyms

const LAddr& T = layout::KALLSYMS;
LAddr first_function() {  // after _stext's page
  return layout::KERNEL_TEXT + 0x1000;
}

LAddr entry(unsigned i) {
  return T + kallsyms::kEntries + i * kallsyms::kEntrySize;
}

}  // namespace

LAddr kallsyms_call_site(Kernel& k, const char* function) {
  if (!function || !*function) return 0;
  Guest& g = k.mem;
  const unsigned n = g.get(T, kallsyms::count);
  for (unsigned i = 0; i < n; ++i)  // kallsyms_lookup_name()
    if (g.read_string(entry(i) + kallsyms::name, kallsyms::kNameLen) ==
        std::string(function).substr(0, kallsyms::kNameLen - 1)) {
      const std::uint32_t size = g.get(entry(i), kallsyms::size);
      return g.get(entry(i), kallsyms::addr) + size / 2 + 5;  // after a 5-byte call
    }
  if (n >= kallsyms::kMax) return 0;
  const LAddr addr = n ? g.get(entry(n - 1), kallsyms::addr) + g.get(entry(n - 1), kallsyms::size)
                       : first_function();
  const auto size = static_cast<std::uint32_t>(0x40 + 0x10 * std::strlen(function));
  g.set(entry(n), kallsyms::addr, addr);
  g.set(entry(n), kallsyms::size, size);
  g.write_string(entry(n) + kallsyms::name, function, kallsyms::kNameLen);
  g.set(T, kallsyms::count, n + 1);
  return addr + size / 2 + 5;
}

std::string sprint_symbol(Kernel& k, LAddr addr) {
  Guest& g = k.mem;
  const unsigned n = g.get(T, kallsyms::count);
  char buf[96];
  for (unsigned i = 0; i < n; ++i) {
    const LAddr start = g.get(entry(i), kallsyms::addr);
    const std::uint32_t size = g.get(entry(i), kallsyms::size);
    if (addr < start || addr >= start + size) continue;
    std::snprintf(buf, sizeof buf, "%s+0x%llx/0x%x",
                  g.read_string(entry(i) + kallsyms::name, kallsyms::kNameLen).c_str(),
                  static_cast<unsigned long long>(addr - start), size);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
  return buf;
}

}  // namespace mmvp::sw
