// A process's address space in guest memory (include/linux/mm_types.h): struct
// mm_struct and struct vm_area_struct with the members we model, and the VM_* and
// MAP_* / PROT_* / MADV_* values of Linux's UAPI.
//
// The VMAs of an mm are kept on one list sorted by address (mm->mmap, vm_list), as
// Linux kept them until 6.1 (then next to an rbtree, now in a maple tree), with a
// one-entry cache of the last VMA found (mm->mmap_cache, Linux 2.6-3.14). A sorted list
// because a process has tens to a few hundred VMAs: find_vma walks it in guest memory,
// each step two loads, and the cache answers the common case (faults that follow one
// another in the same VMA) in two.
#pragma once
#include <cerrno>
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// struct mm_struct, kmem_cache "mm_struct".
namespace mm {
inline constexpr Field<PAddr> pgd{0};          // physical address of the PML4
inline constexpr Field<std::uint64_t> rss{8};  // resident user pages (MM_ANONPAGES)
inline constexpr Field<std::uint64_t> pgtables{
    16};                                          // user page-table pages (mm_pgtables_bytes / 4K)
inline constexpr Embedded mmap{24, list::kSize};  // the VMAs, sorted by vm_start
inline constexpr Field<std::uint32_t> map_count{40};
inline constexpr Field<std::uint32_t> flags{44};  // MMF_*
inline constexpr Field<LAddr> mmap_base{48};      // where get_unmapped_area searches down from
inline constexpr Field<LAddr> start_brk{56};
inline constexpr Field<LAddr> brk{64};
inline constexpr Field<LAddr> start_stack{72};
inline constexpr Field<std::uint64_t> total_vm{80};  // pages mapped by VMAs
inline constexpr Field<LAddr> mmap_cache{88};        // the last VMA find_vma returned
inline constexpr Field<std::uint64_t> hiwater_rss{96};
inline constexpr Field<std::uint64_t> on_touch_faults{104};  // faults MMF_VMA_ON_TOUCH served
// mm_context_t: a unique id (never reused, so a stale ASID never matches) and the
// generation of its TLB flushes (inc_mm_tlb_gen).
inline constexpr Field<std::uint64_t> ctx_id{112};
inline constexpr Field<std::uint64_t> tlb_gen{120};
inline constexpr Field<std::uint64_t> hiwater_vm{128};  // the most total_vm has been
// mm->task_size: the top of the user address space, TASK_SIZE_MAX for a 64-bit program,
// IA32_PAGE_OFFSET for a 32-bit one (set_personality_ia32, TIF_ADDR32).
inline constexpr Field<LAddr> task_size{136};
inline constexpr unsigned kSize = 144;
// mm->flags. MMF_VMA_ON_TOUCH is mmvp's: a fault outside every VMA creates one (a
// replayed program whose loader mappings no log shows; see docs/kernel.md).
inline constexpr std::uint32_t MMF_VMA_ON_TOUCH = 1u << 0;
}  // namespace mm

// struct vm_area_struct, kmem_cache "vm_area_struct".
namespace vma {
inline constexpr Field<LAddr> vm_start{0};
inline constexpr Field<LAddr> vm_end{8};  // one past the last byte
inline constexpr Embedded vm_list{16, list::kSize};
inline constexpr Field<std::uint64_t> vm_flags{32};
inline constexpr Field<std::uint64_t> vm_pgoff{40};  // file offset in pages
// The file it maps: a kmalloc'd copy of its path (0: anonymous). There is no page
// cache: a file VMA's pages are demand-zeroed like anonymous ones.
inline constexpr Field<LAddr> vm_file{48};
inline constexpr Field<LAddr> vm_mm{56};
inline constexpr Field<std::uint32_t> vm_hpage_shift{64};  // hugetlb page shift (21, 30), or 0
inline constexpr unsigned kSize = 72;
}  // namespace vma

// vm_flags (include/linux/mm.h).
inline constexpr std::uint64_t VM_READ = 0x1, VM_WRITE = 0x2, VM_EXEC = 0x4, VM_SHARED = 0x8;
inline constexpr std::uint64_t VM_MAYREAD = 0x10, VM_MAYWRITE = 0x20, VM_MAYEXEC = 0x40,
                               VM_MAYSHARE = 0x80;
inline constexpr std::uint64_t VM_GROWSDOWN = 0x100;
inline constexpr std::uint64_t VM_ACCOUNT = 0x100000;
inline constexpr std::uint64_t VM_HUGETLB = 0x400000;
inline constexpr std::uint64_t VM_HUGEPAGE = 0x20000000, VM_NOHUGEPAGE = 0x40000000;
inline constexpr std::uint64_t VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
// VM_DATA_DEFAULT_FLAGS (brk, anonymous data) and the MAY bits every mapping gets.
inline constexpr std::uint64_t VM_MAY_ALL = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

// include/uapi/asm-generic/mman-common.h and mman.h.
inline constexpr std::uint64_t PROT_READ = 0x1, PROT_WRITE = 0x2, PROT_EXEC = 0x4;
inline constexpr std::uint64_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03,
                               MAP_TYPE = 0x0f, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
                               MAP_GROWSDOWN = 0x100, MAP_POPULATE = 0x8000, MAP_HUGETLB = 0x40000,
                               MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr unsigned MAP_HUGE_SHIFT = 26;
inline constexpr std::uint64_t MAP_HUGE_MASK = 0x3f;
inline constexpr int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
                     MADV_DONTNEED = 4, MADV_FREE = 8, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15;

// errno values: the C library's macros, which must be Linux's
// (include/uapi/asm-generic/errno-base.h, errno.h) since system calls return them.
static_assert(EBADF == 9 && ENOMEM == 12 && EACCES == 13 && EEXIST == 17 && EINVAL == 22 &&
                  ENOSYS == 38 && EOVERFLOW == 75,
              "errno values differ from Linux's");

// The lowest address mmap hands out (vm.mmap_min_addr's default) and mmap_base without
// randomisation (arch/x86/mm/mmap.c mmap_base(): TASK_SIZE less the stack rlimit of
// 8 MB and the 1 MB guard gap, at least 128 MB): 0x7ffff7fff000, where ld.so lands.
inline constexpr LAddr MMAP_MIN_ADDR = 65536;
inline constexpr LAddr TASK_SIZE = 0x00007ffffffff000ULL;
inline constexpr LAddr STACK_TOP = TASK_SIZE;
inline constexpr std::uint64_t MMAP_GAP = 128ULL << 20;  // mmap_base(): the minimum gap
inline constexpr LAddr MMAP_BASE = TASK_SIZE - MMAP_GAP;
// A 32-bit process's (arch/x86/include/asm/processor.h IA32_PAGE_OFFSET without
// ADDR_LIMIT_3GB: 4 GB less two pages); its mmap_base (mmap_compat_base) is 0xf7ffe000,
// where a 32-bit ld.so lands under a 64-bit kernel.
inline constexpr LAddr IA32_PAGE_OFFSET = 0xffffe000ULL;
inline constexpr std::uint32_t MAX_MAP_COUNT = 65530;  // sysctl_max_map_count

inline std::uint64_t page_align(std::uint64_t v) {
  return (v + 4095) & ~std::uint64_t{4095};
}

}  // namespace mmvp::sw
