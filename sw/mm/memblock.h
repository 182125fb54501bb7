// memblock (mm/memblock.c): the boot-time physical memory allocator. struct memblock
// with its two region arrays (memory: RAM from e820; reserved: what is in use) lives in
// the kernel's .data at layout::MEMBLOCK. Allocation is top-down (x86-64's default),
// like memblock_find_in_range_node(). Runs before and after paging is switched on.
#pragma once
#include <cstdint>
#include <functional>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"
#include "sw/mm/page.h"

namespace mmvp::sw {

// The address to use *now* for a kernel symbol and for physical memory: with paging
// off (firmware state, linear == physical) the kernel's globals are reached at their
// physical address (__pa_symbol, like the early fixup_pointer()) and physical memory
// directly; with paging on, through the kernel mapping and the direct map (__va).
inline bool paging_enabled(Kernel& k) {
  return (k.cpu.read_cr(0) & cr0::PG) != 0;
}
inline LAddr early_sym(Kernel& k, LAddr kernel_va) {
  return paging_enabled(k) ? kernel_va : layout::pa_symbol(kernel_va);
}
inline LAddr early_phys(Kernel& k, PAddr pa) {
  return paging_enabled(k) ? page::__va(pa) : pa;
}

// struct memblock { bool bottom_up; phys_addr_t current_limit; struct memblock_type
// memory, reserved; } and struct memblock_type { cnt, max, total_size, regions }, with
// struct memblock_region { base, size, flags } arrays of INIT_MEMBLOCK_REGIONS entries.
namespace memblock {
namespace type {
inline constexpr Field<std::uint64_t> cnt{0}, max{8}, total_size{16};
inline constexpr Field<LAddr> regions{24};
inline constexpr unsigned kSize = 32;
}  // namespace type
namespace region {
inline constexpr Field<PAddr> base{0};
inline constexpr Field<std::uint64_t> size{8}, flags{16};
inline constexpr unsigned kSize = 24;
}  // namespace region
inline constexpr Field<std::uint64_t> bottom_up{0};
inline constexpr Field<PAddr> current_limit{8};
inline constexpr Embedded memory{16, type::kSize};  // struct memblock_type
inline constexpr Embedded reserved{48, type::kSize};
inline constexpr unsigned INIT_MEMBLOCK_REGIONS = 128;
inline constexpr unsigned memory_regions = 0x100;
inline constexpr unsigned reserved_regions = memory_regions + INIT_MEMBLOCK_REGIONS * region::kSize;
inline constexpr unsigned kSize = reserved_regions + INIT_MEMBLOCK_REGIONS * region::kSize;
static_assert(kSize <= 0x10000, "memblock outgrows its .data slot");
inline constexpr PAddr MEMBLOCK_ALLOC_ANYWHERE = ~0ULL;
}  // namespace memblock

enum class MemblockType : unsigned {
  memory = memblock::memory.offset,
  reserved = memblock::reserved.offset
};

// Empties both arrays (the static initialiser of struct memblock).
void memblock_init(Kernel& k);
void memblock_add(Kernel& k, PAddr base, std::uint64_t size);
void memblock_reserve(Kernel& k, PAddr base, std::uint64_t size);
// Returns a range to the free pool (removes it from memblock.reserved).
void memblock_phys_free(Kernel& k, PAddr base, std::uint64_t size);

// Top-down allocation of `size` bytes aligned to `align` below memblock.current_limit;
// 0 when nothing fits. memblock_phys_alloc does not clear the memory; memblock_alloc
// returns the direct-map address of zeroed memory (0 on failure).
PAddr memblock_phys_alloc(Kernel& k, std::uint64_t size, std::uint64_t align);
LAddr memblock_alloc(Kernel& k, std::uint64_t size, std::uint64_t align);

PAddr memblock_start_of_DRAM(Kernel& k);
PAddr memblock_end_of_DRAM(Kernel& k);
std::uint64_t memblock_phys_mem_size(Kernel& k);
std::uint64_t memblock_reserved_size(Kernel& k);
bool memblock_is_region_reserved(Kernel& k, PAddr base, std::uint64_t size);
bool memblock_is_memory(Kernel& k, PAddr addr);
unsigned memblock_region_count(Kernel& k, MemblockType t);
// Region i of a type as [base, base + size).
void memblock_region_at(Kernel& k, MemblockType t, unsigned i, PAddr* base, std::uint64_t* size);

// for_each_free_mem_range: calls fn(start, end) for every range of memblock.memory not
// covered by memblock.reserved, lowest first; fn returns true to stop.
using MemRangeFn = std::function<bool(PAddr start, PAddr end)>;
void for_each_free_mem_range(Kernel& k, const MemRangeFn& fn);
// The same, highest first (for_each_free_mem_range_reverse).
void for_each_free_mem_range_reverse(Kernel& k, const MemRangeFn& fn);

}  // namespace mmvp::sw
