// start_kernel (init/main.c): the boot sequence after firmware hands over.
#include "sw/drivers/isa_dma.h"
#include "sw/kernel/boot.h"
#include "sw/kernel/dma_mapping.h"
#include "sw/kernel/syscall.h"
#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"

namespace mmvp::sw {

void start_kernel(Kernel& k, const BootOptions& opt) {
  RoutineScope r(k, Routine::start_kernel);
  // The kernel image this machine boots: its layout and its zones are its build's.
  if (opt.i386) {
    set_kernel_layout_i386(opt.vmsplit_gb, opt.pae);
    zone_config = i386_zone_config();
    k.printk(opt.pae ? "mmvp guest kernel (i386, PAE paging, HIGHMEM) booting"
                     : "mmvp guest kernel (i386, 2-level paging, HIGHMEM) booting");
  } else {
    set_kernel_layout_x86_64();
    zone_config = ZoneConfig{};
    k.printk("mmvp guest kernel (x86-64, 4-level paging) booting");
  }
  // e820, memblock, page tables, vmemmap, zones, buddy. Deferred struct page
  // initialisation depends on 64BIT in Linux's Kconfig.
  setup_arch_and_mm(k, opt.hugepages_1g, opt.deferred_struct_page_init && !opt.i386,
                    opt.memmap_fast_forward);
  if (opt.slab_debug) slab_debug_enable(k, true);
  kmem_cache_init(k);  // boot caches, kmalloc-*, dma-kmalloc-*
  vmalloc_init(k);
  hugetlb_init(k, opt.hugepages_2m);  // the huge page pools
  fork_init(k);                       // task_struct and mm_struct caches, the task list
  // Transparent huge pages need PAE on i386 (HAVE_ARCH_TRANSPARENT_HUGEPAGE): without
  // it only the idealised bound (kernel.user_page_size, 4 MB pages then) is kept.
  ThpMode thp = opt.thp;
  if (opt.i386 && !opt.pae && (thp == ThpMode::always || thp == ThpMode::madvise))
    thp = ThpMode::never;
  k.mem.set(MM_GLOBALS, mm_globals::transparent_hugepage, static_cast<std::uint32_t>(thp));
  // setup_pcid(): boot_cpu_has(PCID), and CONFIG_X86_64 (PCIDs need IA-32e mode).
  if (opt.pcid && k.cpu.cpuid().pcid && !opt.i386) enable_pcid(k);
  install_fault_handlers(k);
  syscall_init(k);             // EFER.SCE and the SYSCALL entry
  isa_dma_init(k);             // the ISA DMA channel table and the DMA validator
  dma_debug_mappings_init(k);  // dma-debug's record of streaming mappings
  k.printk("Run /init as init process");
  k.cpu.mark_milestone(Cpu::Milestone::boot_end);
}

}  // namespace mmvp::sw
