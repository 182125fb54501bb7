// The memory system calls of a process (mm/mmap.c, mm/mprotect.c, mm/madvise.c,
// mm/nommu-free parts of mm/util.c) on its VMAs and page tables, with Linux's x86-64
// semantics and -errno results; and the address-space side of the page-fault handler
// and of exit.
#pragma once
#include <cstdint>

#include "sw/mm/mm_types.h"

namespace mmvp::sw {

// mmap(addr, len, prot, flags, fd, off) (ksys_mmap_pgoff -> do_mmap): the start of the
// new mapping or -errno. A file mapping (fd >= 0 without MAP_ANONYMOUS) is named
// `path`, null when unknown.
std::int64_t do_mmap(Kernel& k, LAddr m, LAddr addr, std::uint64_t len, std::uint64_t prot,
                     std::uint64_t flags, std::int64_t fd, std::uint64_t off, const char* path);
// munmap(addr, len) (__do_munmap): 0 or -errno.
std::int64_t do_munmap(Kernel& k, LAddr m, LAddr addr, std::uint64_t len);
// brk(addr): the new break, or the old one when the request fails (Linux's ABI).
std::int64_t do_brk(Kernel& k, LAddr m, LAddr addr);
// mprotect(addr, len, prot) (do_mprotect_pkey): 0 or -errno.
std::int64_t do_mprotect(Kernel& k, LAddr m, LAddr addr, std::uint64_t len, std::uint64_t prot);
// madvise(addr, len, advice) (do_madvise): 0 or -errno.
std::int64_t do_madvise(Kernel& k, LAddr m, LAddr addr, std::uint64_t len, int advice);
// prctl(PR_SET_MM, PR_SET_MM_START_BRK / _BRK / _START_STACK, addr) (prctl_set_mm):
// what a loader leaves in the mm; mmvp's replay sets it from the traced run.
std::int64_t prctl_set_mm(Kernel& k, LAddr m, std::uint64_t opt, LAddr addr);

// The VMA a user fault at addr is served in (do_user_addr_fault's lookup: find_vma,
// expand_stack for a VM_GROWSDOWN VMA above, a new VMA under MMF_VMA_ON_TOUCH), 0 if
// none: SIGSEGV.
LAddr fault_vma(Kernel& k, LAddr m, LAddr addr);
// exit_mmap(): unmaps every page, frees every user page table and every VMA.
void exit_mmap(Kernel& k, LAddr m);

}  // namespace mmvp::sw
