// /proc/PID/maps, smaps and smaps_rollup (fs/proc/task_mmu.c: show_map_vma, show_smap,
// show_smaps_rollup), read from the task's VMAs and page tables in guest memory.
// Device and inode are 00:00 0 for every mapping: mmvp has no file system (a file
// VMA shows its path and offset).
#include <algorithm>
#include <cstdio>

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

// put_kb: "Label:" padded to 16 columns, the value in 8, " kB" (SEQ_PUT_DEC).
void put_kb(std::string& out, const char* label, std::uint64_t kb) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-16s%8llu kB\n", label, static_cast<unsigned long long>(kb));
  out += buf;
}

// struct mem_size_stats, in pages: every page is private (no fork, no sharing).
struct MemSizeStats {
  std::uint64_t rss = 0, dirty = 0, referenced = 0, anon = 0, file = 0, anon_thp = 0;
  std::uint64_t hugetlb_kb = 0;
  MemSizeStats& operator+=(const MemSizeStats& o) {
    rss += o.rss;
    dirty += o.dirty;
    referenced += o.referenced;
    anon += o.anon;
    file += o.file;
    anon_thp += o.anon_thp;
    hugetlb_kb += o.hugetlb_kb;
    return *this;
  }
};

// smap_gather_stats(): the present pages of v from its page tables.
MemSizeStats smaps_account(Kernel& k, LAddr m, LAddr v) {
  MemSizeStats st;
  if (k.mem.get(v, vma::vm_hpage_shift)) {  // hugetlb: not in Rss (smaps_hugetlb_range)
    st.hugetlb_kb = hugetlb_mapped_bytes(k, m, v) >> 10;
    return st;
  }
  const bool is_file = k.mem.get(v, vma::vm_file) != 0;
  walk_present_ptes(k, m, k.mem.get(v, vma::vm_start), k.mem.get(v, vma::vm_end),
                    [&](LAddr, std::uint64_t p, unsigned level) {
                      const std::uint64_t pages = level == 2 ? 512 : 1;
                      st.rss += pages;
                      if (p & pte::D) st.dirty += pages;
                      if (p & pte::A) st.referenced += pages;
                      (is_file ? st.file : st.anon) += pages;
                      if (level == 2) st.anon_thp += pages;
                    });
  return st;
}

// __show_smap(): the counts, in kB; the rollup adds Pss_Anon, Pss_File, Pss_Shmem.
void show_smap_counts(std::string& out, const MemSizeStats& st, bool rollup) {
  auto kb = [](std::uint64_t pages) { return pages * (PAGE_SIZE >> 10); };
  put_kb(out, "Rss:", kb(st.rss));
  put_kb(out, "Pss:", kb(st.rss));
  put_kb(out, "Pss_Dirty:", kb(st.dirty));
  if (rollup) {
    put_kb(out, "Pss_Anon:", kb(st.anon));
    put_kb(out, "Pss_File:", kb(st.file));
    put_kb(out, "Pss_Shmem:", 0);
  }
  put_kb(out, "Shared_Clean:", 0);
  put_kb(out, "Shared_Dirty:", 0);
  put_kb(out, "Private_Clean:", kb(st.rss - st.dirty));
  put_kb(out, "Private_Dirty:", kb(st.dirty));
  put_kb(out, "Referenced:", kb(st.referenced));
  put_kb(out, "Anonymous:", kb(st.anon));
  put_kb(out, "KSM:", 0);
  put_kb(out, "LazyFree:", 0);
  put_kb(out, "AnonHugePages:", kb(st.anon_thp));
  put_kb(out, "ShmemPmdMapped:", 0);
  put_kb(out, "FilePmdMapped:", 0);
  put_kb(out, "Shared_Hugetlb:", 0);
  put_kb(out, "Private_Hugetlb:", st.hugetlb_kb);
  put_kb(out, "Swap:", 0);
  put_kb(out, "SwapPss:", 0);
  put_kb(out, "Locked:", 0);
}

// show_smap_vma_flags(): two letters per flag, each followed by a space.
std::string vm_flags_mnemonics(std::uint64_t flags) {
  static const struct {
    std::uint64_t flag;
    const char* name;
  } kNames[] = {{VM_READ, "rd"},      {VM_WRITE, "wr"},    {VM_EXEC, "ex"},    {VM_SHARED, "sh"},
                {VM_MAYREAD, "mr"},   {VM_MAYWRITE, "mw"}, {VM_MAYEXEC, "me"}, {VM_MAYSHARE, "ms"},
                {VM_GROWSDOWN, "gd"}, {VM_ACCOUNT, "ac"},  {VM_HUGETLB, "ht"}, {VM_HUGEPAGE, "hg"},
                {VM_NOHUGEPAGE, "nh"}};
  std::string s;
  for (const auto& n : kNames)
    if (flags & n.flag) s += std::string(n.name) + ' ';
  return s;
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
  MemSizeStats sum;
  LAddr first = 0, last_end = 0;
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    if (!first) first = k.mem.get(v, vma::vm_start);
    last_end = k.mem.get(v, vma::vm_end);
    sum += smaps_account(k, m, v);
  }
  std::string out;
  if (!first) return out;  // no VMA: the file is empty
  vma_line(out, first, last_end, 0, 0, "[rollup]");
  show_smap_counts(out, sum, true);
  return out;
}

std::string proc_pid_smaps(Kernel& k, LAddr t) {
  RoutineScope rs(k, Routine::proc_show);
  Guest& g = k.mem;
  const LAddr m = g.get(t, task::mm);
  std::string out;
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    const LAddr s = g.get(v, vma::vm_start), e = g.get(v, vma::vm_end);
    const std::uint64_t flags = g.get(v, vma::vm_flags);
    const bool file = g.get(v, vma::vm_file) != 0;
    vma_line(out, s, e, flags, file ? g.get(v, vma::vm_pgoff) << PAGE_SHIFT : 0, vma_name(k, m, v));
    const unsigned shift = g.get(v, vma::vm_hpage_shift);
    const std::uint64_t page_kb = (shift ? std::uint64_t{1} << shift : PAGE_SIZE) >> 10;
    put_kb(out, "Size:", (e - s) >> 10);
    put_kb(out, "KernelPageSize:", page_kb);
    put_kb(out, "MMUPageSize:", page_kb);
    show_smap_counts(out, smaps_account(k, m, v), false);
    // show_smap: thp_vma_allowable_orders with TVA_SMAPS, i.e. the last 2 MB-aligned
    // range of the VMA could take a huge page.
    const bool thp = !shift && e - s >= PMD_SIZE && thp_vma_allowable(k, v, e - PMD_SIZE);
    char buf[40];
    std::snprintf(buf, sizeof buf, "THPeligible:    %8u\n", thp ? 1u : 0u);
    out += buf;
    out += "VmFlags: ";
    out += vm_flags_mnemonics(flags);
    out += '\n';
  }
  return out;
}

MmCounters mm_counters(Kernel& k, LAddr m) {
  Guest& g = k.mem;
  MmCounters c;
  c.total_vm = g.get(m, mm::total_vm);
  c.hiwater_vm = std::max(c.total_vm, g.get(m, mm::hiwater_vm));
  c.hiwater_rss = g.get(m, mm::hiwater_rss);
  c.pgtables = g.get(m, mm::pgtables);
  for (LAddr v = first_vma(k, m); v; v = vma_next(k, m, v)) {
    const std::uint64_t pages = (g.get(v, vma::vm_end) - g.get(v, vma::vm_start)) >> PAGE_SHIFT;
    const std::uint64_t flags = g.get(v, vma::vm_flags);
    const MemSizeStats st = smaps_account(k, m, v);
    c.rss_anon += st.anon;
    c.rss_file += st.file;
    c.hugetlb_kb += st.hugetlb_kb;
    // vm_stat_account(): exec_vm, stack_vm, data_vm (is_exec_mapping, is_stack_mapping,
    // is_data_mapping).
    if ((flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) == VM_EXEC)
      (g.get(v, vma::vm_file) ? c.lib_vm : c.exe_vm) += pages;
    else if (flags & VM_GROWSDOWN)
      c.stack_vm += pages;
    else if ((flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) == VM_WRITE)
      c.data_vm += pages;
  }
  c.rss = c.rss_anon + c.rss_file;
  c.hiwater_rss = std::max(c.hiwater_rss, c.rss);
  return c;
}

}  // namespace mmvp::sw
