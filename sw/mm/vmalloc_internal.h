// vmalloc's records in guest memory and the area allocator shared by vmalloc.cpp,
// ioremap.cpp and the /proc/vmallocinfo renderer (mm/vmalloc.c). Each area has a
// struct vmap_area (the address range, in the busy list sorted by address) from the
// "vmap_area" kmem_cache and a struct vm_struct (what the range holds) from kmalloc,
// as in Linux.
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/kernel.h"
#include "sw/kernel/layout.h"

namespace mmvp::sw {

// struct vmap_area (include/linux/vmalloc.h) without rb_node and subtree_max_size:
// Linux keeps busy areas in a red-black tree and free space in an augmented one; we
// keep the busy areas in one address-sorted list and allocate first fit over its gaps.
namespace vmap_area {
inline constexpr Field<LAddr> va_start{0};
inline constexpr Field<LAddr> va_end{8};          // exclusive, includes the guard page
inline constexpr Embedded list{16, list::kSize};  // in vmap_area_list, sorted by address
inline constexpr Field<LAddr> vm{32};             // the struct vm_struct
inline constexpr unsigned kSize = 40;
}  // namespace vmap_area

// struct vm_struct (include/linux/vmalloc.h) without `next` (only the pre-vmalloc_init
// vmlist uses it).
namespace vm_struct {
inline constexpr Field<LAddr> addr{0};
inline constexpr Field<std::uint64_t> size{8};    // includes the guard page
inline constexpr Field<std::uint64_t> flags{16};  // VM_IOREMAP, VM_ALLOC, VM_MAP
inline constexpr Field<LAddr> pages{24};          // array of struct page addresses (vmalloc)
inline constexpr Field<std::uint32_t> nr_pages{32};
inline constexpr Field<PAddr> phys_addr{40};  // ioremap's page-aligned physical base
inline constexpr Field<LAddr> caller{48};     // a return address in the caller (kallsyms)
inline constexpr unsigned kSize = 56;
}  // namespace vm_struct

// mm/vmalloc.c's globals in the kernel's .data at layout::VMALLOC.
namespace vmalloc_globals {
inline constexpr Embedded vmap_area_list{0, list::kSize};    // busy vmap_areas
inline constexpr Field<LAddr> vmap_area_cachep{16};          // the "vmap_area" kmem_cache
inline constexpr Field<std::uint64_t> nr_vmalloc_pages{24};  // atomic_long_t in Linux
inline constexpr Field<std::uint64_t> nr_flushed_pages{32};  // pages flushed by vunmap paths
inline constexpr unsigned kSize = 40;
}  // namespace vmalloc_globals
static_assert(vmalloc_globals::kSize <= 0x1000, "vmalloc globals outgrow their .data slot");

inline const LAddr& VMALLOC_GLOBALS = layout::VMALLOC;
inline LAddr VMAP_AREA_LIST() {
  return VMALLOC_GLOBALS + vmalloc_globals::vmap_area_list;
}

// get_vm_area_caller(): reserves `size` bytes (page aligned, guard page not included)
// plus a guard page in [VMALLOC_START, VMALLOC_END), aligned to `align`, and returns
// the new vm_struct (flags and caller set, nothing mapped), or 0.
LAddr get_vm_area_caller(Kernel& k, std::uint64_t size, std::uint64_t align, std::uint64_t flags,
                         const char* caller);
// find_vm_area(): the vm_struct of the area containing addr, or 0.
LAddr find_vm_area(Kernel& k, LAddr addr);
// remove_vm_area(): unlinks the area containing addr, unmaps it, flushes the TLB for it
// and frees its vmap_area; returns its vm_struct (still allocated) or 0.
LAddr remove_vm_area(Kernel& k, LAddr addr);
// free_vm_area(): remove_vm_area() and kfree of the vm_struct (a failed setup).
void free_vm_area(Kernel& k, LAddr vm);
// The mapped size of an area: its size without the guard page (get_vm_area_size()).
std::uint64_t get_vm_area_size(Kernel& k, LAddr vm);

// Clears the PTEs of [start, end) in the kernel's page tables, then flushes the TLB
// for the range (vunmap_range). Linux defers the flush and purges lazily in batches
// (purge_vmap_area_lazy); we flush eagerly, at every unmap.
void vunmap_range(Kernel& k, LAddr start, LAddr end);

// The caller as %pS prints it ("func+0x2d/0x80"), "" if none was given.
std::string vm_caller(Kernel& k, LAddr vm);

}  // namespace mmvp::sw
