// The page-fault handler (arch/x86/mm/fault.c: exc_page_fault, do_user_addr_fault,
// handle_mm_fault for anonymous memory) and the general-protection handler.
#include <fmt/format.h>

#include "sw/kernel/layout.h"
#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/memory.h"
#include "sw/mm/mmap.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/oom_kill.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
namespace {

// Linux's "#PF: ..." lines of an oops (show_fault_oops).
[[noreturn]] void kernel_oops(Kernel& k, const ExceptionInfo& info) {
  k.printk(fmt::format("BUG: unable to handle page fault for address: {:016x}", info.address));
  k.printk(fmt::format("#PF: supervisor {} access in kernel mode",
                       info.kind == AccessKind::fetch ? "instruction fetch"
                       : (info.error_code & pf::W)    ? "write"
                                                      : "read"));
  k.printk(fmt::format("#PF: error_code(0x{:04x}) - {}", info.error_code,
                       (info.error_code & pf::RSVD) ? "reserved bit violation"
                       : (info.error_code & pf::P)  ? "permissions violation"
                                                    : "not-present page"));
  k.panic(fmt::format("Oops: page fault at {:#x} in kernel mode", info.address));
}

// bad_area(): SIGSEGV with show_signal_msg's line.
[[noreturn]] void segfault(Kernel& k, LAddr t, const ExceptionInfo& info, const char* why) {
  k.printk(
      fmt::format("{}[{}]: segfault at {:x} ip 0000000000000000 sp 0000000000000000 error {:x}",
                  task_comm(k, t), task_pid(k, t), info.address, info.error_code));
  throw ProcessKilled(
      fmt::format("segfault at {:#x}: {} (error code {:#x})", info.address, why, info.error_code));
}

// access_error() (arch/x86/mm/fault.c): a write needs VM_WRITE; any other fault on a
// present page is a protection fault (PROT_NONE, or a fetch from an XD page); a read of
// a not-present page needs the VMA to be accessible.
bool access_error(std::uint32_t error_code, std::uint64_t vm_flags) {
  if (error_code & pf::W) return !(vm_flags & VM_WRITE);
  if (error_code & pf::P) return true;
  return !(vm_flags & VM_ACCESS_FLAGS);
}

void do_page_fault(Kernel& k, const ExceptionInfo& info) {
  RoutineScope r(k, Routine::page_fault, Routine::user);
  const LAddr va = info.address;
  const LAddr t = current_task(k);
  const bool user_addr = va < TASK_SIZE_MAX;
  if (info.cpl != 3 && !user_addr) {
    check_stack_guard(k, va);  // handle_stack_overflow() before the generic oops
    kernel_oops(k, info);
  }
  if (!t) kernel_oops(k, info);
  if (info.cpl == 3) save_user_regs(k, info.error_code);  // asm_exc_page_fault's pt_regs
  count_vm_event(k, PGFAULT);
  if (info.error_code & pf::RSVD) segfault(k, t, info, "reserved bit set in a paging entry");
  if (!user_addr) segfault(k, t, info, "user access to a kernel address");
  // do_user_addr_fault(): the VMA, then the access the VMA allows.
  Guest& g = k.mem;
  const LAddr m = g.get(t, task::mm);
  const LAddr v = fault_vma(k, m, va);
  if (!v) segfault(k, t, info, "address in no mapping (SEGV_MAPERR)");
  const std::uint64_t flags = g.get(v, vma::vm_flags);
  if (access_error(info.error_code, flags))
    segfault(k, t, info, "access the mapping does not allow (SEGV_ACCERR)");
  if (info.error_code & pf::P) {
    // A write to a present read-only PTE of a writable VMA (do_wp_page reusing the
    // page): make it writable. The SDM (4.10.4.1) drops the faulting translation.
    const PAddr pgd = g.get(m, mm::pgd);
    unsigned level = 0;
    const std::uint64_t e = lookup_address(k, pgd, va, &level);
    if (e && level == 1) {
      map_page(k, pgd, va & ~(PAGE_SIZE - 1), e & pte::ADDR_MASK,
               vm_page_prot(flags) | (e & (pte::A | pte::D)));
      k.cpu.invlpg(va);
    }
    return;
  }
  // hugetlb_fault() for a MAP_HUGETLB mapping: its pool's page, or SIGBUS when the pool
  // is empty (the reservation made at mmap prevents it).
  if (g.get(v, vma::vm_hpage_shift)) {
    if (hugetlb_fault(k, m, v, va)) return;
    k.printk(fmt::format("{}[{}]: bus error at {:x} (hugetlb pool empty)", task_comm(k, t),
                         task_pid(k, t), va));
    throw ProcessKilled(fmt::format("SIGBUS at {:#x}: no free huge page", va));
  }
  // __handle_mm_fault(): a 2 MB page where the THP policy allows and a block is free.
  if (thp_vma_allowable(k, v, va) && do_huge_pmd_anonymous_page(k, t, m, v, va)) return;
  if (!do_anonymous_page(k, t, m, v, va)) {
    // VM_FAULT_OOM: the allocator's OOM killer chose this task, or found nothing to
    // kill (pagefault_out_of_memory asks once more); either way the task dies.
    if (!g.get(t, task::oom_victim)) out_of_memory(k, 0, -1);
    throw ProcessKilled(fmt::format("killed by the OOM killer (out of memory at {:#x})", va));
  }
}

// exc_general_protection (arch/x86/kernel/traps.c). The only #GP the core raises on an
// access is a non-canonical address (SDM 3.3.7.1), error code 0. In user mode it is
// SIGSEGV with show_signal's line ("traps: " is traps.c's pr_fmt); in kernel mode an
// oops (die_addr's first line), then the panic.
void do_general_protection(Kernel& k, const ExceptionInfo& info) {
  const LAddr t = current_task(k);
  if (info.cpl == 3 && t) {
    k.printk(fmt::format("traps: {}[{}] general protection fault ip:0 sp:0 error:{:x}",
                         task_comm(k, t), task_pid(k, t), info.error_code));
    throw ProcessKilled(
        fmt::format("general protection fault: non-canonical address {:#x}", info.address));
  }
  k.printk(fmt::format(
      "general protection fault, probably for non-canonical address {:#018x}: {:04x} [#1]",
      info.address, info.error_code));
  k.panic(fmt::format("Oops: general protection fault at {:#x} in kernel mode", info.address));
}

}  // namespace

void install_fault_handlers(Kernel& k) {
  k.cpu.set_exception_handler(vec::PF, [&k](const ExceptionInfo& info) { do_page_fault(k, info); });
  k.cpu.set_exception_handler(vec::GP,
                              [&k](const ExceptionInfo& info) { do_general_protection(k, info); });
}

}  // namespace mmvp::sw
