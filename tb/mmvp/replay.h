// Running user workloads as processes under the guest kernel: the part of `mmvp
// trace` and `mmvp demo` that happens inside the simulation.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw/common/stats.h"
#include "hw/platform/platform.h"
#include "sw/kernel/boot.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/user_replay.h"
#include "sw/kernel/workload.h"
#include "tb/trace/run_params.h"

namespace mmvp::cli {

class LogFile;

struct Workload {
  std::string name;
  // Opens the stream (called inside the simulation; twice when pages are populated).
  std::function<std::unique_ptr<sw::AccessSource>()> open;
  // Or a program that is code (no populate pass): run at CPL 3 in its own process.
  sw::NativeProgram native;
};

struct ReplayPlan {
  std::vector<Workload> workloads;
  bool populate = true;  // fault every page in first, then flush TLBs and reset statistics
  std::uint64_t slice_records = 10000;  // round-robin time slice
  sw::BootOptions boot;  // the kernel.* parameters: the kernel's build and boot options
  sw::ReplayOptions options;
  std::string proc_dir;                           // write /proc files here at the end ("" = no)
  std::vector<std::uint64_t> proc_at_ns;          // ... and at these simulated times
  std::function<void(std::string_view)> console;  // the kernel's printk lines
  std::shared_ptr<LogFile> console_log;           // --console FILE; finish() after the run
  // If set, wraps every stream a workload opens (scan: the populate pass's reading of
  // its pages): `mmvp trace` counts records there and ends the streams on Ctrl-C.
  std::function<std::unique_ptr<sw::AccessSource>(std::size_t workload, bool scan,
                                                  std::unique_ptr<sw::AccessSource>)>
      wrap_stream;
  // If set, called as workload i's process exits (its trace ended, or it was killed),
  // with the records it replayed.
  std::function<void(std::size_t workload, std::uint64_t records)> on_exit;
  // Kernel work after boot and before the processes (the demo's allocator tour).
  std::function<void(sw::Kernel&)> kernel_work;
};

struct ReplayOutcome {
  struct Process {
    std::string name;
    std::uint32_t pid = 0;
    sw::ReplayCounts counts;
    std::uint64_t faults = 0;
    std::uint64_t vmas_at_exit = 0, on_touch_faults = 0, peak_rss_pages = 0;
    bool populated = false;  // faulted in by the populate pre-pass
    sw::ProcessAbi abi = sw::ProcessAbi::x86_64;
  };
  std::vector<Process> processes;
  // Statistics at the end of the measured phase (after the last record, before the
  // teardown of the last process).
  std::optional<StatsReport> measured;
  // Statistics of the kernel work alone (plan.kernel_work), if any.
  std::optional<StatsReport> kernel_work;
  std::uint64_t free_pages_after_boot = 0, free_pages_at_end = 0;
  std::vector<std::uint64_t> vm_events;  // /proc/vmstat's events at the end, since boot
  std::uint64_t switches_flushed = 0, switches_kept = 0;  // switch_mm, since boot
  bool partial = false;            // interrupted: the statistics cover part of the records
  std::uint64_t records() const {  // replayed, over every process
    std::uint64_t n = 0;
    for (const Process& p : processes) n += p.counts.records;
    return n;
  }
  std::uint64_t boot_cycles = 0;  // simulated cycles of start_kernel
  double boot_host_seconds = 0;   // host time of start_kernel
  // deferred_init_memmap's fast-forwarded pages and the cycles charged for them
  std::uint64_t boot_memmap_ff_pages = 0, boot_memmap_ff_cycles = 0;
};

// Boots the guest kernel on the platform's core and runs every workload as its own
// process, round-robin.
ReplayOutcome run_workloads(Platform& platform, const ReplayPlan& plan);
// The statistics to print: the measured snapshot plus trace.* and throughput figures.
StatsReport replay_report(const ReplayPlan& plan, const ReplayOutcome& out, Platform& platform);

// Every workload of the run was killed (exit status 5): the statistics were printed,
// but they describe no completed program.
struct WorkloadsKilled : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A run stopped by Ctrl-C (exit status 130, as a shell reports SIGINT): the statistics
// so far were written, marked partial.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// One line on stderr per killed process (Linux's reason), then WorkloadsKilled if no
// process completed.
void report_killed(const ReplayOutcome& out);

// The run's settings from the trace.* and kernel.* parameters (tb/trace/run_params.h).
ReplayPlan plan_from_params(const Params& p);

}  // namespace mmvp::cli
