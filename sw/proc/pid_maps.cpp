// /proc/PID/maps and /proc/PID/smaps_rollup (fs/proc/task_mmu.c: show_map_vma,
// show_smaps_rollup), read from the task's VMAs and page tables in guest memory.
// Device and inode are 00:00 0 for every mapping: mmvp has no file system (a file
// VMA shows its path and offset).
#include <cstdio>
#include <string_view>

#include "sw/kernel/task.h"
#include "sw/mm/hugetlb.h"
#include "sw/mm/memory.h"
#include "sw/mm/vma.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

// show_vma_header_prefix(): "start-end perms offset dev inode ", padded to 73 columns
// before a name (seq_setwidth(25 + 6 * sizeof(void *) - 1) and seq_pad).
void vma_line(std::string& out, LAddr start, LAddr end, std::uint64_t flags, std::uint64_t offset,
              const std::string& name) {
  char buf[128];
  int n = std::snprintf(buf, sizeof buf, "%08llx-%08llx %c%c%c%c %08llx 00:00 0 ",
                        static_cast<unsigned long long>(start),
                        static_cast<unsigned long long>(end), flags & VM_READ ? 'r' : '-',
                        flags & VM_WRITE ? 'w' : '-', flags & VM_EXEC ? 'x' : '-',
                        flags & VM_MAYSHARE ? 's' : 'p', static_cast<unsigned long long>(offset));
  out.append(buf, static_cast<std::size_t>(n));
  if (!name.empty()) {
    if (n < 73) out.append(static_cast<std::size_t>(73 - n), ' ');
    out += name;
  }
  out += '\n';
}

// The name show_map_vma gives v: its file, or [heap] / [stack].
std::string vma_name(Kernel& k, LAddr m, LAddr v) {
  Guest& g = k.mem;
  if (g.get(v, vma::vm_file)) return vma_file_path(k, v);
  const LAddr s = g.get(v, vma::vm_start), e = g.get(v, vma::vm_end);
  const LAddr start_brk = g.get(m, mm::start_brk), brk = g.get(m, mm::brk);
  if (start_brk && s <= brk && e >= start_brk) return "[heap]";
  const LAddr stack = g.get(m, mm::start_stack);
  if (stack && s <= stack && e >= stack) return "[stack]";
  return "";
}

}  // namespace

std::string proc_pid_maps(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  const LAddr m = k.mem.get(t, task::mm);
  std::string out;
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    const bool file = k.mem.get(v, vma::vm_file) != 0;
    vma_line(out, k.mem.get(v, vma::vm_start), k.mem.get(v, vma::vm_end),
             k.mem.get(v, vma::vm_flags), file ? k.mem.get(v, vma::vm_pgoff) << PAGE_SHIFT : 0,
             vma_name(k, m, v));
  }
  return out;
}

std::string proc_pid_smaps_rollup(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  const LAddr m = k.mem.get(t, task::mm);
  // struct mem_size_stats, in pages: every page is private (no fork, no sharing).
  std::uint64_t rss = 0, dirty = 0, referenced = 0, anon = 0, file = 0, anon_thp = 0;
  std::uint64_t hugetlb_kb = 0;
  LAddr first = 0, last_end = 0;
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    const LAddr s = k.mem.get(v, vma::vm_start), e = k.mem.get(v, vma::vm_end);
    if (!first) first = s;
    last_end = e;
    const bool is_file = k.mem.get(v, vma::vm_file) != 0;
    if (k.mem.get(v, vma::vm_hpage_shift)) {  // hugetlb: not in Rss (smaps_hugetlb_range)
      hugetlb_kb += hugetlb_mapped_bytes(k, m, v) >> 10;
      continue;
    }
    walk_present_ptes(k, m, s, e, [&](LAddr, std::uint64_t p, unsigned level) {
      const std::uint64_t pages = level == 2 ? 512 : 1;
      rss += pages;
      if (p & pte::D) dirty += pages;
      if (p & pte::A) referenced += pages;
      (is_file ? file : anon) += pages;
      if (level == 2) anon_thp += pages;
    });
  }
  std::string out;
  if (!first) return out;  // no VMA: the file is empty
  vma_line(out, first, last_end, 0, 0, "[rollup]");
  struct {
    const char* label;
    std::uint64_t pages;
  } rows[] = {{"Rss:", rss},
              {"Pss:", rss},
              {"Pss_Dirty:", dirty},
              {"Pss_Anon:", anon},
              {"Pss_File:", file},
              {"Pss_Shmem:", 0},
              {"Shared_Clean:", 0},
              {"Shared_Dirty:", 0},
              {"Private_Clean:", rss - dirty},
              {"Private_Dirty:", dirty},
              {"Referenced:", referenced},
              {"Anonymous:", anon},
              {"KSM:", 0},
              {"LazyFree:", 0},
              {"AnonHugePages:", anon_thp},
              {"ShmemPmdMapped:", 0},
              {"FilePmdMapped:", 0},
              {"Shared_Hugetlb:", 0},
              {"Private_Hugetlb:", 0},
              {"Swap:", 0},
              {"SwapPss:", 0},
              {"Locked:", 0}};
  char buf[64];
  for (auto& row : rows)
    if (std::string_view(row.label) == "Private_Hugetlb:") row.pages = hugetlb_kb / 4;
  for (const auto& row : rows) {
    std::snprintf(buf, sizeof buf, "%-16s%8llu kB\n", row.label,
                  static_cast<unsigned long long>(row.pages * 4));
    out += buf;
  }
  return out;
}

}  // namespace mmvp::sw
