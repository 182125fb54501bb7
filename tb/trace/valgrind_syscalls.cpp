#include "tb/trace/valgrind_syscalls.h"

#include <charconv>

namespace mmvp::trace {
namespace {

bool kept(const SyscallNumbers& nr, std::uint32_t n) {
  return n == nr.brk || n == nr.mmap || n == nr.munmap || n == nr.mprotect || n == nr.mremap ||
         n == nr.madvise || n == nr.exit || n == nr.exit_group;
}

// A number at the start of s, decimal or 0x-hexadecimal (valgrind prints both), or a
// negative decimal (the %ld of some wrappers, e.g. sys_lseek's offset) as its two's
// complement; false if none.
bool parse_number(std::string_view& s, std::uint64_t& v) {
  if (s.size() > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
    s.remove_prefix(1);
    std::uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, 10);
    if (ec != std::errc()) return false;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()));
    v = ~magnitude + 1;
    return true;
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

// "Success(0x..)" or "Failure(0x..)" after the last "-->": the result, -errno for a
// failure. False if the line has no result yet ("[async] ...").
bool parse_result(std::string_view s, bool& has, std::int64_t& result) {
  has = false;
  std::size_t arrow = s.rfind("-->");
  if (arrow == std::string_view::npos) return true;
  s.remove_prefix(arrow + 3);
  for (const char* word : {"Success(", "Failure("}) {
    std::size_t at = s.find(word);
    if (at == std::string_view::npos) continue;
    std::string_view v = s.substr(at + 8);
    std::uint64_t x = 0;
    if (!parse_number(v, x) || v.empty() || v.front() != ')') return false;
    has = true;
    result = word[0] == 'S' ? static_cast<std::int64_t>(x) : -static_cast<std::int64_t>(x);
    return true;
  }
  return s.find("...") != std::string_view::npos;  // "[async] ...": the result follows
}

}  // namespace

const SyscallNumbers& syscall_numbers(sw::ProcessAbi abi) {
  return abi == sw::ProcessAbi::i386 ? kSyscalls32 : kSyscalls64;
}

ValgrindSyscallParser::Outcome ValgrindSyscallParser::parse(std::string_view line,
                                                            sw::SyscallRecord& out,
                                                            std::string& problem) {
  bool has = false;
  std::int64_t result = 0;
  if (line.substr(0, 4) == " -->") {  // the result line of an "unimplemented" call
    if (!parse_result(line, has, result)) {
      problem = "malformed system-call result";
      return Outcome::malformed;
    }
    auto it = pending_.find(last_tid_);
    if (!has || it == pending_.end() || !it->second.active) return Outcome::none;
    return complete(it->second, result, out);
  }
  // SYSCALL[pid,tid](nr) ...
  std::string_view s = line.substr(8);
  std::uint64_t pid = 0, tid = 0, number = 0;
  if (!parse_number(s, pid) || s.empty() || s.front() != ',') {
    problem = "expected 'SYSCALL[pid,tid](nr)'";
    return Outcome::malformed;
  }
  s.remove_prefix(1);
  if (!parse_number(s, tid) || s.substr(0, 2) != "](") {
    problem = "expected 'SYSCALL[pid,tid](nr)'";
    return Outcome::malformed;
  }
  s.remove_prefix(2);
  if (!parse_number(s, number) || s.empty() || s.front() != ')' || number > UINT32_MAX) {
    problem = "expected a system-call number in 'SYSCALL[pid,tid](nr)'";
    return Outcome::malformed;
  }
  s.remove_prefix(1);
  last_tid_ = tid;
  if (!parse_result(s, has, result)) {
    problem = "malformed system-call result";
    return Outcome::malformed;
  }
  Pending& p = pending_[tid];
  skip_spaces(s);
  if (s.substr(0, 3) == "...") {  // "... [async] --> Success(..)": the pending call ends
    if (!has || !p.active) return Outcome::none;
    return complete(p, result, out);
  }
  p = Pending{};
  p.active = true;
  p.call.nr = static_cast<std::uint32_t>(number);
  // The arguments: from the first '(' to its matching ')', split at top-level commas.
  std::size_t open = s.find('(');
  if (open != std::string_view::npos && s.substr(0, open).find("unimplemented") == 0)
    open = std::string_view::npos;  // "unimplemented (by the kernel) syscall: N!"
  if (open != std::string_view::npos) {
    std::string_view a = s.substr(open + 1);
    unsigned index = 0;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < a.size() && depth >= 0; ++i) {
      char c = a[i];
      bool last = c == ')' && depth == 0;
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if ((c == ',' && depth == 0) || last) {
        std::string_view arg = a.substr(start, i - start);
        skip_spaces(arg);
        std::uint64_t v = 0;
        if (!arg.empty() && index < 6) {
          std::string_view rest = arg;
          if (!parse_number(rest, v)) {
            problem = "malformed system-call argument";
            return Outcome::malformed;
          }
          p.call.arg[index] = v;
          // A string argument: "0x4034bb0(/lib/libc.so.6)".
          if (index == (number == nr_->openat ? 1u : 0u) && !rest.empty() && rest.front() == '(') {
            std::size_t close = rest.rfind(')');
            if (close != std::string_view::npos) p.string_arg.assign(rest.substr(1, close - 1));
          }
        }
        ++index;
        start = i + 1;
      }
    }
  }
  if (!has) return Outcome::none;  // its result comes later
  return complete(p, result, out);
}

ValgrindSyscallParser::Outcome ValgrindSyscallParser::complete(Pending& p, std::int64_t result,
                                                               sw::SyscallRecord& out) {
  p.active = false;
  p.call.result = result;
  const std::uint32_t n = p.call.nr;
  const SyscallNumbers& nr = *nr_;
  if ((n == nr.openat || n == nr.open) && result >= 0) fd_path_[result] = p.string_arg;
  if (n == nr.close && result == 0) fd_path_.erase(static_cast<std::int32_t>(p.call.arg[0]));
  if (!kept(nr, n)) {
    ++dropped_;
    return Outcome::none;
  }
  out = p.call;
  out.path.clear();
  constexpr std::uint64_t kMapAnonymous = 0x20;
  if (n == nr.mmap && !(out.arg[3] & kMapAnonymous)) {
    auto it = fd_path_.find(static_cast<std::int32_t>(out.arg[4]));
    if (it != fd_path_.end()) out.path = it->second;
  }
  return Outcome::record;
}

}  // namespace mmvp::trace
