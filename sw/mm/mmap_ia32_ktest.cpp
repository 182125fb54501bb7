// Self-tests of a 32-bit process under the 64-bit kernel (CONFIG_IA32_EMULATION): its
// system calls come through INT 0x80 with i386 numbers (do_int80_syscall_32), and its
// address space ends at IA32_PAGE_OFFSET with mmap_base 128 MB below it
// (arch_pick_mmap_layout's mmap_compat_base).
#include "sw/kernel/selftest.h"
#include "sw/kernel/syscall.h"
#include "sw/kernel/task.h"
#include "sw/mm/mmap.h"
#include "sw/mm/pgtable.h"
#include "sw/mm/vma.h"

namespace mmvp::sw {
namespace {

constexpr std::uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr std::uint64_t kRW = PROT_READ | PROT_WRITE;
constexpr std::uint64_t kNoFd32 = 0xffffffff;  // -1 in EDI

// INT 0x80 from CPL 3, as a 32-bit process makes a call.
std::int64_t int80(Kernel& k, std::uint64_t nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                   std::uint64_t a2 = 0, std::uint64_t a3 = 0, std::uint64_t a4 = 0,
                   std::uint64_t a5 = 0) {
  return user_syscall(k, true, nr, a0, a1, a2, a3, a4, a5);
}

struct Ia32Proc {
  Kernel& k;
  LAddr task, mm;
  explicit Ia32Proc(Kernel& kk) : k(kk), task(create_process(kk, "ia32", 0, ProcessAbi::i386)) {
    mm = k.mem.get(task, task::mm);
    switch_to(k, task);
  }
  ~Ia32Proc() { do_exit(k, task, 0); }
  LAddr vma_at(LAddr va) { return find_vma_intersection(k, mm, va, va + 1); }
};

std::int64_t e(int err) {
  return -static_cast<std::int64_t>(err);
}

}  // namespace

KTEST(ia32, address_space_ends_at_ia32_page_offset) {
  Ia32Proc p(t.k);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::task_size), IA32_PAGE_OFFSET);
  KEXPECT_EQ(t.k.mem.get(p.mm, mm::mmap_base), 0xf7ffe000ULL);
  // mmap2 without a hint: top-down from mmap_compat_base.
  const std::int64_t a = int80(t.k, sysno32::mmap2, 0, 2 * PAGE_SIZE, kRW, kAnon, kNoFd32, 0);
  KEXPECT_EQ(a, static_cast<std::int64_t>(0xf7ffe000ULL - 2 * PAGE_SIZE));
  // Nothing fits above 4 GB - 8 KB: a fixed mapping there, or one crossing it, fails.
  KEXPECT_EQ(
      int80(t.k, sysno32::mmap2, IA32_PAGE_OFFSET, PAGE_SIZE, kRW, kAnon | MAP_FIXED, kNoFd32, 0),
      e(ENOMEM));
  KEXPECT_EQ(int80(t.k, sysno32::mmap2, IA32_PAGE_OFFSET - PAGE_SIZE, 2 * PAGE_SIZE, kRW,
                   kAnon | MAP_FIXED, kNoFd32, 0),
             e(ENOMEM));
  // A hint above the address space is ignored, as get_unmapped_area does.
  const std::int64_t b =
      int80(t.k, sysno32::mmap2, 0x100000000ULL, PAGE_SIZE, kRW, kAnon, kNoFd32, 0);
  KEXPECT(b > 0 && static_cast<std::uint64_t>(b) < IA32_PAGE_OFFSET);
  // munmap and mprotect past the end are EINVAL/ENOMEM as on a 32-bit kernel.
  KEXPECT_EQ(int80(t.k, sysno32::munmap, IA32_PAGE_OFFSET, 2 * PAGE_SIZE), e(EINVAL));
  KEXPECT_EQ(int80(t.k, sysno32::munmap, static_cast<std::uint64_t>(a), 2 * PAGE_SIZE), 0);
}

KTEST(ia32, mmap2_takes_its_offset_in_pages) {
  Ia32Proc p(t.k);
  // A private file mapping at page offset 3 (no file is opened: mmvp keeps the path
  // only, and fd 3 stands for it).
  const std::int64_t a =
      int80(t.k, sysno32::mmap2, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 3, /*pgoff=*/3);
  KEXPECT(a > 0);
  if (a > 0) KEXPECT_EQ(t.k.mem.get(p.vma_at(static_cast<LAddr>(a)), vma::vm_pgoff), 3u);
}

KTEST(ia32, brk_and_the_ia32_numbers) {
  Ia32Proc p(t.k);
  // The loader's break, as the replay sets it (prctl is 172 in the ia32 table).
  KEXPECT_EQ(int80(t.k, sysno32::prctl, PR_SET_MM, 6 /* START_BRK */, 0x08100000), 0);
  KEXPECT_EQ(int80(t.k, sysno32::prctl, PR_SET_MM, 7 /* BRK */, 0x08100000), 0);
  KEXPECT_EQ(int80(t.k, sysno32::brk, 0x08102000), 0x08102000);
  // A break beyond the address space is refused: brk returns the old one.
  KEXPECT_EQ(int80(t.k, sysno32::brk, 0x100002000ULL), 0x08102000);
  // x86-64 numbers mean other calls here: 9 is link, not implemented.
  KEXPECT_EQ(int80(t.k, 9, 0, PAGE_SIZE, kRW, kAnon, kNoFd32, 0), e(ENOSYS));
  // The same 64-bit process's SYSCALL still reaches the 64-bit table.
  const std::int64_t pid = user_syscall(t.k, false, sysno::getpid);
  KEXPECT_EQ(pid, static_cast<std::int64_t>(task_pid(t.k, p.task)));
  KEXPECT_EQ(int80(t.k, sysno32::getpid), pid);
}

}  // namespace mmvp::sw
