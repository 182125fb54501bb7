// System calls in traces: valgrind's --trace-syscalls=yes lines in a lackey log, their
// records in the binary format, and conversion keeping them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hw/common/types.h"
#include "tb/trace/binary_trace.h"
#include "tb/trace/compressed_input.h"
#include "tb/trace/trace_reader.h"
#include "tb/trace/valgrind_syscalls.h"

namespace mmvp::trace {
namespace {

using sw::AccessType;
using sw::MemAccess;
using sw::SyscallRecord;

struct Read {
  std::vector<MemAccess> records;
  std::vector<SyscallRecord> calls;  // the syscall records' calls, in order
};

Read read_all(sw::AccessSource& src, std::size_t batch = 3) {
  Read r;
  std::vector<MemAccess> buf(batch);
  while (std::size_t n = src.read(buf.data(), buf.size())) {
    for (std::size_t i = 0; i < n; ++i) {
      r.records.push_back(buf[i]);
      if (buf[i].type == AccessType::syscall) r.calls.push_back(src.syscall(buf[i].addr));
    }
  }
  return r;
}

Read read_text(const std::string& text) {
  auto src = open_trace_stream(open_memory_input(text, "t.log"));
  return read_all(*src);
}

// A log as valgrind 3.19 writes it (lines taken from `ls`), with the forms: one line,
// [async] on two lines, [sync], a failure, and an unimplemented call's " -->" line.
const std::string kLog =
    "==6951== Command: ls /\n"
    "SYSCALL[6951,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n"
    "I  04011f59,5\n"
    "SYSCALL[6951,1](257) sys_openat ( 4294967196, 0x4835a80(/lib/x86_64-linux-gnu/libc.so.6), "
    "524288 ) --> [async] ... \n"
    "SYSCALL[6951,1](257) ... [async] --> Success(0x4) \n"
    "SYSCALL[6951,1](0) sys_read ( 4, 0x1ffefff928, 832 ) --> [async] ... \n"
    "SYSCALL[6951,1](0) ... [async] --> Success(0x340) \n"
    "SYSCALL[6951,1](9) sys_mmap ( 0x0, 1974096, 1, 2050, 4, 0 ) --> [pre-success] "
    "Success(0x4875000) \n"
    " L 04875000,8\n"
    "SYSCALL[6951,1](9) sys_mmap ( 0x4873000, 5840, 3, 50, 4294967295, 0 ) --> [pre-success] "
    "Success(0x4873000) \n"
    "SYSCALL[6951,1](3) sys_close ( 4 )[sync] --> Success(0x0) \n"
    "SYSCALL[6951,1](9) sys_mmap ( 0x0, 4096, 1, 2, 4, 0 ) --> [pre-success] Success(0x4900000) \n"
    "SYSCALL[6951,1](10) sys_mprotect ( 0x4a44000, 16384, 1 )[sync] --> Success(0x0) \n"
    "SYSCALL[6951,1](11) sys_munmap ( 0x483c000, 43787 )[sync] --> Failure(0x16) \n"
    "--6951-- WARNING: unhandled amd64-linux syscall: 334\n"
    "SYSCALL[6951,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)\n"
    " --> [pre-fail] Failure(0x26) \n"
    "SYSCALL[6951,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n";

TEST(SyscallTrace, LackeyLogKeepsTheAddressSpaceCallsInOrder) {
  const Read r = read_text(kLog);
  ASSERT_EQ(r.records.size(), 9u);
  EXPECT_EQ(r.records[0].type, AccessType::syscall);
  EXPECT_EQ(r.records[1].type, AccessType::instr);
  EXPECT_EQ(r.records[3].type, AccessType::load);
  ASSERT_EQ(r.calls.size(), 7u);  // brk, mmap x3, mprotect, munmap, exit_group
  EXPECT_EQ(r.calls[0].nr, 12u);
  EXPECT_EQ(r.calls[0].result, 0x4035000);
  const SyscallRecord& file_map = r.calls[1];
  EXPECT_EQ(file_map.nr, 9u);
  EXPECT_EQ(file_map.arg[1], 1974096u);
  EXPECT_EQ(file_map.arg[3], 2050u);
  EXPECT_EQ(file_map.arg[4], 4u);
  EXPECT_EQ(file_map.result, 0x4875000);
  EXPECT_EQ(file_map.path, "/lib/x86_64-linux-gnu/libc.so.6");  // fd 4's openat
  EXPECT_EQ(r.calls[2].path, "");                               // anonymous
  EXPECT_EQ(r.calls[3].path, "");                               // fd 4 was closed
  EXPECT_EQ(r.calls[4].nr, 10u);
  EXPECT_EQ(r.calls[4].arg[0], 0x4a44000u);
  EXPECT_EQ(r.calls[5].result, -22);  // Failure(0x16): -EINVAL
  EXPECT_EQ(r.calls[6].nr, 231u);
}

TEST(SyscallTrace, MalformedSyscallLinesNameTheLine) {
  try {
    read_text("I  0401ab70,3\nSYSCALL[12,x](9) sys_mmap ( 0x0 ) --> Success(0x1)\n");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("t.log:2: expected 'SYSCALL[pid,tid](nr)'"),
              std::string::npos)
        << e.what();
  }
  try {
    read_text("SYSCALL[1,1](9) sys_mmap ( 0xzz, 1 ) --> Success(0x1)\n");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed system-call argument"), std::string::npos);
  }
}

TEST(SyscallTrace, BinaryFormatRoundTripsCallsAmongAccesses) {
  const Read text = read_text(kLog);
  StringSink sink;
  {
    BinaryTraceWriter w(sink);
    auto src = open_trace_stream(open_memory_input(kLog, "t.log"));
    std::vector<MemAccess> buf(2);
    while (std::size_t n = src->read(buf.data(), buf.size())) w.write(buf.data(), n, *src);
    w.flush();
  }
  auto bin = open_trace_stream(open_memory_input(sink.bytes, "t.mmvt"));
  const Read back = read_all(*bin, 4);
  ASSERT_EQ(back.records.size(), text.records.size());
  for (std::size_t i = 0; i < text.records.size(); ++i) {
    EXPECT_EQ(back.records[i].type, text.records[i].type);
    if (text.records[i].type != AccessType::syscall) {
      EXPECT_EQ(back.records[i].addr, text.records[i].addr);
      EXPECT_EQ(back.records[i].size, text.records[i].size);
    }
  }
  ASSERT_EQ(back.calls.size(), text.calls.size());
  for (std::size_t i = 0; i < text.calls.size(); ++i) {
    EXPECT_EQ(back.calls[i].nr, text.calls[i].nr);
    EXPECT_EQ(back.calls[i].result, text.calls[i].result);
    EXPECT_EQ(back.calls[i].path, text.calls[i].path);
    for (int a = 0; a < 6; ++a) EXPECT_EQ(back.calls[i].arg[a], text.calls[i].arg[a]);
  }
}

TEST(SyscallTrace, TruncatedOrCorruptSyscallRecordsAreErrors) {
  SyscallRecord call;
  call.nr = 9;
  call.result = -12;
  call.path = "/lib/libc.so.6";
  StringSink sink;
  {
    BinaryTraceWriter w(sink);
    w.write_syscall(call);
    w.flush();
  }
  auto error_of = [](const std::string& bytes) -> std::string {
    try {
      auto src = open_trace_stream(open_memory_input(bytes, "c.mmvt"));
      read_all(*src);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of(sink.bytes), "");
  EXPECT_EQ(error_of(sink.bytes.substr(0, sink.bytes.size() - 3)),
            "c.mmvt: truncated record at byte 8");
  std::string bad_kind = sink.bytes;
  bad_kind[10] = 7;
  EXPECT_EQ(error_of(bad_kind),
            "c.mmvt: corrupt system-call record at byte 8 (unknown extension record)");
  SyscallRecord long_path;
  long_path.path.assign(5000, 'x');
  BinaryTraceWriter w(sink);
  EXPECT_THROW(w.write_syscall(long_path), std::invalid_argument);
}

// A 32-bit program's log (valgrind -v of lackey-x86-linux, or the qemu plugin): the
// header names X86, and the numbers are i386's: 192 mmap2 keeps its openat (295) path,
// 45 brk is kept, 90 old_mmap and 9 (link) are not.
const std::string kLog32 =
    "==7001== Lackey, an example Valgrind tool\n"
    "--7001-- Arch and hwcaps: X86, LittleEndian, x86-mmxext-sse1-sse2-sse3-lzcnt\n"
    "I  04001c50,3\n"
    "SYSCALL[7001,1](45) sys_brk ( 0x0 ) --> [pre-success] Success(0x804d000) \n"
    "SYSCALL[7001,1](295) sys_openat ( 4294967196, 0xfeffc8d0(/usr/lib32/libc.so.6), 557056 ) "
    "--> [pre-success] Success(0x3) \n"
    "SYSCALL[7001,1](192) sys_mmap2 ( 0x0, 2262300, 1, 2050, 3, 0 ) --> [pre-success] "
    "Success(0xf7d91000) \n"
    "SYSCALL[7001,1](90) old_mmap ( 0x0, 4096, 3, 34, -1, 0 ) --> [pre-success] "
    "Success(0xf7d90000) \n"
    "SYSCALL[7001,1](9) sys_link ( 0x1, 0x2 ) --> [pre-fail] Failure(0x2) \n"
    " L f7d91000,4\n"
    "SYSCALL[7001,1](252) exit_group( 0 ) --> [pre-success] Success(0x0) \n";

TEST(SyscallTrace, An_i386_LogHasItsAbiAndItsNumbers) {
  auto src = open_trace_stream(open_memory_input(kLog32, "t32.log"));
  EXPECT_EQ(src->abi(), sw::ProcessAbi::i386);
  const Read r = read_all(*src);
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[0].nr, 45u);
  EXPECT_EQ(r.calls[1].nr, 192u);
  EXPECT_EQ(r.calls[1].result, 0xf7d91000);
  EXPECT_EQ(r.calls[1].path, "/usr/lib32/libc.so.6");
  EXPECT_EQ(r.calls[2].nr, 252u);
  // Without the header line (or with AMD64 in it), a log is x86-64's.
  EXPECT_EQ(open_trace_stream(open_memory_input(kLog, "t.log"))->abi(), sw::ProcessAbi::x86_64);
  std::string amd64 = kLog32;
  amd64.replace(amd64.find("X86,"), 4, "AMD64,");
  EXPECT_EQ(open_trace_stream(open_memory_input(amd64, "t.log"))->abi(), sw::ProcessAbi::x86_64);
}

TEST(SyscallTrace, TheBinaryFormatKeepsTheAbi) {
  StringSink sink;
  {
    BinaryTraceWriter w(sink);
    auto src = open_trace_stream(open_memory_input(kLog32, "t32.log"));
    w.write_abi(src->abi());
    std::vector<MemAccess> buf(4);
    while (std::size_t n = src->read(buf.data(), buf.size())) w.write(buf.data(), n, *src);
    EXPECT_THROW(w.write_abi(sw::ProcessAbi::i386), std::logic_error);
    w.flush();
  }
  EXPECT_EQ(sink.bytes.substr(8, 4), std::string("\0\0\2\1", 4));
  auto bin = open_trace_stream(open_memory_input(sink.bytes, "t32.mmvt"));
  EXPECT_EQ(bin->abi(), sw::ProcessAbi::i386);
  const Read back = read_all(*bin);
  ASSERT_EQ(back.calls.size(), 3u);
  EXPECT_EQ(back.calls[1].path, "/usr/lib32/libc.so.6");
  // An x86-64 trace has no abi record: the files are as before.
  StringSink plain;
  {
    BinaryTraceWriter w(plain);
    w.write_abi(sw::ProcessAbi::x86_64);
    w.flush();
  }
  EXPECT_EQ(plain.bytes.size(), 8u);
  // An abi record anywhere but first is corrupt.
  std::string late =
      std::string(kBinaryTraceMagic, 8) + std::string("\x41\x02", 2) + std::string("\0\0\2\1", 4);
  try {
    read_all(*open_trace_stream(open_memory_input(late, "late.mmvt")));
    ADD_FAILURE() << "an abi record after an access was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("an abi record not first"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mmvp::trace
