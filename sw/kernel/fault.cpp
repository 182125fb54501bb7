// The page-fault handler (arch/x86/mm/fault.c: exc_page_fault, do_user_addr_fault,
// handle_mm_fault for anonymous memory) and the general-protection handler.
#include <fmt/format.h>

#include "sw/kernel/layout.h"
#include "sw/kernel/task.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
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

void do_page_fault(Kernel& k, const ExceptionInfo& info) {
  RoutineScope r(k, Routine::page_fault, Routine::user);
  LAddr va = info.address;
  LAddr t = current_task(k);
  bool user_addr = va < TASK_SIZE_MAX;
  if (info.cpl != 3 && !user_addr) kernel_oops(k, info);
  if (!t) kernel_oops(k, info);
  Guest& g = k.mem;
  if (user_addr && !(info.error_code & (pf::P | pf::RSVD))) {
    // Anonymous demand paging (do_anonymous_page): a zeroed page, mapped writable.
    LAddr page = alloc_page(k, GFP_USER | __GFP_ZERO);
    LAddr m = g.get(t, task::mm);
    if (!page || !map_page(k, g.get(m, mm::pgd), va & ~(PAGE_SIZE - 1),
                           page::page_to_pfn(page) << PAGE_SHIFT, pte::P | pte::RW | pte::US)) {
      if (page) __free_pages(k, page, 0);
      k.printk(
          fmt::format("Out of memory: Killed process {} ({})", task_pid(k, t), task_comm(k, t)));
      throw ProcessKilled(fmt::format("out of memory at {:#x}", va));
    }
    g.set(m, mm::rss, g.get(m, mm::rss) + 1);
    g.set(t, task::min_flt, g.get(t, task::min_flt) + 1);
    return;
  }
  // A protection violation, a reserved bit, or a user access to kernel space: SIGSEGV
  // (show_signal_msg's line).
  k.printk(
      fmt::format("{}[{}]: segfault at {:x} ip 0000000000000000 sp 0000000000000000 error {:x}",
                  task_comm(k, t), task_pid(k, t), va, info.error_code));
  throw ProcessKilled(fmt::format("segfault at {:#x}: {} (error code {:#x})", va,
                                  (info.error_code & pf::RSVD)
                                      ? "reserved bit set in a paging entry"
                                  : !user_addr ? "user access to a kernel address"
                                               : "protection violation",
                                  info.error_code));
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
