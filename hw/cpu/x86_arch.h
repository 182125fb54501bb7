// The architectural state of one x86-64 core and its rules, with no SystemC in it (as
// gem5 keeps src/arch/x86/isa.cc apart from its CPU models): CR0/CR2/CR3/CR4, EFER,
// CPL, RFLAGS.AC and IF, the IDT's exception and interrupt handlers, pending
// interrupt lines, and the TLB invalidations each control-register write implies
// (SDM Vol. 3A 4.10.4.1). The SystemC shell (cpu_module.h) adds time and transactions.
#pragma once
#include <array>
#include <cstdint>

#include "hw/cpu/cpu_config.h"
#include "hw/cpu/cpu_port.h"
#include "hw/mmu/mmu.h"
#include "hw/mmu/paging.h"

namespace mmvp {

class X86Arch {
 public:
  X86Arch(const X86ArchConfig& cfg, TlbMaintenance& tlb) : cfg_(cfg), tlb_(tlb) {}

  const PagingContext& paging() const { return ctx_; }
  CpuidFeatures cpuid() const { return {cfg_.pcid_supported, cfg_.la57_supported, cfg_.base_mhz}; }
  unsigned cpl() const { return ctx_.cpl; }
  bool interrupts_enabled() const { return if_; }

  // MOV from/to CRn and RDMSR/WRMSR. A write the SDM answers with #GP (or one this
  // model does not support) throws CpuHalt naming the rule; an accepted write
  // performs the TLB invalidation it implies.
  std::uint64_t read_cr(unsigned n) const;
  void write_cr(unsigned n, std::uint64_t value);
  std::uint64_t rdmsr(std::uint32_t index) const;
  void wrmsr(std::uint32_t index, std::uint64_t value);

  // INVPCID (SDM Vol. 2A): type 0 one page of one PCID, 1 one PCID, 2 everything, 3
  // everything but global entries; #GP (CpuHalt) for a type above 3, without CPUID
  // support, a non-canonical address (type 0) or a PCID other than 0 while CR4.PCIDE = 0.
  void invpcid(unsigned type, std::uint64_t pcid, LAddr la);

  void set_cpl(unsigned cpl) { ctx_.cpl = cpl == 3 ? 3 : 0; }
  void set_ac(bool ac) { ctx_.ac = ac; }
  void set_if(bool enabled) { if_ = enabled; }

  // The exception an access fault raises (SDM 4.7: a #PF loads CR2 with the linear
  // address). Throws CpuHalt once the same access has faulted max_fault_retries times.
  ExceptionInfo fault(LAddr la, AccessKind k, bool page_fault, std::uint32_t error_code,
                      unsigned attempt);
  // The #MC of an access with nothing behind physical address pa.
  ExceptionInfo machine_check(PAddr pa) const;

  // The IDT. Vectors 0-31 are exceptions, 32-255 interrupts; out of range: CpuHalt.
  void set_exception_handler(unsigned vector, ExceptionHandler h);
  void set_irq_handler(unsigned vector, IrqHandler h);
  void set_syscall_handler(SyscallHandler h) { syscall_handler_ = std::move(h); }
  // SYSCALL's checks and entry (SDM Vol. 2B): CpuHalt for #UD (no #UD handler is
  // modelled) or a missing entry point; runs the handler in a handler frame.
  std::int64_t deliver_syscall(const SyscallFrame& f);
  bool has_exception_handler(unsigned vector) const {
    return vector < exception_handlers_.size() && exception_handlers_[vector];
  }
  // Runs the handler of info.vector in a handler frame (below); throws CpuHalt when the
  // vector has no handler or handlers nest beyond max_nesting.
  void deliver_exception(const ExceptionInfo& info);

  // Interrupt lines (any device, any time); delivered at an instruction boundary
  // while IF = 1, the highest vector first as the local APIC prioritises.
  void raise_irq(unsigned vector);
  bool irq_deliverable() const { return irq_pending_ && if_; }
  // The highest pending vector, its line cleared; 0 if none (and nothing pending).
  unsigned take_irq();
  // Runs vector's handler in a handler frame; CpuHalt if it has none.
  void deliver_irq(unsigned vector);

  // Entry through an interrupt gate (SDM Vol. 3A 6.12.1): CPL 0, IF and AC cleared;
  // the destructor restores the interrupted context (IRET), also when the handler
  // unwinds.
  class HandlerFrame {
   public:
    explicit HandlerFrame(X86Arch& a);
    ~HandlerFrame();
    HandlerFrame(const HandlerFrame&) = delete;
    HandlerFrame& operator=(const HandlerFrame&) = delete;

   private:
    X86Arch& a_;
    unsigned cpl_;
    bool ac_, if_;
  };

 private:
  void write_cr0(std::uint64_t value);
  void write_cr3(std::uint64_t value);
  void write_cr4(std::uint64_t value);

  X86ArchConfig cfg_;
  TlbMaintenance& tlb_;
  PagingContext ctx_;
  std::uint64_t cr2_ = 0;
  bool if_ = false;
  unsigned depth_ = 0;
  std::array<ExceptionHandler, 32> exception_handlers_{};
  std::array<IrqHandler, 256> irq_handlers_{};
  SyscallHandler syscall_handler_;
  std::array<bool, 256> irq_lines_{};
  bool irq_pending_ = false;
};

const char* exception_name(unsigned vector);

}  // namespace mmvp
