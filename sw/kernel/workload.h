// A user workload as the kernel runs it: a stream of memory accesses (from a trace
// file or a generator) that a user process performs at CPL 3.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mmvp::sw {

// valgrind lackey's four kinds: instruction fetch, load, store, modify
// (a load and a store to the same address by one instruction); and a system call the
// traced program made at this point (valgrind --trace-syscalls=yes): its record is
// AccessSource::syscall(addr).
enum class AccessType : std::uint8_t { instr = 0, load = 1, store = 2, modify = 3, syscall = 4 };

// The system-call ABI a traced program was built for, as the ELF class tells Linux's
// exec: a 64-bit program, or a 32-bit one (an ia32 process, run by an x86-64 kernel in
// compatibility mode under CONFIG_IA32_EMULATION).
enum class ProcessAbi : std::uint8_t { x86_64 = 0, i386 = 1 };
inline const char* abi_name(ProcessAbi abi) {
  return abi == ProcessAbi::i386 ? "i386" : "x86_64";
}

// A system call of a traced run: its number in the program's ABI (Linux's
// syscall_64.tbl or syscall_32.tbl), its six argument registers and
// what the real kernel returned (-errno on failure). `path` is the file a file-backed
// mmap maps (the path of its fd's openat), empty when the log does not say.
struct SyscallRecord {
  std::uint32_t nr = 0;
  std::uint64_t arg[6] = {};
  std::int64_t result = 0;
  std::string path;
};

struct MemAccess {
  std::uint64_t addr = 0;
  std::uint32_t size = 0;
  AccessType type = AccessType::load;
  // A load whose address is the previous load's value (a pointer chase): it costs its
  // whole latency. Traces do not say; generated programs that chase do.
  bool dependent = false;
};

class AccessSource {
 public:
  virtual ~AccessSource() = default;
  // Fills up to max records; returns how many (0 at the end). Throws
  // mmvp::InputError ("file:line: problem") on malformed or truncated input.
  virtual std::size_t read(MemAccess* out, std::size_t max) = 0;
  // A short name for reports (the file name).
  virtual std::string name() const = 0;
  // The system call of a record of type syscall returned by the last read(), by its
  // addr; valid until the next read().
  virtual const SyscallRecord& syscall(std::uint64_t /*id*/) const {
    throw std::logic_error(name() + ": a system-call record from a source without system calls");
  }
  // The ABI of the traced program (a trace says so before its first record): its
  // system-call numbers and the size of its address space.
  virtual ProcessAbi abi() const { return ProcessAbi::x86_64; }
};

}  // namespace mmvp::sw
