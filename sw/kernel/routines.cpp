// Names of the kernel routines (routines.h).
#include "sw/kernel/routines.h"

#include <iterator>

namespace mmvp::sw {
namespace {

struct Named {
  const char* name;
  Routine routine;
};
constexpr Named kRoutines[] = {
    {"none", Routine::none},
    {"user", Routine::user},
    {"start_kernel", Routine::start_kernel},
    {"memblock", Routine::memblock},
    {"paging_init", Routine::paging_init},
    {"free_area_init", Routine::free_area_init},
    {"memblock_free_all", Routine::memblock_free_all},
    {"deferred_init_memmap", Routine::deferred_init_memmap},
    {"alloc_pages", Routine::alloc_pages},
    {"free_pages", Routine::free_pages},
    {"compaction", Routine::compaction},
    {"oom_kill", Routine::oom_kill},
    {"kmem_cache_alloc", Routine::kmem_cache_alloc},
    {"kmem_cache_free", Routine::kmem_cache_free},
    {"kmalloc", Routine::kmalloc},
    {"kfree", Routine::kfree},
    {"kmem_cache_create", Routine::kmem_cache_create},
    {"kmem_cache_destroy", Routine::kmem_cache_destroy},
    {"vmalloc", Routine::vmalloc},
    {"vfree", Routine::vfree},
    {"vmap", Routine::vmap},
    {"vunmap", Routine::vunmap},
    {"ioremap", Routine::ioremap},
    {"iounmap", Routine::iounmap},
    {"page_fault", Routine::page_fault},
    {"context_switch", Routine::context_switch},
    {"do_exit", Routine::do_exit},
    {"fork", Routine::fork},
    {"mmap", Routine::mmap},
    {"munmap", Routine::munmap},
    {"brk", Routine::brk},
    {"mprotect", Routine::mprotect},
    {"madvise", Routine::madvise},
    {"syscall", Routine::syscall},
    {"proc_show", Routine::proc_show},
    {"selftest", Routine::selftest},
    {"dma", Routine::dma},
    {"irq", Routine::irq},
};

}  // namespace

Routine routine_by_name(const std::string& name) {
  for (const Named& r : kRoutines)
    if (name == r.name) return r.routine;
  return Routine::none;
}

const char* routine_name(Routine r) {
  for (const Named& n : kRoutines)
    if (n.routine == r) return n.name;
  return "";
}

}  // namespace mmvp::sw
