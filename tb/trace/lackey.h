// Reader of valgrind lackey memory traces (valgrind --tool=lackey --trace-mem=yes):
//
//   I  0400d7d4,8      instruction fetch ('I' in column 0, two spaces)
//    L 0400d7d4,8      load   (one leading space)
//    S 7ff000398,8     store
//    M 0421a5e0,4      modify (load and store of the same address)
//
// The address is hexadecimal without "0x", the size decimal (>= 1). Lines starting
// "SYSCALL[" (and their " -->" result lines) are the system calls of
// --trace-syscalls=yes (valgrind_syscalls.h): the address-space calls become records of
// type syscall. Lines starting with "==" or "--" (valgrind's own messages) and empty
// lines are skipped; anything else is reported as mmvp::InputError "FILE:LINE: problem".
//
// The program's ABI comes from valgrind's verbose header (-v), which names the guest
// architecture before the first access: "--PID-- Arch and hwcaps: X86, ..." for a
// 32-bit program, "AMD64" for a 64-bit one; without that line a log is x86-64's.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sw/kernel/workload.h"
#include "tb/trace/compressed_input.h"
#include "tb/trace/valgrind_syscalls.h"

namespace mmvp::trace {

class LackeyTraceSource final : public sw::AccessSource {
 public:
  // Reads the (already decompressed) input in large blocks.
  explicit LackeyTraceSource(std::unique_ptr<ByteInput> input);

  std::size_t read(sw::MemAccess* out, std::size_t max) override;
  std::string name() const override { return input_->name(); }
  const sw::SyscallRecord& syscall(std::uint64_t id) const override { return syscalls_.at(id); }
  sw::ProcessAbi abi() const override { return abi_; }
  // System calls of the log that do not change the address space (read, openat, ...).
  std::uint64_t syscalls_dropped() const { return parser_.dropped(); }
  // Number of the last line parsed (1-based).
  std::uint64_t line() const { return line_; }

 private:
  // Moves the partial last line to the front and reads more; false at the end.
  bool refill();
  // Parses the system-call line at p (line number `line`), appending its record if it
  // completes a kept call; returns the next line.
  const char* syscall_line(const char* p, std::uint64_t line, sw::MemAccess* out,
                           std::size_t& count);
  [[noreturn]] void fail(const char* line_start, const std::string& problem) const;

  std::unique_ptr<ByteInput> input_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;        // next unparsed byte
  std::size_t lines_end_ = 0;  // one past the last '\n' of the complete lines in buf_
  std::size_t data_end_ = 0;   // one past the last byte read into buf_
  bool input_eof_ = false;
  std::uint64_t line_ = 0;
  ValgrindSyscallParser parser_;
  std::vector<sw::SyscallRecord> syscalls_;  // those of the last read()
  sw::ProcessAbi abi_ = sw::ProcessAbi::x86_64;
};

}  // namespace mmvp::trace
