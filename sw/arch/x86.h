// The guest kernel's view of the machine: the CPU core's instruction interface and
// the architectural constants. The only header of sw/ that reaches into hw/.
#pragma once
#include <cstdint>

#include "hw/common/debug.h"  // DPRINTF: the simulator's trace flags, like an m5op
#include "hw/cpu/cpu_port.h"
#include "hw/mmu/paging.h"
#include "hw/platform/boot_params.h"

namespace mmvp::sw {

using Cpu = mmvp::CpuPort;
using mmvp::AccessKind;
using mmvp::ExceptionInfo;
using mmvp::LAddr;
using mmvp::PAddr;
using mmvp::SyscallFrame;
namespace cr0 = mmvp::cr0;
namespace cr3 = mmvp::cr3;
namespace cr4 = mmvp::cr4;
namespace efer = mmvp::efer;
namespace pte = mmvp::pte;
namespace pf = mmvp::pf;
namespace vec = mmvp::vec;
namespace msr = mmvp::msr;
namespace boot = mmvp::boot;

inline constexpr std::uint64_t PAGE_SIZE = 4096;
inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr unsigned PMD_SHIFT = 21;
inline constexpr std::uint64_t PMD_SIZE = 1ULL << PMD_SHIFT;
inline constexpr std::uint64_t PUD_SIZE = 1ULL << 30;

// The kernel's virtual layout: what Linux fixes when it is built (CONFIG_X86_32 or 64,
// CONFIG_VMSPLIT_*), here chosen once per run before start_kernel, like the kernel image
// a machine boots (one elaboration, one kernel, per process). Its defaults are the
// classic x86-64 layout (Documentation/x86/x86_64/mm.rst, 4-level, pre-KASLR).
struct KernelLayout {
  LAddr page_offset = 0xffff880000000000ULL;  // the direct map
  LAddr vmalloc_start = 0xffffc90000000000ULL;
  LAddr vmalloc_end = 0xffffe8ffffffffffULL;       // the last byte
  LAddr vmemmap_start = 0xffffea0000000000ULL;     // struct page of pfn 0
  LAddr start_kernel_map = 0xffffffff80000000ULL;  // __START_KERNEL_map: physical 0
  LAddr modules_vaddr = 0xffffffffa0000000ULL;
  LAddr modules_end = 0xffffffffff000000ULL;    // before the fixmap
  LAddr task_size_max = 0x00007ffffffff000ULL;  // top of user space
};
inline KernelLayout kernel_layout;

// The names Linux's code uses, for the layout of this run.
inline const LAddr& PAGE_OFFSET = kernel_layout.page_offset;
inline const LAddr& VMALLOC_START = kernel_layout.vmalloc_start;
inline const LAddr& VMALLOC_END = kernel_layout.vmalloc_end;
inline const LAddr& VMEMMAP_START = kernel_layout.vmemmap_start;
inline const LAddr& START_KERNEL_MAP = kernel_layout.start_kernel_map;
inline const LAddr& MODULES_VADDR = kernel_layout.modules_vaddr;
inline const LAddr& MODULES_END = kernel_layout.modules_end;
inline const LAddr& TASK_SIZE_MAX = kernel_layout.task_size_max;

// Page-table indices for 4-level paging.
inline unsigned pgd_index(LAddr va) {
  return (va >> 39) & 511;
}
inline unsigned pud_index(LAddr va) {
  return (va >> 30) & 511;
}
inline unsigned pmd_index(LAddr va) {
  return (va >> 21) & 511;
}
inline unsigned pte_index(LAddr va) {
  return (va >> 12) & 511;
}

}  // namespace mmvp::sw
