// Booting the guest kernel (init/main.c start_kernel, arch/x86/kernel/setup.c):
// the e820 map from the zero page, memblock, page tables with the classic x86-64
// layout, vmemmap, zones, memblock_free_all into the buddy allocator, then the slab
// allocator and vmalloc. Runs on the core with paging off, as firmware leaves it.
#pragma once
#include <cstdint>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// transparent_hugepage= (mm/huge_memory.c), and mmvp's idealised one-page-size modes:
// every fault 2 MB (every_fault), or 1 GB from the hugetlb 1 GB pool, then 2 MB
// (every_fault_1g).
enum class ThpMode : std::uint8_t {
  never = 0,
  always = 1,
  madvise = 2,
  every_fault = 3,
  every_fault_1g = 4
};

struct BootOptions {
  bool slab_debug = false;  // slub_debug=FZP for every cache
  ThpMode thp = ThpMode::madvise;
  bool pcid = true;  // kernel.pcid: ASIDs in CR3 (Linux since 4.14, with X86_FEATURE_PCID)
  unsigned hugepages_2m = 0, hugepages_1g = 0;  // hugepages= pools (kernel.hugepages_*)
  // CONFIG_DEFERRED_STRUCT_PAGE_INIT (kernel.deferred_struct_page_init; on in Debian's
  // kernels): most struct pages initialised by deferred_init_memmap, a block at a time.
  bool deferred_struct_page_init = true;
  // kernel.memmap_fast_forward: the boot's loops over struct pages run the middle of a
  // long loop fast-forwarded, timed at the rate of its head (MemmapFastForward).
  bool memmap_fast_forward = true;
  // kernel.arch=i386: the 32-bit kernel with PAE and HIGHMEM (CONFIG_X86_32,
  // CONFIG_X86_PAE, CONFIG_HIGHMEM64G), user space below vmsplit_gb GB
  // (kernel.i386.vmsplit: CONFIG_VMSPLIT_3G, 2G, 1G).
  bool i386 = false;
  bool pae = true;  // kernel.i386.pae: off is 2-level paging (CONFIG_HIGHMEM4G)
  unsigned vmsplit_gb = 3;
};

// Stage 1 (sw/kernel/setup.cpp): e820, memblock, page tables, CR3, vmemmap, zones,
// buddy, with hugepages_1g gigantic pages reserved from memblock first. Prints the boot
// log in Linux's style.
void setup_arch_and_mm(Kernel& k, unsigned hugepages_1g = 0, bool deferred_struct_page_init = false,
                       bool memmap_fast_forward = false);
// The whole boot: stage 1, then kmem_cache_init, vmalloc_init, the page-fault
// handler and the first process (sw/kernel/main.cpp).
void start_kernel(Kernel& k, const BootOptions& opt);

}  // namespace mmvp::sw
