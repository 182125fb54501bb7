#include "tb/trace/lackey.h"

#include <cstring>

#include "hw/common/escape.h"
#include "hw/common/types.h"
#include "tb/trace/access_check.h"

namespace mmvp::trace {

namespace {

constexpr std::size_t kMaxLine = std::size_t{1} << 20;  // bytes before the '\n'
constexpr std::size_t kBlockSize = kMaxLine + 1;        // the longest line and its '\n'
constexpr std::size_t kMaxQuotedLine = 60;
constexpr std::size_t kHeaderBytes = 64 * 1024;  // where the ABI line is looked for

// Hexadecimal digit values, -1 for any other character.
struct HexDigitTable {
  std::int8_t value[256];
  constexpr HexDigitTable() : value() {
    for (int c = 0; c < 256; ++c) value[c] = -1;
    for (int c = 0; c < 10; ++c) value['0' + c] = static_cast<std::int8_t>(c);
    for (int c = 0; c < 6; ++c) {
      value['a' + c] = static_cast<std::int8_t>(10 + c);
      value['A' + c] = static_cast<std::int8_t>(10 + c);
    }
  }
};
constexpr HexDigitTable kHexDigit;

// The ABI that valgrind's "Arch and hwcaps: X86" or "AMD64" line names among the lines
// of [p, end) before the first record; x86-64 if none does.
sw::ProcessAbi header_abi(const char* p, const char* end) {
  constexpr std::string_view kArch = "Arch and hwcaps: ";
  while (p < end && (*p == '=' || *p == '-' || *p == '\n' || *p == '\r')) {
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (!eol) eol = end;
    std::string_view line(p, static_cast<std::size_t>(eol - p));
    std::size_t at = line.find(kArch);
    if (at != std::string_view::npos && line.substr(0, 2) == "--") {
      std::string_view arch = line.substr(at + kArch.size());
      if (arch.substr(0, 4) == "X86,") return sw::ProcessAbi::i386;
      return sw::ProcessAbi::x86_64;
    }
    p = eol + 1;
  }
  return sw::ProcessAbi::x86_64;
}

}  // namespace

LackeyTraceSource::LackeyTraceSource(std::unique_ptr<ByteInput> input)
    : input_(std::move(input)), buf_(kBlockSize) {
  // valgrind's header comes first: its verbose form is a few KB.
  std::string_view head = input_->peek(kHeaderBytes);
  abi_ = header_abi(head.data(), head.data() + head.size());
  parser_.set_abi(abi_);
}

bool LackeyTraceSource::refill() {
  char* const buf = buf_.data();
  std::size_t partial_line = data_end_ - lines_end_;
  std::memmove(buf, buf + lines_end_, partial_line);
  data_end_ = partial_line;
  pos_ = lines_end_ = 0;
  while (!input_eof_) {
    if (data_end_ == kBlockSize) {
      // valgrind's own "==" lines are skipped whatever their length: keep the "==" and
      // drop the rest of the line as it streams in.
      if (buf[0] == '=' && buf[1] == '=') {
        data_end_ = 2;
        continue;
      }
      ++line_;
      fail(buf, "line longer than " + std::to_string(kMaxLine) + " bytes");
    }
    std::size_t n = input_->read(buf + data_end_, kBlockSize - data_end_);
    if (n == 0) {
      input_eof_ = true;
      break;
    }
    const void* last_newline = ::memrchr(buf + data_end_, '\n', n);
    data_end_ += n;
    if (last_newline != nullptr) {
      lines_end_ = static_cast<const char*>(last_newline) - buf + 1;
      return true;
    }
  }
  if (data_end_ == 0) return false;
  buf[data_end_++] = '\n';  // the last line has no '\n' (and at most kMaxLine bytes)
  lines_end_ = data_end_;
  return true;
}

void LackeyTraceSource::fail(const char* line_start, const std::string& problem) const {
  const char* buf_end = buf_.data() + data_end_;
  const char* line_end = line_start;
  while (line_end < buf_end && *line_end != '\n' && *line_end != '\r') ++line_end;
  std::string text(line_start, std::min<std::size_t>(line_end - line_start, kMaxQuotedLine));
  if (static_cast<std::size_t>(line_end - line_start) > kMaxQuotedLine) text += "...";
  throw InputError(input_->name() + ":" + std::to_string(line_) + ": " + problem + ", got '" +
                   escape_bytes(text) + "'");
}

const char* LackeyTraceSource::syscall_line(const char* p, std::uint64_t line, sw::MemAccess* out,
                                            std::size_t& count) {
  const char* eol = static_cast<const char*>(std::memchr(p, '\n', buf_.data() + lines_end_ - p));
  std::string_view text(p, static_cast<std::size_t>(eol - p));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  sw::SyscallRecord call;
  std::string problem;
  switch (parser_.parse(text, call, problem)) {
    case ValgrindSyscallParser::Outcome::malformed:
      line_ = line;
      fail(p, problem);
    case ValgrindSyscallParser::Outcome::record:
      syscalls_.push_back(std::move(call));
      out[count++] = sw::MemAccess{syscalls_.size() - 1, 0, sw::AccessType::syscall};
      break;
    case ValgrindSyscallParser::Outcome::none:
      break;
  }
  return eol + 1;
}

std::size_t LackeyTraceSource::read(sw::MemAccess* out, std::size_t max) {
  std::size_t count = 0;
  syscalls_.clear();
  while (count < max) {
    if (pos_ == lines_end_ && !refill()) break;
    // [pos_, lines_end_) holds complete lines, the last ending in '\n': every check
    // below stops at a '\n', so no bound check is needed inside a line.
    const char* p = buf_.data() + pos_;
    const char* const end = buf_.data() + lines_end_;
    std::uint64_t line = line_;
    while (p < end && count < max) {
      const char* const start = p;
      ++line;
      auto malformed = [&](const std::string& problem) {
        line_ = line;
        fail(start, problem);
      };
      sw::AccessType type{};
      if (p[0] == 'I') {
        if (p[1] != ' ' || p[2] != ' ') malformed("expected 'I  addr,size'");
        type = sw::AccessType::instr;
      } else if (p[0] == ' ') {
        if (p[1] == '-' && p[2] == '-' && p[3] == '>') {  // a system call's result line
          p = syscall_line(p, line, out, count);
          continue;
        }
        switch (p[1]) {
          case 'L':
            type = sw::AccessType::load;
            break;
          case 'S':
            type = sw::AccessType::store;
            break;
          case 'M':
            type = sw::AccessType::modify;
            break;
          default:
            malformed("expected ' L addr,size', ' S addr,size' or ' M addr,size'");
        }
        if (p[2] != ' ') malformed(std::string("expected ' ") + p[1] + " addr,size'");
      } else if ((p[0] == '=' && p[1] == '=') || (p[0] == '-' && p[1] == '-')) {
        p = static_cast<const char*>(std::memchr(p, '\n', end - p)) + 1;
        continue;
      } else if (p[0] == 'S' && std::strncmp(p, "SYSCALL[", 8) == 0) {
        p = syscall_line(p, line, out, count);
        continue;
      } else if (p[0] == '\n' || (p[0] == '\r' && p[1] == '\n')) {
        p += p[0] == '\n' ? 1 : 2;
        continue;
      } else {
        malformed("expected 'I  addr,size' or ' L addr,size' (or S, M)");
      }
      p += 3;

      const char* const addr_start = p;
      std::uint64_t addr = 0;
      for (int digit; (digit = kHexDigit.value[static_cast<unsigned char>(*p)]) >= 0; ++p) {
        if (addr >> 60 != 0) malformed("address does not fit in 64 bits");
        addr = addr << 4 | static_cast<std::uint64_t>(digit);
      }
      if (p == addr_start) malformed("expected a hexadecimal address");
      if (*p != ',') malformed("expected ',' after the address");
      ++p;

      const char* const size_start = p;
      std::uint64_t size = 0;
      for (unsigned digit; (digit = static_cast<unsigned char>(*p) - '0') < 10; ++p) {
        size = size * 10 + digit;
        if (size > UINT32_MAX) malformed("size does not fit in 32 bits");
      }
      if (p == size_start) malformed("expected a decimal size");
      if (*p == '\r') ++p;
      if (*p != '\n') malformed("unexpected text after the size");
      ++p;
      if (const char* problem = access_problem(addr, size)) malformed(problem);
      out[count++] = sw::MemAccess{addr, static_cast<std::uint32_t>(size), type};
    }
    pos_ = static_cast<std::size_t>(p - buf_.data());
    line_ = line;
  }
  return count;
}

}  // namespace mmvp::trace
