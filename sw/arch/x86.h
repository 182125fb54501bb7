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
  // CONFIG_PGTABLE_LEVELS: 4 on x86-64; 3 on i386 with PAE, whose top level is the
  // four-entry page-directory-pointer table (SDM 4.4).
  unsigned pgtable_levels = 4;
  bool x86_32 = false;  // CONFIG_X86_32: the i386 kernel
  // A page-table entry's width and the index bits of a level: 8 and 9 (x86-64, PAE),
  // 4 and 10 with i386's 2-level paging (SDM 4.3), whose PMD is its PGD: PMD_SHIFT 22,
  // large pages 4 MB.
  unsigned pte_bytes = 8;
  unsigned pt_index_bits = 9;
  unsigned pmd_shift = 21;
  std::uint64_t pmd_size = 1ULL << 21;
  // i386 only (arch/x86/include/asm/pgtable_32_areas.h, fixmap.h): the permanent kmap
  // area and the fixmap below FIXADDR_TOP; the lowmem the direct map may cover (MAXMEM).
  LAddr pkmap_base = 0;
  unsigned last_pkmap = 0;  // LAST_PKMAP: 512 with PAE, 1024 without
  LAddr fixaddr_top = 0, fixaddr_start = 0, fixaddr_boot_start = 0;
  std::uint64_t maxmem = 0;
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
inline const unsigned& PGTABLE_LEVELS = kernel_layout.pgtable_levels;
inline const unsigned& PMD_SHIFT = kernel_layout.pmd_shift;
inline const std::uint64_t& PMD_SIZE = kernel_layout.pmd_size;
// The shift of a level's entries (1: PTE 12; 2: PMD 21, or 22 with 2-level paging;
// 3: 30; 4: 39) and va's index in a table of that level.
inline unsigned pt_shift(unsigned level) {
  return 12 + kernel_layout.pt_index_bits * (level - 1);
}
inline unsigned pt_index(LAddr va, unsigned level) {
  return static_cast<unsigned>((va >> pt_shift(level)) & ((1u << kernel_layout.pt_index_bits) - 1));
}

// The fixmap slots of the i386 kernel (enum fixed_addresses, one CPU): fix_to_virt(i) is
// FIXADDR_TOP - i pages. The early-ioremap slots (FIX_BTMAP_*) follow the permanent ones.
enum FixedAddress : unsigned {
  FIX_HOLE = 0,
  FIX_APIC_BASE = 1,
  FIX_IO_APIC_BASE_0 = 2,
  FIX_KMAP_BEGIN = 3,  // kmap_local / kmap_atomic: KM_MAX_IDX slots per CPU
  KM_MAX_IDX = 16,
  FIX_KMAP_END = FIX_KMAP_BEGIN + KM_MAX_IDX - 1,
  FIX_TEXT_POKE1 = FIX_KMAP_END + 1,
  FIX_TEXT_POKE0 = FIX_TEXT_POKE1 + 1,
  END_OF_PERMANENT_FIXED_ADDRESSES = FIX_TEXT_POKE0 + 1,
  NR_FIX_BTMAPS = 64 * 8,  // NR_FIX_BTMAPS * FIX_BTMAPS_SLOTS
  END_OF_FIXED_ADDRESSES = END_OF_PERMANENT_FIXED_ADDRESSES + NR_FIX_BTMAPS,
};
inline LAddr fix_to_virt(unsigned idx) {
  return kernel_layout.fixaddr_top - (static_cast<LAddr>(idx) << 12);
}

// The kernel Linux builds for x86-64 (the defaults above), or for i386 with PAE
// (CONFIG_X86_PAE, CONFIG_HIGHMEM64G) and a user/kernel split of vmsplit_gb GB of user
// space (CONFIG_VMSPLIT_3G/2G/1G: PAGE_OFFSET 0xC0000000, 0x80000000, 0x40000000).
// Sets kernel_layout; VMALLOC_START follows once high_memory is known
// (set_vmalloc_start). Defined in sw/arch/x86_layout.cpp.
void set_kernel_layout_x86_64();
void set_kernel_layout_i386(unsigned vmsplit_gb, bool pae = true);
// VMALLOC_START = high_memory + VMALLOC_OFFSET (8 MB), as i386 sets it in initmem_init.
void set_vmalloc_start(LAddr high_memory);
// The struct page array of a FLATMEM kernel (i386: mem_map, memblock-allocated in lowmem).
void set_mem_map(LAddr mem_map);

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
