// The /proc renderers: each returns the file's text, read back from guest memory, in
// Linux's exact format.
#pragma once
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

std::string proc_buddyinfo(Kernel& k);     // /proc/buddyinfo (sw/proc/buddyinfo.cpp)
std::string proc_zoneinfo(Kernel& k);      // /proc/zoneinfo (sw/proc/zoneinfo.cpp)
std::string proc_meminfo(Kernel& k);       // /proc/meminfo (sw/proc/meminfo.cpp)
std::string proc_vmallocinfo(Kernel& k);   // /proc/vmallocinfo (sw/proc/vmallocinfo.cpp)
std::string proc_slabinfo(Kernel& k);      // /proc/slabinfo (sw/proc/slabinfo.cpp)
std::string proc_dma(Kernel& k);           // /proc/dma (sw/proc/dma.cpp)
std::string proc_pagetypeinfo(Kernel& k);  // /proc/pagetypeinfo (sw/proc/pagetypeinfo.cpp)
std::string proc_vmstat(Kernel& k);        // /proc/vmstat (sw/proc/vmstat.cpp)
// /proc/PID/maps, smaps and smaps_rollup of task t (sw/proc/pid_maps.cpp).
std::string proc_pid_maps(Kernel& k, LAddr t);
std::string proc_pid_smaps(Kernel& k, LAddr t);
std::string proc_pid_smaps_rollup(Kernel& k, LAddr t);
// /proc/PID/status, stat and cmdline of task t (sw/proc/pid_status.cpp).
std::string proc_pid_status(Kernel& k, LAddr t);
std::string proc_pid_stat(Kernel& k, LAddr t);
std::string proc_pid_cmdline(Kernel& k, LAddr t);

// An mm's counters as task_mem() and do_task_stat() report them, in pages (hugetlb
// in kB), from its VMAs and page tables.
struct MmCounters {
  std::uint64_t total_vm = 0, hiwater_vm = 0, rss = 0, hiwater_rss = 0, rss_anon = 0, rss_file = 0,
                data_vm = 0, stack_vm = 0, exe_vm = 0, lib_vm = 0, pgtables = 0, hugetlb_kb = 0;
};
MmCounters mm_counters(Kernel& k, LAddr m);

}  // namespace mmvp::sw
