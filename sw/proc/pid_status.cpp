// /proc/PID/status, /proc/PID/stat and /proc/PID/cmdline (fs/proc/array.c:
// proc_pid_status, do_task_stat; fs/proc/base.c: proc_pid_cmdline_read), in the field
// order of Linux 6.18. The memory figures come from the task's mm in guest memory
// (task_mem); the rest is what a single-threaded root process with no files, signals
// or namespaces shows. Not modelled, and shown as 0: CPU times and start time, code
// and data segment bounds, argument and environment areas (a trace has no argv).
#include <cstdio>
#include <string>

#include "sw/kernel/task.h"
#include "sw/mm/mm_types.h"
#include "sw/mm/mmzone.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

// set_max_threads() and the RLIMIT_SIGPENDING fork_init() derives from it: the SigQ limit.
std::uint64_t sigpending_limit(Kernel& k) {
  constexpr std::uint64_t kThreadSize = 16384, kMinThreads = 20, kMaxThreads = 0x3fffffff;
  std::uint64_t threads = totalram_pages(k) * PAGE_SIZE / (kThreadSize * 8);
  threads = threads < kMinThreads ? kMinThreads : threads > kMaxThreads ? kMaxThreads : threads;
  return threads / 2;
}

// SEQ_PUT_DEC in task_mem(): "Label:\t", pages as kB in 8 columns, " kB".
void put_vm(std::string& out, const char* label, std::uint64_t kb) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s\t%8llu kB\n", label, static_cast<unsigned long long>(kb));
  out += buf;
}

}  // namespace

std::string proc_pid_status(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  Guest& g = k.mem;
  const unsigned pid = task_pid(k, t);
  const MmCounters c = mm_counters(k, g.get(t, task::mm));
  auto kb = [](std::uint64_t pages) { return pages * (PAGE_SIZE >> 10); };
  char buf[160];
  std::string out = "Name:\t" + task_comm(k, t) + "\nUmask:\t0022\nState:\tR (running)\n";
  std::snprintf(buf, sizeof buf,
                "Tgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t0\nTracerPid:\t0\n"
                "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t \n"
                "NStgid:\t%u\nNSpid:\t%u\nNSpgid:\t%u\nNSsid:\t%u\nKthread:\t0\n",
                pid, pid, pid, pid, pid, pid);
  out += buf;
  put_vm(out, "VmPeak:", kb(c.hiwater_vm));
  put_vm(out, "VmSize:", kb(c.total_vm));
  put_vm(out, "VmLck:", 0);
  put_vm(out, "VmPin:", 0);
  put_vm(out, "VmHWM:", kb(c.hiwater_rss));
  put_vm(out, "VmRSS:", kb(c.rss));
  put_vm(out, "RssAnon:", kb(c.rss_anon));
  put_vm(out, "RssFile:", kb(c.rss_file));
  put_vm(out, "RssShmem:", 0);
  put_vm(out, "VmData:", kb(c.data_vm));
  put_vm(out, "VmStk:", kb(c.stack_vm));
  put_vm(out, "VmExe:", kb(c.exe_vm));
  put_vm(out, "VmLib:", kb(c.lib_vm));
  put_vm(out, "VmPTE:", kb(c.pgtables));
  put_vm(out, "VmSwap:", 0);
  put_vm(out, "HugetlbPages:", c.hugetlb_kb);
  out += "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\nThreads:\t1\n";
  std::snprintf(buf, sizeof buf, "SigQ:\t0/%llu\n",
                static_cast<unsigned long long>(sigpending_limit(k)));
  out += buf;
  out +=
      "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"
      "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n"
      "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
      "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"
      "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
      "Speculation_Store_Bypass:\tthread vulnerable\n"
      "SpeculationIndirectBranch:\tconditional enabled\n"
      "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t";
  // nodemask_pr_args over MAX_NUMNODES (1024 with Debian's NODES_SHIFT 10): node 0 only.
  for (int word = 31; word >= 0; --word) out += word ? "00000000," : "00000001";
  std::snprintf(buf, sizeof buf,
                "\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n"
                "nonvoluntary_ctxt_switches:\t%llu\n",
                static_cast<unsigned long long>(g.get(t, task::nvcsw)));
  out += buf;
  return out;
}

std::string proc_pid_stat(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  Guest& g = k.mem;
  const LAddr m = g.get(t, task::mm);
  const unsigned pid = task_pid(k, t);
  const MmCounters c = mm_counters(k, m);
  using ull = unsigned long long;
  char buf[512];
  // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss
  // rsslim startcode endcode startstack kstkesp kstkeip signal blocked sigignore
  // sigcatch wchan nswap cnswap exit_signal processor rt_priority policy
  // delayacct_blkio_ticks guest_time cguest_time start_data end_data start_brk
  // arg_start arg_end env_start env_end exit_code
  std::snprintf(buf, sizeof buf,
                "%u (%s) R 0 %u %u 0 -1 0 %llu 0 0 0 0 0 0 0 20 0 1 0 0 %llu %llu "
                "18446744073709551615 0 0 %llu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 %llu 0 0 0 "
                "0 %u\n",
                pid, task_comm(k, t).c_str(), pid, pid, static_cast<ull>(g.get(t, task::min_flt)),
                static_cast<ull>(c.total_vm * PAGE_SIZE), static_cast<ull>(c.rss),
                static_cast<ull>(g.get(m, mm::start_stack)),
                static_cast<ull>(g.get(m, mm::start_brk)), g.get(t, task::exit_code));
  return buf;
}

std::string proc_pid_cmdline(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  std::string out = task_comm(k, t);
  out += '\0';
  return out;
}

}  // namespace mmvp::sw
