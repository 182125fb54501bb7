#include "sw/kernel/sched.h"

#include <fmt/format.h>

#include "sw/kernel/layout.h"
#include "sw/kernel/task.h"
#include "sw/mm/pgtable.h"

namespace mmvp::sw {
void run_processes(Kernel& k, const UserProgram* programs, std::size_t n, const SchedOptions& opt,
                   ProcessResult* results) {
  Guest& g = k.mem;
  // The runqueue is the task list in guest memory; the host keeps, per program, only
  // what a user process keeps in its own registers: where its stream is.
  constexpr std::size_t kMax = 64;
  if (n > kMax) k.panic("run_processes: more than 64 programs");
  LAddr tasks[kMax] = {};
  bool done[kMax] = {};
  for (std::size_t i = 0; i < n; ++i) {
    // No ELF loader maps a program's segments and stack: its first touches do
    // (MMF_VMA_ON_TOUCH; its traced mmaps, if any, map the rest).
    // The trace's ABI stands for the ELF class exec reads.
    const ProcessAbi abi = programs[i].code ? programs[i].code->abi() : ProcessAbi::x86_64;
    tasks[i] = create_process(k, programs[i].name, mm::MMF_VMA_ON_TOUCH, abi);
    if (!tasks[i]) k.panic("run_processes: cannot create process " + programs[i].name);
    results[i].pid = task_pid(k, tasks[i]);
  }
  std::size_t alive = 0;
  LAddr running = 0;  // the task whose page tables are loaded
  auto end_task = [&](std::size_t i, std::uint32_t code) {
    if (alive == 1 && opt.after_last_record) opt.after_last_record(k);
    results[i].faults = g.get(tasks[i], task::min_flt);
    results[i].switches_in = g.get(tasks[i], task::nvcsw);
    const LAddr m = g.get(tasks[i], task::mm);
    results[i].vmas_at_exit = g.get(m, mm::map_count);
    results[i].on_touch_faults = g.get(m, mm::on_touch_faults);
    results[i].peak_rss_pages = g.get(m, mm::hiwater_rss);
    if (opt.before_exit) opt.before_exit(k, tasks[i]);
    do_exit(k, tasks[i], code);
    done[i] = true;
    --alive;
    running = 0;  // do_exit switched to the kernel's page tables
  };
  alive = n;
  if (opt.populate) {
    ReplayOptions touch_only;
    touch_only.retire_instructions = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!programs[i].pages) continue;
      switch_to(k, tasks[i]);
      ReplayCounts pre;
      replay_as_user(k.cpu, *programs[i].pages, touch_only, pre);
      if (pre.killed) {
        results[i].counts.killed = true;
        results[i].counts.kill_reason = pre.kill_reason;
        end_task(i, task::SIGSEGV);
      }
    }
  }
  // The first process to run is switched in before the measured phase starts, so a
  // lone process is measured without any kernel work around it.
  for (std::size_t i = 0; i < n && !running; ++i) {
    if (!done[i]) running = tasks[i];
  }
  switch_to(k, running);
  if (opt.populate) {
    // The programs start cold: no translation and no line the pre-pass left behind.
    flush_tlb_all(k);
    k.cpu.wbinvd();
    k.cpu.reset_stats();
  }
  ReplayOptions slice = opt.replay;
  while (alive > 0) {
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      // The OOM killer chose it while another task ran: SIGKILL (checked on the switch
      // in, so a lone process runs with no kernel work around it).
      if (tasks[i] != running && g.get(tasks[i], task::oom_victim)) {
        results[i].counts.killed = true;
        results[i].counts.kill_reason = "killed by the OOM killer";
        end_task(i, task::SIGKILL);
        continue;
      }
      if (tasks[i] != running) {
        switch_to(k, tasks[i]);
        running = tasks[i];
      }
      if (!results[i].started) {
        results[i].started = true;
        k.cpu.mark_milestone(Cpu::Milestone::workload_start, i + 1);
      }
      // A process alone on the runqueue runs to its end (nothing to switch to).
      std::uint64_t quantum = alive == 1 ? 0 : opt.slice_records;
      slice.max_records = quantum;
      ReplayCounts& acc = results[i].counts;
      std::uint64_t ran = 0;
      {
        RoutineScope user(k, Routine::user);
        if (programs[i].native)
          run_as_user(k.cpu, programs[i].native, acc);
        else
          ran = replay_as_user(k.cpu, *programs[i].code, slice, acc);
      }
      if (acc.killed) {
        end_task(i, g.get(tasks[i], task::oom_victim) ? task::SIGKILL : task::SIGSEGV);
      } else if (programs[i].native || quantum == 0 || ran < quantum || acc.exited) {
        end_task(i, static_cast<std::uint32_t>(acc.exit_status));
      }
      if (opt.between_slices) opt.between_slices(k);
    }
  }
  switch_to(k, 0);
}

}  // namespace mmvp::sw
