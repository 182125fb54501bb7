// The OOM killer (mm/oom_kill.c: select_bad_process, oom_badness, dump_header,
// dump_tasks, __oom_kill_process, oom_reap_task_mm), one node, no memcg or cpuset
// constraints (CONSTRAINT_NONE), every task root with oom_score_adj 0.
#include "sw/mm/oom_kill.h"

#include <fmt/format.h>

#include "sw/kernel/task.h"
#include "sw/mm/mm_types.h"
#include "sw/mm/mmap.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page_alloc.h"

namespace mmvp::sw {
namespace {

std::uint64_t kb(std::uint64_t pages) {
  return pages * (PAGE_SIZE >> 10);
}

// dump_header()'s show_mem(): the zones' free pages against their watermarks.
void show_mem(Kernel& k) {
  k.printk("Mem-Info:");
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!populated_zone(k, z)) continue;
    const LAddr zn = zone_addr(z);
    k.printk(fmt::format(
        "Node 0 {} free:{}kB boost:0kB min:{}kB low:{}kB high:{}kB present:{}kB managed:{}kB",
        zone_names[z], kb(k.mem.get(zn, zone::nr_free_pages)), kb(zone_wmark(k, z, WMARK_MIN)),
        kb(zone_wmark(k, z, WMARK_LOW)), kb(zone_wmark(k, z, WMARK_HIGH)),
        kb(k.mem.get(zn, zone::present_pages)), kb(zone_managed_pages(k, z))));
  }
}

// dump_tasks(): one line per process with an mm, memory values in pages.
void dump_tasks(Kernel& k) {
  k.printk("Tasks state (memory values in pages):");
  k.printk(
      "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes "
      "swapents oom_score_adj name");
  for_each_task(k, [&](LAddr t) {
    const LAddr m = k.mem.get(t, task::mm);
    if (!m || k.mem.get(t, task::oom_victim)) return;
    const std::uint64_t rss = k.mem.get(m, mm::rss);
    k.printk(fmt::format("[{:7}] {:5} {:5} {:8} {:8} {:8} {:8} {:9} {:8} {:8}         {:5} {}",
                         task_pid(k, t), 0, task_pid(k, t), k.mem.get(m, mm::total_vm), rss, rss, 0,
                         0, k.mem.get(m, mm::pgtables) * PAGE_SIZE, 0, 0, task_comm(k, t)));
  });
}

}  // namespace

long oom_badness(Kernel& k, LAddr t) {
  const LAddr m = k.mem.get(t, task::mm);
  if (!m || k.mem.get(t, task::oom_victim)) return -1;
  // get_mm_rss() + swap entries (none) + mm_pgtables_bytes() / PAGE_SIZE; adj 0.
  return static_cast<long>(k.mem.get(m, mm::rss) + k.mem.get(m, mm::pgtables));
}

bool out_of_memory(Kernel& k, gfp_t gfp, int order) {
  RoutineScope rs(k, Routine::oom_kill);
  const LAddr current = current_task(k);
  // A victim that is still around is dying already: let it go first.
  if (current && k.mem.get(current, task::oom_victim)) return false;
  // select_bad_process(): the most points; a later task wins a tie (oom_evaluate_task).
  LAddr chosen = 0;
  long chosen_points = 0;
  for_each_task(k, [&](LAddr t) {
    const long points = oom_badness(k, t);
    if (points < 0 || (chosen && points < chosen_points)) return;
    chosen = t;
    chosen_points = points;
  });
  const std::string comm = current ? task_comm(k, current) : "swapper/0";
  k.printk(fmt::format("{} invoked oom-killer: gfp_mask={:#x}({}), order={}, oom_score_adj=0", comm,
                       gfp, gfp_flag_names(gfp), order));
  show_mem(k);
  dump_tasks(k);
  if (!chosen) {
    k.printk("Out of memory and no killable processes...");
    return false;
  }
  const LAddr m = k.mem.get(chosen, task::mm);
  const std::uint32_t pid = task_pid(k, chosen);
  const std::string name = task_comm(k, chosen);
  k.printk(fmt::format(
      "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
      "task_memcg=/,task={},pid={},uid=0",
      name, pid));
  k.printk(fmt::format(
      "Out of memory: Killed process {} ({}) total-vm:{}kB, anon-rss:{}kB, file-rss:0kB, "
      "shmem-rss:0kB, UID:0 pgtables:{}kB oom_score_adj:0",
      pid, name, kb(k.mem.get(m, mm::total_vm)), kb(k.mem.get(m, mm::rss)),
      kb(k.mem.get(m, mm::pgtables))));
  count_vm_event(k, OOM_KILL);
  k.mem.set(chosen, task::oom_victim, 1);
  if (chosen == current) return false;
  // oom_reap_task_mm(): the victim's anonymous memory goes back now.
  exit_mmap(k, m);
  k.printk(fmt::format(
      "oom_reaper: reaped process {} ({}), now anon-rss:{}kB, file-rss:0kB, shmem-rss:0kB", pid,
      name, kb(k.mem.get(m, mm::rss))));
  return true;
}

}  // namespace mmvp::sw
