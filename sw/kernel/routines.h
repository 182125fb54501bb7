// Identifiers of kernel routines shown on the core's `routine` waveform signal.
// traces/routines.txt maps them to names for GTKWave (a translate filter file; keep
// both in step).
#pragma once
#include <cstdint>
#include <string>

namespace mmvp::sw {

enum class Routine : std::uint16_t {
  none = 0,
  user = 1,  // a user process runs
  start_kernel = 2,
  memblock = 3,
  paging_init = 4,
  free_area_init = 5,
  memblock_free_all = 6,
  deferred_init_memmap = 7,
  alloc_pages = 10,
  free_pages = 11,
  compaction = 12,
  oom_kill = 13,
  kmem_cache_alloc = 20,
  kmem_cache_free = 21,
  kmalloc = 22,
  kfree = 23,
  kmem_cache_create = 24,
  kmem_cache_destroy = 25,
  vmalloc = 30,
  vfree = 31,
  vmap = 32,
  vunmap = 33,
  ioremap = 34,
  iounmap = 35,
  page_fault = 40,
  context_switch = 41,
  do_exit = 42,
  fork = 43,
  mmap = 44,
  munmap = 45,
  brk = 46,
  mprotect = 47,
  madvise = 48,
  syscall = 49,  // entry and every other system call
  proc_show = 50,
  selftest = 60,
  dma = 70,
  irq = 71,
};

// The routine of this name ("page_fault"), Routine::none if there is none. The names
// are the enumerators', as traces/routines.txt shows them.
Routine routine_by_name(const std::string& name);
const char* routine_name(Routine r);  // "" for an unknown id

}  // namespace mmvp::sw
