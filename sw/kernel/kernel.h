// The guest kernel's context: the CPU core it runs on and typed guest-memory access.
// Like a CPU's registers, it holds no kernel data structure itself: every structure
// lives in guest memory at the addresses of sw/kernel/layout.h or in allocated memory.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sw/arch/x86.h"
#include "sw/kernel/routines.h"
#include "sw/mm/guest.h"

namespace mmvp::sw {

class Kernel {
 public:
  explicit Kernel(Cpu& c) : cpu(c), mem(c) {}
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Cpu& cpu;
  Guest mem;
  // The routine shown on the waveform now (a probe, like a debug register; see
  // RoutineScope).
  Routine routine = Routine::none;

  // The console: printk lines go here (the testbench prints or keeps them).
  std::function<void(std::string_view)> console;
  void printk(std::string_view line) {
    if (console) console(line);
  }
  // A kernel bug or an unrecoverable state (like Linux's BUG()/panic()).
  [[noreturn]] void panic(const std::string& why);
};

// The user process did something the kernel ends it for (a protection violation, an
// access to kernel space); the message says what, like a segfault report. Thrown by
// the #PF handler, it unwinds out of the process's code to the scheduler.
struct ProcessKilled : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The kernel's own faults and bugs: the message is one line.
struct KernelPanic : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void Kernel::panic(const std::string& why) {
  throw KernelPanic("Kernel panic: " + why);
}

// Marks the kernel routine running for the waveform (the core's `routine` signal)
// for the lifetime of the object, restoring the enclosing routine after (or `outer`
// when given, e.g. a fault handler returning to user code).
class RoutineScope {
 public:
  RoutineScope(Kernel& k, Routine r, Routine outer = Routine::none)
      : k_(k), outer_(outer == Routine::none ? k.routine : outer) {
    k_.routine = r;
    k_.cpu.mark_routine(static_cast<std::uint32_t>(r));
  }
  ~RoutineScope() {
    k_.routine = outer_;
    k_.cpu.mark_routine(static_cast<std::uint32_t>(outer_));
  }

 private:
  Kernel& k_;
  Routine outer_;
};

}  // namespace mmvp::sw
