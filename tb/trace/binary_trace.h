// The mmvp binary trace format (".mmvt"), a compact lossless encoding of a stream of
// sw::MemAccess records; "mmvp convert" writes it, every trace input reads it (also
// zstd- or xz-compressed, e.g. "trace.mmvt.zst").
//
//   file    := magic record*
//   magic   := the 8 ASCII bytes "MMVTRC01"
//   record  := header [size] delta
//   header  := one byte: bits 7:6 = access type (0 instruction fetch, 1 load, 2 store,
//              3 modify), bits 5:0 = access size in bytes 1..63, or 0 if the size
//              follows as a varint
//   size    := LEB128 varint (7 bits a byte, least significant group first, bit 7 set
//              on every byte but the last) of the size, 1 .. 2^32-1; present only when
//              the header's size field is 0 (the writer uses it for sizes >= 64)
//   delta   := zigzag LEB128 varint of (address - previous address of the SAME access
//              type), computed modulo 2^64 as a signed 64-bit value d and zigzag-mapped
//              to (d << 1) ^ (d >> 63), so small negative steps are short too
//
//   syscall := the header byte 0x00 and the size varint 0 (a size no access has), then
//              varint 1 (the kind: a system call), varint number, six varints (the
//              argument registers), the zigzag varint of the result, varint path
//              length (at most 4096) and the path's bytes: a system call of the
//              traced run (sw::SyscallRecord), an AccessType::syscall record. Files
//              written before system calls were recorded never contain it.
//   abi     := the header byte 0x00, the size varint 0, varint 2 (the kind: the
//              program's ABI) and varint 1 (i386, a 32-bit program; 0 is x86-64): only
//              as the first record, and only written for a 32-bit program, whose
//              system calls then carry i386 numbers. A trace without it is x86-64's.
//
// The previous address of every type starts at 0. Instruction fetches and data
// accesses thus delta-encode separately: sequential code costs 2 bytes a record. A
// record cut off by the end of the file is an error ("FILE: truncated record at byte
// N", N the offset of the record's header byte); there is no trailer or record count.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sw/kernel/workload.h"
#include "tb/trace/compressed_input.h"

namespace mmvp::trace {

inline constexpr char kBinaryTraceMagic[8] = {'M', 'M', 'V', 'T', 'R', 'C', '0', '1'};

// True if first_bytes starts with kBinaryTraceMagic.
bool is_binary_trace(std::string_view first_bytes);

class BinaryTraceSource final : public sw::AccessSource {
 public:
  // Reads the (already decompressed) input; throws InputError if it lacks the magic.
  explicit BinaryTraceSource(std::unique_ptr<ByteInput> input);

  std::size_t read(sw::MemAccess* out, std::size_t max) override;
  std::string name() const override { return input_->name(); }
  const sw::SyscallRecord& syscall(std::uint64_t id) const override { return syscalls_.at(id); }
  sw::ProcessAbi abi() const override { return abi_; }

 private:
  // Decodes the system-call record after the escape at p (advanced past it).
  void read_syscall(const std::uint8_t*& p, const std::uint8_t* end, const std::uint8_t* record,
                    const std::uint8_t* buf);

  // Keeps the unparsed bytes and reads more behind them; false if nothing was added.
  bool refill();

  std::unique_ptr<ByteInput> input_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  bool input_eof_ = false;
  std::array<std::uint64_t, 4> prev_addr_{};
  std::vector<sw::SyscallRecord> syscalls_;  // those of the last read()
  sw::ProcessAbi abi_ = sw::ProcessAbi::x86_64;
};

// Where BinaryTraceWriter puts its bytes.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
};

// Collects the bytes in a string (tests, in-memory traces).
class StringSink final : public ByteSink {
 public:
  void write(const char* data, std::size_t size) override { bytes.append(data, size); }
  std::string bytes;
};

// Encodes records in the binary format. Writes the magic at construction; flush()
// (also called by the destructor, where errors are lost) hands buffered bytes to the sink.
class BinaryTraceWriter {
 public:
  explicit BinaryTraceWriter(ByteSink& sink);
  ~BinaryTraceWriter();
  BinaryTraceWriter(const BinaryTraceWriter&) = delete;
  BinaryTraceWriter& operator=(const BinaryTraceWriter&) = delete;

  // Throws std::invalid_argument for size 0 (or a syscall record: use the overloads
  // that take the source or the call).
  void write(const sw::MemAccess& access);
  void write(const sw::MemAccess* accesses, std::size_t count);
  void write_syscall(const sw::SyscallRecord& call);
  // The abi record (for i386; nothing for x86-64): before any other record, else
  // std::logic_error.
  void write_abi(sw::ProcessAbi abi);
  // Every record of a batch read from source, its system calls included.
  void write(const sw::MemAccess* accesses, std::size_t count, const sw::AccessSource& source);
  void flush();
  std::uint64_t records_written() const { return records_; }

 private:
  ByteSink& sink_;
  std::vector<char> buf_;
  std::size_t used_ = 0;
  std::array<std::uint64_t, 4> prev_addr_{};
  std::uint64_t records_ = 0;
};

}  // namespace mmvp::trace
