#include "hw/cpu/x86_arch.h"

#include <fmt/format.h>

namespace mmvp {

const char* exception_name(unsigned vector) {
  switch (vector) {
    case vec::GP:
      return "#GP";
    case vec::PF:
      return "#PF";
    case vec::MC:
      return "#MC";
    default:
      return "exception";
  }
}

std::uint64_t X86Arch::read_cr(unsigned n) const {
  switch (n) {
    case 0:
      return ctx_.cr0;
    case 2:
      return cr2_;
    case 3:
      return ctx_.cr3;
    case 4:
      return ctx_.cr4;
    default:
      throw CpuHalt(fmt::format("MOV from CR{}: no such control register", n));
  }
}

void X86Arch::write_cr(unsigned n, std::uint64_t value) {
  switch (n) {
    case 0:
      return write_cr0(value);
    case 2:
      cr2_ = value;
      return;
    case 3:
      return write_cr3(value);
    case 4:
      return write_cr4(value);
    default:
      throw CpuHalt(fmt::format("MOV to CR{}: no such control register", n));
  }
}

void X86Arch::write_cr0(std::uint64_t value) {
  if ((value & cr0::PG) && !(value & cr0::PE)) throw CpuHalt("MOV to CR0: PG=1 with PE=0 (#GP)");
  const bool pae = ctx_.cr4 & cr4::PAE, lme = ctx_.efer & efer::LME;
  // SDM Vol. 3A 9.8.5: IA-32e mode needs PAE when paging is turned on with LME.
  if ((value & cr0::PG) && lme && !pae)
    throw CpuHalt("MOV to CR0: PG=1 with LME=1 and PAE=0 (#GP)");
  const std::uint64_t changed = ctx_.cr0 ^ value;
  // SDM 4.4.1: turning paging on with PAE=1 outside IA-32e mode loads the PDPTEs.
  if ((changed & value & cr0::PG) && pae && !lme && !tlb_.load_pdptes(ctx_.cr3))
    throw CpuHalt("MOV to CR0: a PDPTE has a reserved bit set (#GP)");
  ctx_.cr0 = value;
  // SDM Vol. 3A 9.8.5: IA-32e mode is active (EFER.LMA) while paging is on with LME.
  if ((value & cr0::PG) && lme)
    ctx_.efer |= efer::LMA;
  else
    ctx_.efer &= ~efer::LMA;
  // SDM 4.10.4.1: MOV to CR0 that changes PG (or WP) invalidates all TLB entries.
  if (changed & (cr0::PG | cr0::WP)) tlb_.flush_all();
}

void X86Arch::write_cr3(std::uint64_t value) {
  const bool pcide = ctx_.cr4 & cr4::PCIDE;
  const bool noflush = pcide && (value & cr3::NOFLUSH);
  if (pcide) value &= ~cr3::NOFLUSH;  // bit 63 is an instruction to MOV, never stored
  // Bits 51:MAXPHYADDR of CR3 are reserved (SDM 4.5, Table 4-12): #GP.
  const std::uint64_t reserved = ~((1ULL << cfg_.maxphyaddr) - 1) & ((1ULL << 52) - 1);
  if (value & reserved)
    throw CpuHalt(fmt::format("MOV to CR3 {:#x}: bits at or above MAXPHYADDR {} (#GP)", value,
                              cfg_.maxphyaddr));
  // SDM 4.4.1: under PAE paging MOV to CR3 loads the PDPTE registers; a reserved bit
  // in a present one is #GP and CR3 is left as it was.
  if ((ctx_.cr0 & cr0::PG) && (ctx_.cr4 & cr4::PAE) && !(ctx_.efer & efer::LMA) &&
      !tlb_.load_pdptes(value))
    throw CpuHalt(fmt::format("MOV to CR3 {:#x}: a PDPTE has a reserved bit set (#GP)", value));
  ctx_.cr3 = value;
  if (pcide) {
    // SDM 4.10.4.1: with CR4.PCIDE = 1, MOV to CR3 invalidates the non-global entries of
    // the new PCID unless bit 63 is set; other PCIDs' entries stay.
    const auto pcid = static_cast<unsigned>(value & cr3::PCID_MASK);
    tlb_.set_pcid(pcid, true);
    if (!noflush) tlb_.flush_pcid(pcid);
    return;
  }
  // SDM 4.10.4.1: MOV to CR3 invalidates all non-global entries (all with PGE = 0).
  if (ctx_.cr4 & cr4::PGE)
    tlb_.flush_non_global();
  else
    tlb_.flush_all();
}

void X86Arch::write_cr4(std::uint64_t value) {
  const std::uint64_t changed = ctx_.cr4 ^ value;
  if ((value & cr4::LA57) && !cfg_.la57_supported)
    throw CpuHalt("MOV to CR4: LA57 set but cpu.la57 is false (#GP)");
  if ((changed & cr4::LA57) && (ctx_.efer & efer::LMA))
    throw CpuHalt("MOV to CR4: LA57 changed in IA-32e mode (#GP)");
  if ((changed & value & cr4::PCIDE)) {
    // SDM Vol. 3A 2.5 / 4.10.1: setting PCIDE needs CPUID.PCID, IA-32e mode and
    // CR3[11:0] = 0.
    if (!cfg_.pcid_supported) throw CpuHalt("MOV to CR4: PCIDE set but cpu.pcid is false (#GP)");
    if (!(ctx_.efer & efer::LMA)) throw CpuHalt("MOV to CR4: PCIDE set outside IA-32e mode (#GP)");
    if (ctx_.cr3 & cr3::PCID_MASK) throw CpuHalt("MOV to CR4: PCIDE set with CR3[11:0] != 0 (#GP)");
  }
  if ((changed & cr4::PAE) && (ctx_.efer & efer::LMA))
    throw CpuHalt("MOV to CR4: PAE cleared in IA-32e mode (#GP)");
  // SDM 4.4.1: changing PAE, PGE, PSE or SMEP with paging on and PAE paging in use after
  // the change reloads the PDPTEs.
  if ((ctx_.cr0 & cr0::PG) && (value & cr4::PAE) && !(ctx_.efer & efer::LMA) &&
      (changed & (cr4::PAE | cr4::PGE | cr4::PSE | cr4::SMEP)) && !tlb_.load_pdptes(ctx_.cr3))
    throw CpuHalt("MOV to CR4: a PDPTE has a reserved bit set (#GP)");
  ctx_.cr4 = value;
  // SDM 4.10.4.1: changing PGE, PAE, PSE, SMEP (or LA57) invalidates all TLB entries, and
  // so does clearing PCIDE (every PCID's).
  if ((changed & (cr4::PGE | cr4::PAE | cr4::PSE | cr4::SMEP | cr4::LA57)) ||
      (changed & cr4::PCIDE && !(value & cr4::PCIDE)))
    tlb_.flush_all();
  if (changed & cr4::PCIDE)
    tlb_.set_pcid(static_cast<unsigned>(ctx_.cr3 & cr3::PCID_MASK), value & cr4::PCIDE);
}

void X86Arch::invpcid(unsigned type, std::uint64_t pcid, LAddr la) {
  if (!cfg_.pcid_supported) throw CpuHalt("INVPCID without CPUID support (cpu.pcid) (#UD)");
  if (type > 3) throw CpuHalt(fmt::format("INVPCID type {} (#GP)", type));
  if (pcid > cr3::PCID_MASK)
    throw CpuHalt(fmt::format("INVPCID PCID {:#x} above 4095 (#GP)", pcid));
  if (type <= 1 && pcid != 0 && !(ctx_.cr4 & cr4::PCIDE))
    throw CpuHalt(fmt::format("INVPCID type {} of PCID {} with CR4.PCIDE = 0 (#GP)", type, pcid));
  if (type == 0 && !is_canonical(la, ctx_.la57()))
    throw CpuHalt(fmt::format("INVPCID type 0 of non-canonical address {:#x} (#GP)", la));
  switch (type) {
    case 0:
      return tlb_.invalidate_pcid(la, static_cast<unsigned>(pcid));
    case 1:
      return tlb_.flush_pcid(static_cast<unsigned>(pcid));
    case 2:
      return tlb_.flush_all();
    default:
      return tlb_.flush_non_global();
  }
}

std::uint64_t X86Arch::rdmsr(std::uint32_t index) const {
  if (index == msr::EFER) return ctx_.efer;
  throw CpuHalt(fmt::format("RDMSR {:#x}: MSR not modelled (#GP)", index));
}

void X86Arch::wrmsr(std::uint32_t index, std::uint64_t value) {
  if (index != msr::EFER) throw CpuHalt(fmt::format("WRMSR {:#x}: MSR not modelled (#GP)", index));
  const std::uint64_t changed = ctx_.efer ^ value;
  if ((changed & efer::LME) && (ctx_.cr0 & cr0::PG))
    throw CpuHalt("WRMSR EFER: LME changed with paging on (#GP)");
  ctx_.efer = (value & ~efer::LMA) | (ctx_.efer & efer::LMA);  // LMA is read-only
  // Cached translations carry XD as seen under the old NXE.
  if (changed & efer::NXE) tlb_.flush_all();
}

ExceptionInfo X86Arch::fault(LAddr la, AccessKind k, bool page_fault, std::uint32_t error_code,
                             unsigned attempt) {
  if (attempt >= cfg_.max_fault_retries) {
    throw CpuHalt(
        fmt::format("access to {:#x} still faults after {} handler runs (error code {:#x})", la,
                    attempt, error_code));
  }
  ExceptionInfo info;
  info.address = la;
  info.kind = k;
  info.cpl = ctx_.cpl;
  if (page_fault) {
    cr2_ = la;  // SDM 4.7: CR2 holds the linear address that caused the fault
    info.vector = vec::PF;
    info.error_code = error_code;
  } else {
    info.vector = vec::GP;  // SDM 3.3.7.1: a non-canonical address, error code 0
  }
  return info;
}

ExceptionInfo X86Arch::machine_check(PAddr pa) const {
  ExceptionInfo info;
  info.vector = vec::MC;
  info.address = pa;
  info.cpl = ctx_.cpl;
  return info;
}

void X86Arch::set_exception_handler(unsigned vector, ExceptionHandler h) {
  if (vector >= exception_handlers_.size()) throw CpuHalt("exception vector out of range");
  exception_handlers_[vector] = std::move(h);
}

void X86Arch::set_irq_handler(unsigned vector, IrqHandler h) {
  if (vector < 32 || vector >= irq_handlers_.size())
    throw CpuHalt(fmt::format("IRQ vector {} outside 32..255", vector));
  irq_handlers_[vector] = std::move(h);
}

void X86Arch::deliver_exception(const ExceptionInfo& info) {
  if (!has_exception_handler(info.vector)) {
    throw CpuHalt(fmt::format("unhandled {} at linear address {:#x}, error code {:#x}, CPL {}",
                              exception_name(info.vector), info.address, info.error_code,
                              info.cpl));
  }
  if (depth_ >= cfg_.max_nesting) {
    throw CpuHalt(fmt::format("{} nested {} deep at {:#x}: software faults in its own handlers",
                              exception_name(info.vector), cfg_.max_nesting, info.address));
  }
  HandlerFrame frame(*this);
  exception_handlers_[info.vector](info);
}

std::int64_t X86Arch::deliver_syscall(const SyscallFrame& f) {
  // SDM Vol. 2B SYSCALL: "IF (CS.L != 1) or (IA32_EFER.LMA != 1) or (IA32_EFER.SCE != 1)
  // THEN #UD". INT 0x80 is an interrupt through the IDT, allowed in any mode.
  if (!f.int80 && (!(ctx_.efer & efer::LMA) || !(ctx_.efer & efer::SCE)))
    throw CpuHalt(fmt::format("SYSCALL {} with EFER.SCE = 0 or outside IA-32e mode (#UD)", f.nr));
  if (!syscall_handler_)
    throw CpuHalt(fmt::format("SYSCALL {} with no entry point (IA32_LSTAR)", f.nr));
  HandlerFrame frame(*this);
  return syscall_handler_(f);
}

void X86Arch::raise_irq(unsigned vector) {
  if (vector < 32 || vector >= irq_lines_.size()) return;
  irq_lines_[vector] = true;
  irq_pending_ = true;
}

unsigned X86Arch::take_irq() {
  for (unsigned v = irq_lines_.size(); v-- > 32;) {
    if (irq_lines_[v]) {
      irq_lines_[v] = false;
      return v;
    }
  }
  irq_pending_ = false;
  return 0;
}

void X86Arch::deliver_irq(unsigned vector) {
  if (!irq_handlers_[vector])
    throw CpuHalt(fmt::format("IRQ vector {} raised with no handler", vector));
  HandlerFrame frame(*this);
  irq_handlers_[vector](vector);
}

X86Arch::HandlerFrame::HandlerFrame(X86Arch& a)
    : a_(a), cpl_(a.ctx_.cpl), ac_(a.ctx_.ac), if_(a.if_) {
  a.ctx_.cpl = 0;
  a.ctx_.ac = false;
  a.if_ = false;
  ++a.depth_;
}

X86Arch::HandlerFrame::~HandlerFrame() {
  a_.ctx_.cpl = cpl_;
  a_.ctx_.ac = ac_;
  a_.if_ = if_;
  --a_.depth_;
}

}  // namespace mmvp
