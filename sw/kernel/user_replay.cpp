#include "sw/kernel/user_replay.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <stdexcept>

#include "sw/kernel/kernel.h"
#include "sw/kernel/syscall.h"

namespace mmvp::sw {

namespace {

constexpr std::uint64_t kMapFixed = 0x10;
constexpr std::uint64_t kPrSetMmStartBrk = 6, kPrSetMmBrk = 7;

// The numbers the replay itself needs, in the traced program's ABI; a 32-bit program
// enters the kernel with INT 0x80.
struct AbiCalls {
  std::uint64_t mmap, brk, prctl, exit, exit_group;
  bool int80;
};
constexpr AbiCalls kCalls64{sysno::mmap, sysno::brk,        sysno::prctl,
                            sysno::exit, sysno::exit_group, false};
constexpr AbiCalls kCalls32{sysno32::mmap2, sysno32::brk,        sysno32::prctl,
                            sysno32::exit,  sysno32::exit_group, true};

std::int64_t make_call(Cpu& cpu, const AbiCalls& abi, std::uint64_t nr,
                       std::initializer_list<std::uint64_t> args) {
  SyscallFrame f;
  f.nr = nr;
  f.int80 = abi.int80;
  unsigned i = 0;
  for (std::uint64_t a : args) f.arg[i++] = a;
  return cpu.syscall(f);
}

// A traced system call made again (the rules are in user_replay.h).
void replay_syscall(Cpu& cpu, const AbiCalls& abi, const SyscallRecord& r, ReplayCounts& c) {
  const bool ends = r.nr == abi.exit || r.nr == abi.exit_group;
  if (r.result < 0 && !ends) {
    ++c.syscalls_not_made;
    return;
  }
  if (r.nr == abi.brk && !c.loader_brk_set) {
    c.loader_brk_set = true;
    const auto base = static_cast<std::uint64_t>(r.result);
    make_call(cpu, abi, abi.prctl, {PR_SET_MM, kPrSetMmStartBrk, base});
    make_call(cpu, abi, abi.prctl, {PR_SET_MM, kPrSetMmBrk, base});
  }
  SyscallFrame f;
  f.nr = r.nr;
  f.int80 = abi.int80;
  std::copy(std::begin(r.arg), std::end(r.arg), std::begin(f.arg));
  if (r.nr == abi.mmap && !(f.arg[3] & kMapFixed)) f.arg[0] = static_cast<std::uint64_t>(r.result);
  if (!r.path.empty()) f.path = r.path.c_str();
  ++c.syscalls;
  const std::int64_t got = cpu.syscall(f);
  if (got != r.result && c.syscall_mismatches++ == 0) {
    c.first_mismatch = "system call " + std::to_string(r.nr) + " (" + std::to_string(f.arg[0]) +
                       ", " + std::to_string(f.arg[1]) + ", ...) returned " + std::to_string(got) +
                       ", the traced run got " + std::to_string(r.result);
  }
}

// The process ended itself or was ended: no more records.
template <typename Body>
void run_process_code(Cpu& cpu, ReplayCounts& c, Body&& body) {
  cpu.set_cpl(3);  // SYSRET into the process
  try {
    body();
  } catch (const ProcessKilled& e) {
    c.killed = true;
    c.kill_reason = e.what();
  } catch (const ProcessExited& e) {
    c.exited = true;
    c.exit_status = e.status;
  }
  cpu.set_cpl(0);
}

}  // namespace

std::uint64_t replay_as_user(Cpu& cpu, AccessSource& src, const ReplayOptions& opt,
                             ReplayCounts& c) {
  constexpr std::size_t kBatch = 4096;
  static thread_local MemAccess batch[kBatch];
  const std::uint64_t first = c.records;
  const AbiCalls& abi = src.abi() == ProcessAbi::i386 ? kCalls32 : kCalls64;
  run_process_code(cpu, c, [&] {
    for (;;) {
      std::size_t want = kBatch;
      if (opt.max_records) {
        if (c.records - first >= opt.max_records) break;
        want = std::min<std::uint64_t>(want, opt.max_records - (c.records - first));
      }
      std::size_t n = src.read(batch, want);
      if (n == 0) break;
      for (std::size_t i = 0; i < n; ++i) {
        const MemAccess& a = batch[i];
        switch (a.type) {
          case AccessType::instr:
            if (opt.retire_instructions) cpu.retire(1);
            cpu.touch(a.addr, a.size, AccessKind::fetch, false);
            ++c.instructions;
            break;
          case AccessType::load:
            cpu.touch(a.addr, a.size, AccessKind::read, a.dependent);
            ++c.loads;
            break;
          case AccessType::store:
            cpu.touch(a.addr, a.size, AccessKind::write, false);
            ++c.stores;
            break;
          case AccessType::modify:
            cpu.touch(a.addr, a.size, AccessKind::read, a.dependent);
            cpu.touch(a.addr, a.size, AccessKind::write, false);
            ++c.modifies;
            break;
          case AccessType::syscall:
            replay_syscall(cpu, abi, src.syscall(a.addr), c);
            break;
        }
        ++c.records;  // a record that ends the process is not counted
      }
    }
  });
  return c.records - first;
}

void run_as_user(Cpu& cpu, const NativeProgram& program, ReplayCounts& c) {
  run_process_code(cpu, c, [&] { program(cpu); });
}

}  // namespace mmvp::sw
