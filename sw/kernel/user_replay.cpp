#include "sw/kernel/user_replay.h"

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

ReplayCounts replay_as_user(Cpu& cpu, AccessSource& src, const ReplayOptions& opt) {
  ReplayCounts c;
  constexpr std::size_t kBatch = 4096;
  static thread_local MemAccess batch[kBatch];
  cpu.set_cpl(3);  // SYSRET into the process
  try {
    for (;;) {
      std::size_t want = kBatch;
      if (opt.max_records) {
        if (c.records >= opt.max_records) break;
        want = std::min<std::uint64_t>(want, opt.max_records - c.records);
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
        }
        ++c.records;
      }
    }
  } catch (const ProcessKilled& e) {
    c.killed = true;
    c.kill_reason = e.what();
  }
  cpu.set_cpl(0);
  return c;
}

ReplayCounts run_as_user(Cpu& cpu, const NativeProgram& program) {
  ReplayCounts c;
  cpu.set_cpl(3);
  try {
    program(cpu);
  } catch (const ProcessKilled& e) {
    c.killed = true;
    c.kill_reason = e.what();
  }
  cpu.set_cpl(0);
  return c;
}

}  // namespace mmvp::sw
