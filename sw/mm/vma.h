// The VMAs of an mm (mm/mmap.c, mm/vma.c): lookup, insertion, splitting, merging and
// the unmapped-area search, on the sorted list of mm_types.h. The system calls built
// on them are in sw/mm/mmap.h.
#pragma once
#include <cstdint>

#include "sw/kernel/workload.h"
#include "sw/mm/mm_types.h"

namespace mmvp::sw {

// Creates the vm_area_struct cache (vma_state_init / proc_caches_init).
void vma_cache_init(Kernel& k);
// Initialises a new mm's VMA list and layout (mm_init, arch_pick_mmap_layout): a 32-bit
// program's tops out at IA32_PAGE_OFFSET, with mmap_base 128 MB below it.
void mm_vmas_init(Kernel& k, LAddr m, ProcessAbi abi = ProcessAbi::x86_64);

// find_vma(): the first VMA with vm_end > addr (it may start above addr), 0 if none.
LAddr find_vma(Kernel& k, LAddr m, LAddr addr);
// Adds pages to total_vm, raising hiwater_vm (vm_stat_account, update_hiwater_vm).
void vm_stat_account(Kernel& k, LAddr m, std::int64_t pages);
// The VMA before v on the list (0 for the first), and the one after (0 for the last).
LAddr vma_prev(Kernel& k, LAddr m, LAddr v);
LAddr vma_next(Kernel& k, LAddr m, LAddr v);
LAddr first_vma(Kernel& k, LAddr m);
LAddr last_vma(Kernel& k, LAddr m);
// The first VMA that overlaps [start, end), 0 if none (find_vma_intersection).
LAddr find_vma_intersection(Kernel& k, LAddr m, LAddr start, LAddr end);

// A new VMA [start, end) with flags, file path (kmalloc'd copy, may be null) and pgoff,
// linked in order; 0 if out of memory. The range must be free.
LAddr vma_create(Kernel& k, LAddr m, LAddr start, LAddr end, std::uint64_t flags, const char* path,
                 std::uint64_t pgoff);
// Unlinks v and frees it (and its file name).
void vma_remove(Kernel& k, LAddr m, LAddr v);
// __split_vma(): cuts v at addr (inside it); the new VMA is the upper part when
// new_below is false. Returns the new VMA, 0 if out of memory.
LAddr split_vma(Kernel& k, LAddr m, LAddr v, LAddr addr, bool new_below);
// vma_merge() around v: joins v with its neighbours where they touch and are
// compatible (same flags, both anonymous or the same file at contiguous offsets).
// Returns the VMA that now holds v's range.
LAddr vma_merge_neighbours(Kernel& k, LAddr m, LAddr v);
// get_unmapped_area() for anonymous and file mappings: the hint if [hint, hint + len)
// is free and in range, else the highest free gap below mmap_base (top-down,
// vm_unmapped_area), aligned to `align` when not 0 (a hint is rounded up to it).
// -ENOMEM if there is none.
std::int64_t get_unmapped_area(Kernel& k, LAddr m, LAddr hint, std::uint64_t len,
                               std::uint64_t align);

// The path of v's file, empty for anonymous memory.
std::string vma_file_path(Kernel& k, LAddr v);

}  // namespace mmvp::sw
