// The /proc renderers: each returns the file's text, read back from guest memory, in
// Linux's exact format.
#pragma once
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

std::string proc_buddyinfo(Kernel& k);    // /proc/buddyinfo (sw/proc/buddyinfo.cpp)
std::string proc_zoneinfo(Kernel& k);     // /proc/zoneinfo (sw/proc/zoneinfo.cpp)
std::string proc_meminfo(Kernel& k);      // /proc/meminfo (sw/proc/meminfo.cpp)
std::string proc_vmallocinfo(Kernel& k);  // /proc/vmallocinfo (sw/proc/vmallocinfo.cpp)
std::string proc_slabinfo(Kernel& k);     // /proc/slabinfo (sw/proc/slabinfo.cpp)
// /proc/PID/maps and /proc/PID/smaps_rollup of task t (sw/proc/pid_maps.cpp).
std::string proc_pid_maps(Kernel& k, LAddr t);
std::string proc_pid_smaps_rollup(Kernel& k, LAddr t);

}  // namespace mmvp::sw
