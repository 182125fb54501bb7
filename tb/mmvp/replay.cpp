#include "tb/mmvp/replay.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <unordered_map>

#include "hw/common/output_file.h"
#include "sw/kernel/boot.h"
#include "sw/kernel/sched.h"
#include "sw/kernel/task.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"
#include "sw/proc/proc.h"
#include "tb/mmvp/options.h"

namespace mmvp::cli {
namespace {

// One access per distinct page of a stream, with the strongest kind the stream uses
// on it (a store beats a fetch beats a load), in first-touch order: replaying it
// faults every page in as the real stream would, and sets A and D bits alike. A stream
// with system calls changes its mappings as it runs, so it cannot be populated ahead:
// has_syscalls() tells.
class PageTouchSource : public sw::AccessSource {
 public:
  explicit PageTouchSource(sw::AccessSource& src) : name_(src.name()) {
    std::unordered_map<std::uint64_t, std::size_t> index;
    std::vector<sw::MemAccess> buf(8192);
    // The first byte the stream touches on the page: a fault while populating reports
    // the address the real access would (the byte, not the page).
    auto note = [&](std::uint64_t page, std::uint64_t first_byte, sw::AccessType t) {
      auto [it, fresh] = index.emplace(page, pages_.size());
      if (fresh) pages_.push_back({first_byte, 1, t});
      sw::MemAccess& p = pages_[it->second];
      if (rank(t) > rank(p.type)) p.type = t;
    };
    while (std::size_t n = src.read(buf.data(), buf.size())) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto& a = buf[i];
        if (a.type == sw::AccessType::syscall) {
          has_syscalls_ = true;
          continue;
        }
        sw::AccessType t = a.type == sw::AccessType::modify ? sw::AccessType::store : a.type;
        std::uint64_t last = (a.addr + (a.size ? a.size - 1 : 0)) >> 12;
        for (std::uint64_t pg = a.addr >> 12; pg <= last; ++pg)
          note(pg, std::max(a.addr, pg << 12), t);
      }
    }
  }
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    std::size_t n = std::min(max, pages_.size() - next_);
    std::copy_n(pages_.begin() + static_cast<std::ptrdiff_t>(next_), n, out);
    next_ += n;
    return n;
  }
  std::string name() const override { return name_ + " (pages)"; }
  bool has_syscalls() const { return has_syscalls_; }

 private:
  static int rank(sw::AccessType t) {
    return t == sw::AccessType::store ? 3 : t == sw::AccessType::instr ? 2 : 1;
  }
  std::string name_;
  std::vector<sw::MemAccess> pages_;
  std::size_t next_ = 0;
  bool has_syscalls_ = false;
};

}  // namespace

ReplayPlan plan_from_params(const Params& p) {
  ReplayPlan plan;
  plan.populate = p.flag("trace.populate");
  plan.options.max_records = p.u64("trace.max_records");
  plan.slice_records = p.u64("kernel.slice_records");
  sw::BootOptions& boot = plan.boot;
  boot.slab_debug = p.flag("kernel.slab_debug");
  boot.pcid = p.flag("kernel.pcid");
  boot.deferred_struct_page_init = p.flag("kernel.deferred_struct_page_init");
  boot.memmap_fast_forward = p.flag("kernel.memmap_fast_forward");
  boot.i386 = p.str("kernel.arch") == "i386";
  boot.pae = p.str("kernel.i386.pae") == "on";
  boot.vmsplit_gb = static_cast<unsigned>(p.str("kernel.i386.vmsplit")[0] - '0');
  boot.hugepages_2m = static_cast<unsigned>(p.u64("kernel.hugepages_2m"));
  boot.hugepages_1g = static_cast<unsigned>(p.u64("kernel.hugepages_1g"));
  const std::string& thp = p.str("kernel.thp");
  const std::string& bound = p.str("kernel.user_page_size");
  const bool large_4m = boot.i386 && !boot.pae;
  if (bound == "4m" && !large_4m)
    throw ConfigError(
        "kernel.user_page_size=4m needs 4 MB large pages: kernel.arch=i386 with "
        "kernel.i386.pae=off");
  if ((bound == "2m" || bound == "1g") && large_4m)
    throw ConfigError("kernel.user_page_size=" + bound +
                      ": 2-level paging (kernel.i386.pae=off) has 4 MB large pages only (use 4m)");
  boot.thp = bound == "2m" || bound == "4m" ? sw::ThpMode::every_fault
             : bound == "1g"                ? sw::ThpMode::every_fault_1g
             : thp == "always"              ? sw::ThpMode::always
             : thp == "never"               ? sw::ThpMode::never
                                            : sw::ThpMode::madvise;
  return plan;
}

namespace {

// A stream cut after max records (trace.max_records).
class LimitedSource : public sw::AccessSource {
 public:
  LimitedSource(std::unique_ptr<sw::AccessSource> s, std::uint64_t max)
      : s_(std::move(s)), left_(max) {}
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    if (left_ == 0) return 0;
    std::size_t n = s_->read(out, std::min<std::uint64_t>(max, left_));
    left_ -= n;
    return n;
  }
  std::string name() const override { return s_->name(); }
  const sw::SyscallRecord& syscall(std::uint64_t id) const override { return s_->syscall(id); }
  sw::ProcessAbi abi() const override { return s_->abi(); }

 private:
  std::unique_ptr<sw::AccessSource> s_;
  std::uint64_t left_;
};

void write_proc_files(sw::Kernel& k, const std::string& dir) {
  make_output_directory(dir, "--proc");
  struct File {
    const char* name;
    std::string (*render)(sw::Kernel&);
  };
  const File files[] = {{"buddyinfo", sw::proc_buddyinfo},       {"zoneinfo", sw::proc_zoneinfo},
                        {"meminfo", sw::proc_meminfo},           {"slabinfo", sw::proc_slabinfo},
                        {"vmallocinfo", sw::proc_vmallocinfo},   {"dma", sw::proc_dma},
                        {"pagetypeinfo", sw::proc_pagetypeinfo}, {"vmstat", sw::proc_vmstat}};
  sw::RoutineScope r(k, sw::Routine::proc_show);
  for (const auto& f : files) write_output_file(dir + "/" + f.name, f.render(k), "--proc");
}

// DIR/PID/{maps,smaps,smaps_rollup,status,stat,cmdline} of task t.
void write_pid_files(sw::Kernel& k, const std::string& dir, sw::LAddr t) {
  const std::string pid_dir = dir + "/" + std::to_string(sw::task_pid(k, t));
  make_output_directory(pid_dir, "--proc");
  struct File {
    const char* name;
    std::string (*render)(sw::Kernel&, sw::LAddr);
  };
  const File files[] = {{"maps", sw::proc_pid_maps},
                        {"smaps", sw::proc_pid_smaps},
                        {"smaps_rollup", sw::proc_pid_smaps_rollup},
                        {"status", sw::proc_pid_status},
                        {"stat", sw::proc_pid_stat},
                        {"cmdline", sw::proc_pid_cmdline}};
  for (const auto& f : files) write_output_file(pid_dir + "/" + f.name, f.render(k, t), "--proc");
}

}  // namespace

ReplayOutcome run_workloads(Platform& platform, const ReplayPlan& plan) {
  ReplayOutcome out;
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    k.console = plan.console;
    std::uint64_t c0 = cpu.cycles();
    auto h0 = std::chrono::steady_clock::now();
    sw::start_kernel(k, plan.boot);
    out.boot_cycles = cpu.cycles() - c0;
    out.boot_host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
    out.free_pages_after_boot = sw::nr_free_pages(k);
    out.boot_memmap_ff_pages = k.mem.get(sw::MM_GLOBALS, sw::mm_globals::memmap_ff_pages);
    out.boot_memmap_ff_cycles = k.mem.get(sw::MM_GLOBALS, sw::mm_globals::memmap_ff_cycles);
    if (plan.kernel_work) {
      cpu.reset_stats();
      plan.kernel_work(k);
      StatsReport r;
      platform.report(r);
      out.kernel_work = std::move(r);
    }

    const std::size_t n = plan.workloads.size();
    std::vector<std::unique_ptr<sw::AccessSource>> code(n), pages(n);
    std::vector<sw::UserProgram> programs(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (plan.workloads[i].native) {
        programs[i] = {plan.workloads[i].name, nullptr, nullptr, plan.workloads[i].native};
        continue;
      }
      code[i] = plan.workloads[i].open();
      // The i386 kernel has no IA32e mode to run a 64-bit program in.
      if (plan.boot.i386 && code[i]->abi() != sw::ProcessAbi::i386)
        throw ConfigError("kernel.arch=i386 runs 32-bit programs only: " + plan.workloads[i].name +
                          " is an " + sw::abi_name(code[i]->abi()) +
                          " trace (capture a 32-bit one with scripts/capture-trace --m32)");
      if (plan.options.max_records)
        code[i] = std::make_unique<LimitedSource>(std::move(code[i]), plan.options.max_records);
      if (plan.wrap_stream) code[i] = plan.wrap_stream(i, false, std::move(code[i]));
      if (plan.populate) {
        std::unique_ptr<sw::AccessSource> scan = plan.workloads[i].open();
        if (plan.options.max_records)
          scan = std::make_unique<LimitedSource>(std::move(scan), plan.options.max_records);
        if (plan.wrap_stream) scan = plan.wrap_stream(i, true, std::move(scan));
        auto touches = std::make_unique<PageTouchSource>(*scan);
        if (!touches->has_syscalls()) pages[i] = std::move(touches);
      }
      std::string comm = std::filesystem::path(plan.workloads[i].name).filename().string();
      programs[i] = {comm, code[i].get(), pages[i].get(), {}};
    }
    sw::SchedOptions so;
    so.slice_records = plan.slice_records;
    so.replay = plan.options;
    so.replay.max_records = 0;
    so.populate = plan.populate;
    std::size_t next_snapshot = 0;
    so.between_slices = [&](sw::Kernel& kk) {
      while (next_snapshot < plan.proc_at_ns.size() && !plan.proc_dir.empty() &&
             platform.now_ns() >= plan.proc_at_ns[next_snapshot]) {
        const std::string at =
            plan.proc_dir + "/at-" + std::to_string(plan.proc_at_ns[next_snapshot]) + "ns";
        write_proc_files(kk, at);
        sw::for_each_task(kk, [&](sw::LAddr t) { write_pid_files(kk, at, t); });
        ++next_snapshot;
      }
    };
    std::vector<sw::ProcessResult> results(n);
    so.before_exit = [&](sw::Kernel& kk, sw::LAddr t) {
      if (!plan.proc_dir.empty()) {
        // Each process's maps as it stood just before it exited.
        make_output_directory(plan.proc_dir, "--proc");
        write_pid_files(kk, plan.proc_dir, t);
      }
      const std::uint32_t pid = sw::task_pid(kk, t);
      for (std::size_t i = 0; i < n && plan.on_exit; ++i)
        if (results[i].pid == pid) plan.on_exit(i, results[i].counts.records);
    };
    so.after_last_record = [&](sw::Kernel&) {
      StatsReport r;
      platform.report(r);
      out.measured = std::move(r);
    };
    if (n) sw::run_processes(k, programs.data(), n, so, results.data());
    for (std::size_t i = 0; i < n; ++i) {
      const sw::ProcessResult& r = results[i];
      out.processes.push_back({plan.workloads[i].name, r.pid, r.counts, r.faults, r.vmas_at_exit,
                               r.on_touch_faults, r.peak_rss_pages, pages[i] != nullptr,
                               code[i] ? code[i]->abi() : sw::ProcessAbi::x86_64});
    }
    out.free_pages_at_end = sw::nr_free_pages(k);
    out.switches_flushed = k.mem.get(sw::TASKS_GLOBALS, sw::tasks_globals::switches_flushed);
    out.switches_kept = k.mem.get(sw::TASKS_GLOBALS, sw::tasks_globals::switches_kept);
    for (unsigned e = 0; e < sw::NR_VM_EVENT_ITEMS; ++e)
      out.vm_events.push_back(sw::vm_event_count(k, static_cast<sw::vm_event_item>(e)));
    if (!plan.proc_dir.empty()) write_proc_files(k, plan.proc_dir);
  });
  return out;
}

void report_killed(const ReplayOutcome& out) {
  std::size_t killed = 0;
  for (const auto& p : out.processes) {
    if (!p.counts.killed) continue;
    ++killed;
    std::cerr << "mmvp: " << p.name << ": process " << p.pid << " killed: " << p.counts.kill_reason
              << "\n";
  }
  if (killed && killed == out.processes.size())
    throw WorkloadsKilled("every process was killed (" + std::to_string(killed) + " of " +
                          std::to_string(killed) + "): no workload ran to its end");
  if (killed)
    std::cerr << "mmvp: " << killed << " of " << out.processes.size() << " processes killed\n";
}

StatsReport replay_report(const ReplayPlan& plan, const ReplayOutcome& out, Platform& platform) {
  StatsReport r;
  if (out.measured)
    r = *out.measured;
  else
    platform.report(r);
  sw::ReplayCounts total;
  std::uint64_t killed = 0;
  for (const auto& p : out.processes) {
    total.records += p.counts.records;
    total.instructions += p.counts.instructions;
    total.loads += p.counts.loads;
    total.stores += p.counts.stores;
    total.modifies += p.counts.modifies;
    total.syscalls += p.counts.syscalls;
    total.syscalls_not_made += p.counts.syscalls_not_made;
    total.syscall_mismatches += p.counts.syscall_mismatches;
    killed += p.counts.killed;
  }
  r.add("trace.workloads", out.processes.size(), "workloads replayed, each as its own process");
  r.add("trace.records", total.records, "trace records replayed");
  r.add("trace.instructions", total.instructions, "instruction records (I)");
  r.add("trace.loads", total.loads, "load records (L)");
  r.add("trace.stores", total.stores, "store records (S)");
  r.add("trace.modifies", total.modifies, "modify records (M): a load and a store each");
  r.add("trace.killed", killed, "processes ended by the kernel (protection violations)");
  r.add("trace.partial", out.partial ? 1 : 0,
        "1: the run was interrupted (Ctrl-C): every process ended early, and the statistics "
        "cover the records replayed until then");
  r.add("trace.syscalls", total.syscalls,
        "system calls of the traces made again (valgrind --trace-syscalls=yes records)");
  r.add("trace.syscalls_not_made", total.syscalls_not_made,
        "system calls that failed in the traced run, so were not made again");
  r.add("trace.syscall_mismatches", total.syscall_mismatches,
        "system calls whose result differs from the traced run's (an mmap placed elsewhere)");
  for (std::size_t i = 0; i < out.processes.size(); ++i) {
    const auto& p = out.processes[i];
    std::string w = "workload." + std::to_string(i);
    r.add_text(w + ".name", p.name, "workload source");
    r.add(w + ".pid", p.pid, "process id it ran as");
    r.add_text(w + ".abi", sw::abi_name(p.abi),
               "the traced program's ABI: x86_64, or i386 (a 32-bit program, run as an ia32 "
               "process: 4 GB address space, INT 0x80 system calls)");
    r.add(w + ".records", p.counts.records, "records replayed");
    r.add(w + ".faults", p.faults, "demand-paging faults (populate pass included)");
    r.add(w + ".populated", p.populated ? 1 : 0,
          "1: its pages were faulted in before the measured replay (trace.populate; not for a "
          "trace with system calls)");
    r.add(w + ".vmas", p.vmas_at_exit, "VMAs of its address space when it ended");
    r.add(w + ".on_touch_faults", p.on_touch_faults,
          "faults outside every VMA that mapped a page (mappings no system call made: the "
          "loader's segments and stack, or a trace without system calls)");
    r.add(w + ".peak_rss_kb", p.peak_rss_pages * 4, "largest resident set (hiwater_rss, VmHWM)");
    if (p.counts.killed) r.add_text(w + ".killed", p.counts.kill_reason, "why the kernel ended it");
    if (p.counts.syscall_mismatches)
      r.add_text(w + ".first_syscall_mismatch", p.counts.first_mismatch,
                 "the first system call whose result differs from the traced run's");
  }
  if (out.kernel_work) {
    // The kernel's own allocator work, measured alone (before the processes).
    for (const char* n : {"cpu.loads", "cpu.stores", "cpu.cycles", "mmu.dtlb.lookups",
                          "mmu.dtlb.misses", "mmu.stlb.misses", "mmu.walker.walks"}) {
      const auto* e = out.kernel_work->find(n);
      if (e)
        r.add(std::string("kernel_work.") + n, std::get<std::uint64_t>(e->value), e->description);
    }
    const auto* l = out.kernel_work->find("mmu.dtlb.lookups");
    const auto* m = out.kernel_work->find("mmu.dtlb.misses");
    if (l && m)
      r.add_ratio("kernel_work.mmu.dtlb.miss_rate",
                  static_cast<double>(std::get<std::uint64_t>(m->value)),
                  static_cast<double>(std::get<std::uint64_t>(l->value)),
                  "L1 DTLB miss rate of the kernel work");
  }
  for (std::size_t e = 0; e < out.vm_events.size(); ++e) {
    // The per-zone pgalloc_* items are named after the kernel's zones (pgalloc_high on
    // i386); slots of zones it lacks are left out.
    std::string name = sw::vm_event_names[e];
    if (e >= sw::PGALLOC_DMA && e < sw::PGALLOC_DMA + sw::kMaxZoneSlots) {
      const unsigned z = static_cast<unsigned>(e - sw::PGALLOC_DMA);
      if (z >= sw::MAX_NR_ZONES) continue;
      name = std::string("pgalloc_") + sw::zone_config.event_names[z];
    }
    r.add("kernel.vmstat." + name, out.vm_events[e],
          "/proc/vmstat event since boot (include/linux/vm_event_item.h)");
  }
  r.add("kernel.switch_mm_flushes", out.switches_flushed,
        "context switches whose CR3 write flushed the TLB (every one without PCIDs; a new or "
        "reused ASID with them)");
  r.add("kernel.switch_mm_flushes_avoided", out.switches_kept,
        "context switches that kept their ASID's TLB entries (CR3 bit 63; kernel.pcid)");
  r.add("kernel.boot_cycles", out.boot_cycles,
        "simulated cycles of the kernel's boot (start_kernel)");
  r.add_real("host.boot_seconds", out.boot_host_seconds, "host seconds of the kernel's boot");
  r.add("kernel.boot_memmap_ff_pages", out.boot_memmap_ff_pages,
        "struct pages the boot's loops over them fast-forwarded (kernel.memmap_fast_forward)");
  r.add("kernel.boot_memmap_ff_cycles", out.boot_memmap_ff_cycles,
        "cycles of kernel.boot_cycles charged for them at the rate of the detailed blocks");
  r.add("kernel.free_pages_after_boot", out.free_pages_after_boot,
        "pages in the buddy free lists after boot");
  r.add("kernel.free_pages_at_end", out.free_pages_at_end,
        "pages in the buddy free lists after every process exited");
  auto get = [&](const char* n) -> double {
    const auto* e = r.find(n);
    return e && std::holds_alternative<std::uint64_t>(e->value)
               ? static_cast<double>(std::get<std::uint64_t>(e->value))
               : 0.0;
  };
  double accesses = get("cpu.loads") + get("cpu.stores") + get("cpu.fetches");
  if (total.instructions) {
    double instr = static_cast<double>(total.instructions);
    r.add_ratio("mmu.dtlb.mpki", get("mmu.dtlb.misses") * 1000, instr,
                "L1 DTLB misses per 1000 instructions");
    r.add_ratio("mmu.itlb.mpki", get("mmu.itlb.misses") * 1000, instr,
                "L1 ITLB misses per 1000 instructions");
    r.add_ratio("mmu.stlb.mpki", get("mmu.stlb.misses") * 1000, instr,
                "L2 TLB misses per 1000 instructions");
    for (const char* level : {"l1i", "l1d", "l2", "llc"}) {
      const std::string name = std::string("cache.") + level;
      if (r.find(name + ".misses"))
        r.add_ratio(name + ".mpki", get((name + ".misses").c_str()) * 1000, instr,
                    std::string(level) + " misses per 1000 instructions");
    }
  }
  const auto* hs = r.find("host.seconds");
  double seconds =
      hs && std::holds_alternative<double>(hs->value) ? std::get<double>(hs->value) : 0.0;
  r.add_ratio("host.accesses_per_second", accesses, seconds,
              "translated accesses per host second (measured phase)");
  (void)plan;
  return r;
}

}  // namespace mmvp::cli
