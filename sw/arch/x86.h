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

// The classic x86-64 Linux layout (Documentation/x86/x86_64/mm.rst, 4-level, pre-KASLR).
inline constexpr std::uint64_t PAGE_OFFSET = 0xffff880000000000ULL;  // direct map
inline constexpr std::uint64_t VMALLOC_START = 0xffffc90000000000ULL;
inline constexpr std::uint64_t VMALLOC_END = 0xffffe8ffffffffffULL;
inline constexpr std::uint64_t VMEMMAP_START = 0xffffea0000000000ULL;
inline constexpr std::uint64_t START_KERNEL_MAP = 0xffffffff80000000ULL;  // kernel text
inline constexpr std::uint64_t MODULES_VADDR = 0xffffffffa0000000ULL;
inline constexpr std::uint64_t TASK_SIZE_MAX = 0x00007ffffffff000ULL;  // top of user space

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
