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
inline constexpr LAddr KERNEL_TEXT = START_KERNEL_MAP + KERNEL_PHYS;  // 0xffffffff81000000
inline constexpr std::uint64_t KERNEL_TEXT_SIZE = 0x200000;  // mapped read-only, executable
inline constexpr LAddr KERNEL_DATA = KERNEL_TEXT + KERNEL_TEXT_SIZE;  // read-write, NX
inline constexpr std::uint64_t KERNEL_DATA_SIZE = 0x200000;

// Static slots in .data/.bss (each subsystem defines its struct at its slot).
inline constexpr LAddr MEMBLOCK = KERNEL_DATA + 0x00000;  // struct memblock + region arrays (64 KB)
inline constexpr LAddr PGDAT = KERNEL_DATA + 0x10000;     // struct pglist_data with zones (16 KB)
inline constexpr LAddr MM_GLOBALS = KERNEL_DATA + 0x14000;  // max_pfn, totalram_pages, ... (4 KB)
inline constexpr LAddr SLAB =
    KERNEL_DATA + 0x18000;  // slab_caches list, kmalloc_caches[][] (16 KB)
inline constexpr LAddr VMALLOC = KERNEL_DATA + 0x1C000;     // vmap_area list, vmap stats (4 KB)
inline constexpr LAddr TASKS = KERNEL_DATA + 0x1D000;       // init_task, task list, current (8 KB)
inline constexpr LAddr DMA = KERNEL_DATA + 0x1F000;         // ISA DMA channel table (4 KB)
inline constexpr LAddr INIT_PGD = KERNEL_DATA + 0x20000;    // swapper_pg_dir (4 KB, page aligned)
inline constexpr LAddr BOOT_STACK = KERNEL_DATA + 0x21000;  // scratch for boot (4 KB)
inline constexpr LAddr KALLSYMS = KERNEL_DATA + 0x22000;    // the symbol table (16 KB)
inline constexpr std::uint64_t KALLSYMS_SIZE = 0x4000;

inline constexpr PAddr pa_symbol(LAddr kernel_va) {
  return kernel_va - START_KERNEL_MAP;
}

}  // namespace mmvp::sw::layout
