// The CPU core's instruction interface: everything software running on the core can
// do. The guest kernel (sw/) sees the hardware only through this class (via sw/arch).
// Pure C++ so that sw/ never needs SystemC.
#pragma once
#include <cstdint>
#include <functional>

#include "hw/common/types.h"
#include "hw/mmu/paging.h"

namespace mmvp {

// What an exception handler learns (the hardware-pushed frame plus CR2).
struct ExceptionInfo {
  unsigned vector = 0;           // vec::PF, vec::GP, vec::MC
  std::uint32_t error_code = 0;  // #PF: SDM Figure 4-12 bits
  LAddr address = 0;             // #PF: the faulting linear address (also in CR2)
  AccessKind kind = AccessKind::read;
  unsigned cpl = 0;  // privilege level of the interrupted code
};

using ExceptionHandler = std::function<void(const ExceptionInfo&)>;

// The registers of a SYSCALL as Linux's x86-64 ABI passes them: the number in RAX, the
// arguments in RDI, RSI, RDX, R10, R8, R9 (arch/x86/entry/entry_64.S). A trace holds
// no memory contents, so a path argument (mmap's file, through its fd's openat)
// travels with the call: `path` stands for the user string the kernel would copy in.
struct SyscallFrame {
  std::uint64_t nr = 0;
  std::uint64_t arg[6] = {};
  const char* path = nullptr;
  // Made by INT 0x80 from compatibility mode (a 32-bit process: EAX the number, EBX..EBP
  // the arguments), not by SYSCALL: the kernel's IDT gate 0x80 takes it (SDM Vol. 3A
  // 6.12, "INT n" in Vol. 2A), which needs no EFER.SCE.
  bool int80 = false;
};
// The kernel's entry point (IA32_LSTAR, and the IDT's vector 0x80 gate): returns RAX,
// -errno on failure.
using SyscallHandler = std::function<std::int64_t(const SyscallFrame&)>;
using IrqHandler = std::function<void(unsigned vector)>;

// Raised out of the core when software cannot continue: an exception with no
// handler, nested faults beyond the limit, an access with no memory behind it and no
// #MC handler. The message is one line.
struct CpuHalt : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace msr {
inline constexpr std::uint32_t EFER = 0xC0000080;
}

// What CPUID reports of the features software must ask about.
struct CpuidFeatures {
  bool pcid = false;  // CPUID.01H:ECX.PCID[17] and CPUID.07H:EBX.INVPCID[10]
  bool la57 = false;  // CPUID.07H:ECX.LA57[16]
  // CPUID.04H (deterministic cache parameters): the size in bytes of the last cache
  // level the core has (ways x partitions x line size x sets), 0 without caches.
  std::uint64_t last_level_cache_bytes = 0;
  // CPUID.16H:EAX: the processor base frequency in MHz (the TSC rate software takes).
  std::uint32_t base_mhz = 0;
};

class CpuPort {
 public:
  virtual ~CpuPort() = default;
  virtual CpuidFeatures cpuid() const = 0;

  // Loads and stores of 1, 2, 4 or 8 bytes at a linear address, at the current
  // privilege level. A fault goes to the registered handler, then the access restarts.
  // Software uses a load's value at once, so a load costs its whole latency (a
  // dependent load); a store costs what it takes beyond an L1 hit.
  virtual std::uint64_t load(LAddr la, unsigned size) = 0;
  virtual void store(LAddr la, unsigned size, std::uint64_t value) = 0;
  // The stores (MOVs) a compiler emits to fill `size` bytes (1 to 64) of a structure
  // from la, back to back, within one 4 KB page (mm_zero_struct_page and the member
  // stores of __init_single_page). Timed as those stores are: the first to each cache
  // line pays its translation and what its access costs beyond a first-level hit; the
  // others hit the first-level TLB and cache, which the pipeline hides. Counted as
  // ceil(size / 8) stores; the TLBs and caches see one access per line.
  virtual void store_burst(LAddr la, const void* data, unsigned size) = 0;
  // An access of any size without data (a replayed trace record): translated and
  // timed like a real one; split in two when it straddles a 4 KB page. It costs what it
  // takes beyond a hit in the first cache level (a pipelined core hides the hit), or
  // its whole latency when `dependent` (its address came from the previous load: a
  // pointer chase).
  virtual void touch(LAddr la, unsigned size, AccessKind kind, bool dependent) = 0;
  // REP STOS and REP MOVS with DF = 0 (SDM Vol. 2B; the fast-string operation of Vol. 1
  // 7.3.9.3): `count` elements of `width` bytes (1, 2, 4, 8), each aligned to its width.
  // STOS stores `value` from la upward; MOVS copies from src to dst upward (memcpy: the
  // ranges must not overlap). Translated a page at a time, the data through DMI (or an
  // element at a time on the bus for uncacheable memory); a fault is delivered where
  // the string stopped and the string resumes there, as RCX and RDI let it. Costs the
  // microcode's start-up, then every cache line its throughput and what a store (or,
  // for MOVS's source, a load) of it costs beyond a first-level hit.
  virtual void rep_stos(LAddr la, std::uint64_t value, unsigned width, std::uint64_t count) = 0;
  virtual void rep_movs(LAddr dst, LAddr src, unsigned width, std::uint64_t count) = 0;
  // n instructions retire: cpu.base_cpi cycles each (the trace replay's I records).
  virtual void retire(std::uint64_t n) = 0;

  virtual std::uint64_t read_cr(unsigned n) = 0;  // CR0, CR2, CR3, CR4
  virtual void write_cr(unsigned n, std::uint64_t value) = 0;
  virtual std::uint64_t rdmsr(std::uint32_t index) = 0;
  virtual void wrmsr(std::uint32_t index, std::uint64_t value) = 0;
  virtual void invlpg(LAddr la) = 0;
  // INVPCID type (0 one page of pcid, 1 all of pcid, 2 all, 3 all but global) (SDM
  // Vol. 2A).
  virtual void invpcid(unsigned type, std::uint64_t pcid, LAddr la) = 0;
  // WBINVD (SDM Vol. 2): writes every dirty cache line back to memory and invalidates
  // every cache.
  virtual void wbinvd() = 0;

  virtual std::uint32_t in(std::uint16_t port, unsigned size) = 0;
  virtual void out(std::uint16_t port, unsigned size, std::uint32_t value) = 0;

  // Time for work that is not a memory access (ALU instructions, the kernel's
  // bookkeeping between accesses).
  virtual void charge(std::uint64_t cycles) = 0;
  virtual std::uint64_t cycles() const = 0;  // like RDTSC

  virtual unsigned cpl() const = 0;
  virtual void set_cpl(unsigned cpl) = 0;  // SYSRET/IRET to user, or entry to the kernel
  virtual void set_ac(bool ac) = 0;        // STAC / CLAC
  virtual void set_if(bool enabled) = 0;   // STI / CLI

  virtual void set_exception_handler(unsigned vector, ExceptionHandler h) = 0;
  virtual void set_irq_handler(unsigned vector, IrqHandler h) = 0;
  // WRMSR IA32_LSTAR: where SYSCALL enters the kernel.
  virtual void set_syscall_handler(SyscallHandler h) = 0;
  // SYSCALL (SDM Vol. 2B): #UD unless IA-32e mode is active and EFER.SCE is set; enters
  // the handler at CPL 0 with RFLAGS.IF and AC cleared (Linux's IA32_FMASK), costs
  // cpu.syscall_cycles for the entry and SYSRET, and returns the handler's RAX at the
  // caller's privilege level.
  virtual std::int64_t syscall(const SyscallFrame& frame) = 0;

  // Names the software routine now running, for the waveform (0 = none). Costs
  // nothing when no VCD is written.
  virtual void mark_routine(std::uint32_t id) = 0;
  // Announces a point of the run to the waveform, where --wave-from/--wave-to may start
  // or stop it: the end of boot, the start of workload n (from 1). Costs nothing when no
  // waveform is written.
  enum class Milestone : std::uint8_t { boot_end, workload_start };
  virtual void mark_milestone(Milestone m, std::uint64_t n = 0) = 0;

  // Simulator pseudo-instruction (like gem5's m5_reset_stats): zeroes every statistic
  // of the platform, so what follows is measured alone (e.g. after boot).
  virtual void reset_stats() = 0;
  // Simulator pseudo-instruction: fast-forward on or off (gem5's switch to an atomic CPU
  // in atomic_noncaching mode). While on, loads, stores, bursts, strings and trace
  // records are functional: the values move exactly, translations go through the TLBs
  // and the page walker as usual (so they stay warm and the A/D bits are set as they
  // would be), but the caches and memory are not consulted, nothing is counted and no
  // time passes; software charges the time it accounts for with charge(). A fault or
  // an access without memory behind it halts the core (fast-forward is for kernel
  // code on its own cacheable memory).
  virtual void set_fast_forward(bool on) = 0;
};

}  // namespace mmvp
