// The trace.* and kernel.* parameters: how `mmvp trace` and sweeps run a workload.
#include "tb/trace/run_params.h"

namespace mmvp {

void declare_replay_params(Params& p) {
  p.declare({"trace.populate", ParamType::boolean, "true",
             "fault in every page a workload touches before replaying it, then flush the TLBs "
             "and reset statistics, so statistics describe the workload alone; false: pages "
             "fault in during the replay (as they always do for a trace with system calls, "
             "whose mappings change as it runs)"});
  p.declare({"trace.max_records", ParamType::integer, "0",
             "stop each workload after this many records (0: no limit)"});
  p.declare({"kernel.slice_records", ParamType::integer, "10000",
             "round-robin time slice: trace records (accesses) a process runs before the next "
             "context switch",
             1, UINT64_MAX});
  p.declare({"kernel.slab_debug", ParamType::boolean, "false",
             "red zones and poisoning in every slab cache (slub_debug=FZP)"});
  p.declare({"kernel.thp",
             ParamType::choice,
             "madvise",
             "transparent huge pages (/sys/kernel/mm/transparent_hugepage/enabled): always, "
             "madvise (only VMAs given MADV_HUGEPAGE; what Debian-family hosts such as this "
             "one ship, while mm/Kconfig defaults to always) or never",
             0,
             0,
             {"always", "madvise", "never"}});
  p.declare({"kernel.deferred_struct_page_init", ParamType::boolean, "true",
             "CONFIG_DEFERRED_STRUCT_PAGE_INIT: the boot initialises the struct pages of the "
             "low zones and of the last zone's first 128 MB section; deferred_init_memmap "
             "does the rest before the first process, a 4 MB block at a time (off: every "
             "struct page in memmap_init, then memblock_free_all)"});
  p.declare({"kernel.memmap_fast_forward", ParamType::boolean, "true",
             "the boot's loops over struct pages (memmap_init, memblock_free_all, "
             "deferred_init_memmap) on a large node: a head and a tail of 4 MB blocks in "
             "detail (each twice the last-level cache's worth of struct pages, at least 64 "
             "blocks), the blocks between fast-forwarded (the same stores, functionally: "
             "TLBs and page walks as usual, no cache, no time) and charged the cycles per "
             "page of the head's second half (kernel.boot_memmap_ff_pages); off: every "
             "block in detail"});
  p.declare({"kernel.pcid", ParamType::boolean, "true",
             "PCIDs: the kernel sets CR4.PCIDE and gives each mm one of 6 ASIDs as Linux's "
             "choose_new_asid does, so a context switch keeps the entries of an ASID still "
             "its mm's (needs cpu.pcid); off: every switch flushes the non-global entries"});
  p.declare({"kernel.arch",
             ParamType::choice,
             "x86_64",
             "the guest kernel's build: x86_64 (4-level paging, the direct map of all memory) "
             "or i386 (CONFIG_X86_32 with PAE and HIGHMEM64G: PAGE_OFFSET 0xC0000000, lowmem "
             "directly mapped up to high_memory, ZONE_HIGHMEM above it reached by kmap; it "
             "runs 32-bit programs only)",
             0,
             0,
             {"x86_64", "i386"}});
  p.declare({"kernel.i386.pae",
             ParamType::choice,
             "on",
             "i386 paging: on, PAE (CONFIG_X86_PAE: 3 levels, 8-byte entries, 2 MB pages, XD, "
             "up to 64 GB); off, 2-level paging (HIGHMEM4G: 4-byte entries, 4 MB pages, no "
             "XD, up to 4 GB; no transparent huge pages, no hugetlb pool)",
             0,
             0,
             {"on", "off"}});
  p.declare({"kernel.i386.vmsplit",
             ParamType::choice,
             "3G",
             "i386 user/kernel split (CONFIG_VMSPLIT_*): 3G (PAGE_OFFSET 0xC0000000, the "
             "default), 2G (0x80000000) or 1G (0x40000000) of user space",
             0,
             0,
             {"3G", "2G", "1G"}});
  p.declare({"kernel.hugepages_2m", ParamType::integer, "0",
             "2 MB pages in the hugetlb pool at boot (hugepages=N), for mmap(MAP_HUGETLB)", 0,
             1u << 20});
  p.declare({"kernel.hugepages_1g", ParamType::integer, "0",
             "1 GB pages in the hugetlb pool, reserved from memblock at boot "
             "(hugepagesz=1G hugepages=N; at most 16), for mmap(MAP_HUGETLB | MAP_HUGE_1GB)",
             0, 16});
  p.declare({"kernel.user_page_size",
             ParamType::choice,
             "4k",
             "the idealised bound: 2m maps every user fault with a 2 MB page when the buddy "
             "allocator has one, whatever the VMA covers (one global page size, as ChampSim "
             "and drcachesim offer; mmvp sweep then sizes the 2 MB arrays); 1g with a 1 GB "
             "page from the hugetlb pool (kernel.hugepages_1g), then 2 MB; 4k: Linux's rules "
             "(kernel.thp); 4m: every fault a 4 MB page, for the i386 kernel with 2-level "
             "paging (kernel.i386.pae=off), whose large pages are 4 MB",
             0,
             0,
             {"4k", "2m", "1g", "4m"}});
}

Params all_params() {
  Params p;
  declare_platform_params(p);
  declare_replay_params(p);
  return p;
}

}  // namespace mmvp
