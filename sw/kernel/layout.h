// Where the kernel's static data lives: the kernel image is loaded at physical 16 MB
// (CONFIG_PHYSICAL_START) and mapped at __START_KERNEL_map + 16 MB; its .data/.bss
// holds each subsystem's globals at the fixed slots below. Everything else the
// kernel keeps is allocated (memblock, buddy, slab, vmalloc).
#pragma once
#include <cstdint>

#include "sw/arch/x86.h"

namespace mmvp::sw::layout {

inline constexpr PAddr KERNEL_PHYS = 0x1000000;               // 16 MB
inline constexpr std::uint64_t KERNEL_IMAGE_SIZE = 0x400000;  // 4 MB reserved: text, data, bss
inline constexpr std::uint64_t KERNEL_TEXT_SIZE = 0x200000;   // mapped read-only, executable
inline constexpr std::uint64_t KERNEL_DATA_SIZE = 0x200000;
inline constexpr std::uint64_t KALLSYMS_SIZE = 0x4000;

// Where the image and its static slots are, for a __START_KERNEL_map.
struct KernelImage {
  LAddr text, data;
  LAddr memblock, pgdat, mm_globals, slab, vmalloc, tasks, dma, init_pgd, boot_stack, kallsyms;
  constexpr explicit KernelImage(LAddr start_kernel_map)
      : text(start_kernel_map + KERNEL_PHYS),
        data(text + KERNEL_TEXT_SIZE),
        memblock(data + 0x00000),    // struct memblock + region arrays (64 KB)
        pgdat(data + 0x10000),       // struct pglist_data with zones (16 KB)
        mm_globals(data + 0x14000),  // max_pfn, totalram_pages, ... (4 KB)
        slab(data + 0x18000),        // slab_caches list, kmalloc_caches[][] (16 KB)
        vmalloc(data + 0x1C000),     // vmap_area list, vmap stats (4 KB)
        tasks(data + 0x1D000),       // init_task, task list, current (8 KB)
        dma(data + 0x1F000),         // ISA DMA channel table (4 KB)
        init_pgd(data + 0x20000),    // swapper_pg_dir (4 KB, page aligned)
        boot_stack(data + 0x21000),  // scratch for boot (4 KB)
        kallsyms(data + 0x22000) {}  // the symbol table (16 KB)
};
// The image of this run's kernel (0xffffffff81000000 on x86-64); set_kernel_layout
// moves it with __START_KERNEL_map.
inline KernelImage kernel_image{KernelLayout{}.start_kernel_map};
inline const LAddr& KERNEL_TEXT = kernel_image.text;
inline const LAddr& KERNEL_DATA = kernel_image.data;
// Static slots in .data/.bss (each subsystem defines its struct at its slot).
inline const LAddr& MEMBLOCK = kernel_image.memblock;
inline const LAddr& PGDAT = kernel_image.pgdat;
inline const LAddr& MM_GLOBALS = kernel_image.mm_globals;
inline const LAddr& SLAB = kernel_image.slab;
inline const LAddr& VMALLOC = kernel_image.vmalloc;
inline const LAddr& TASKS = kernel_image.tasks;
inline const LAddr& DMA = kernel_image.dma;
inline const LAddr& INIT_PGD = kernel_image.init_pgd;
inline const LAddr& BOOT_STACK = kernel_image.boot_stack;
inline const LAddr& KALLSYMS = kernel_image.kallsyms;

inline PAddr pa_symbol(LAddr kernel_va) {
  return kernel_va - START_KERNEL_MAP;
}

}  // namespace mmvp::sw::layout
