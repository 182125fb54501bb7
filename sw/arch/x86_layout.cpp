// The two kernel layouts: x86-64's (Documentation/arch/x86/x86_64/mm.rst) and i386's
// with PAE (arch/x86/include/asm/pgtable_32_areas.h, fixmap.h, page_32_types.h), the
// areas computed as Linux's macros compute them.
#include "sw/arch/x86.h"
#include "sw/kernel/layout.h"

namespace mmvp::sw {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kVmallocOffset = 8ULL << 20;     // VMALLOC_OFFSET
constexpr std::uint64_t kVmallocReserve = 128ULL << 20;  // __VMALLOC_RESERVE (vmalloc=128M)

void place_image() {
  layout::kernel_image = layout::KernelImage(kernel_layout.start_kernel_map);
}

}  // namespace

void set_kernel_layout_x86_64() {
  kernel_layout = KernelLayout{};
  place_image();
}

void set_kernel_layout_i386(unsigned vmsplit_gb, bool pae) {
  KernelLayout l;
  l.x86_32 = true;
  l.pgtable_levels = pae ? 3 : 2;
  if (!pae) {  // 2-level paging: 4-byte entries, 1024 a table, 4 MB large pages
    l.pte_bytes = 4;
    l.pt_index_bits = 10;
    l.pmd_shift = 22;
    l.pmd_size = 4ULL << 20;
  }
  l.page_offset = static_cast<LAddr>(vmsplit_gb) << 30;  // __PAGE_OFFSET
  l.start_kernel_map = l.page_offset;  // the image is in the direct map (__pa = va - PAGE_OFFSET)
  l.task_size_max = l.page_offset;     // TASK_SIZE
  l.last_pkmap = pae ? 512 : 1024;     // LAST_PKMAP
  l.fixaddr_top = 0xfffff000ULL;       // __FIXADDR_TOP = -PAGE_SIZE
  l.fixaddr_start = l.fixaddr_top - END_OF_PERMANENT_FIXED_ADDRESSES * kPage;
  l.fixaddr_boot_start = l.fixaddr_top - END_OF_FIXED_ADDRESSES * kPage;
  // PKMAP_BASE = (FIXADDR_BOOT_START - PAGE_SIZE * (LAST_PKMAP + 1)) & PMD_MASK.
  l.pkmap_base = (l.fixaddr_boot_start - kPage * (l.last_pkmap + 1)) & ~(l.pmd_size - 1);
  // VMALLOC_END = PKMAP_BASE - 2 * PAGE_SIZE (exclusive in Linux; mmvp keeps the last byte).
  l.vmalloc_end = l.pkmap_base - 2 * kPage - 1;
  // MAXMEM = VMALLOC_END - PAGE_OFFSET - __VMALLOC_RESERVE: what lowmem may be.
  l.maxmem = (l.vmalloc_end + 1) - l.page_offset - kVmallocReserve;
  l.vmalloc_start = l.page_offset + l.maxmem + kVmallocOffset;  // until high_memory is known
  l.modules_vaddr = l.vmalloc_start;                            // MODULES_VADDR = VMALLOC_START
  l.modules_end = l.vmalloc_end + 1;
  l.vmemmap_start = 0;  // mem_map: set_mem_map
  kernel_layout = l;
  place_image();
}

void set_vmalloc_start(LAddr high_memory) {
  kernel_layout.vmalloc_start = high_memory + kVmallocOffset;
  kernel_layout.modules_vaddr = kernel_layout.vmalloc_start;
}

void set_mem_map(LAddr mem_map) {
  kernel_layout.vmemmap_start = mem_map;
}

}  // namespace mmvp::sw
