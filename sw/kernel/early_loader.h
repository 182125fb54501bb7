// The minimal loader that stands in for the guest kernel while the platform is
// brought up: it reads the e820 map the firmware left in memory, builds the direct
// map at PAGE_OFFSET with the largest pages that fit, enables 4-level paging with
// PGE/SMEP/SMAP/NXE/WP, and maps user pages on first touch from its #PF handler,
// from a bump allocator over usable RAM. All of its state lives in guest memory (a
// loader-state page), reached through the CPU core.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sw/arch/x86.h"

namespace mmvp::sw {

// The user process did something the kernel ends it for (a protection violation, an
// access to kernel space); the message says what, like a segfault report.
struct ProcessKilled : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Physical memory ran out.
struct OutOfMemory : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class EarlyLoader {
 public:
  explicit EarlyLoader(Cpu& cpu) : cpu_(cpu) {}

  // Runs with paging off, as firmware leaves the core; returns with paging on and the
  // #PF handler installed.
  void boot();

  // Maps one user page (4 KB, present, writable, user) at va to a fresh frame.
  void map_user_page(LAddr va);
  // A new address space: a fresh PML4 whose kernel half (entries 256-511) is the
  // kernel's, as every Linux process's page tables share the kernel mappings.
  PAddr new_address_space();
  // Loads CR3 (the TLBs drop every non-global entry).
  void switch_to(PAddr pml4) { cpu_.write_cr(3, pml4); }
  PAddr current_address_space() { return cpu_.read_cr(3) & pte::ADDR_MASK; }

  // Flushes every TLB entry, global ones included (toggles CR4.PGE, as Linux's
  // __native_flush_tlb_global does).
  void flush_tlb_all();

  std::uint64_t frames_used();
  std::uint64_t ram_bytes();
  PAddr kernel_pml4() { return state(kPml4); }

 private:
  // Loader-state page fields (u64 each).
  enum Field : unsigned {
    kPml4 = 0,
    kNextFrame,
    kRegionEnd,
    kRegionIndex,
    kFramesUsed,
    kRamBytes,
    kPagingOn
  };
  static constexpr PAddr kStatePage = 0x8000;

  std::uint64_t state(Field f);
  void set_state(Field f, std::uint64_t v);
  LAddr phys_to_virt(PAddr pa);
  std::uint64_t read_phys(PAddr pa);
  void write_phys(PAddr pa, std::uint64_t v);
  PAddr alloc_frame();
  bool next_region();
  // Entry slot for va at `level` (1 = PTE), allocating tables on the way down.
  PAddr table_slot(LAddr va, unsigned level);
  void map_range(LAddr va, PAddr pa, std::uint64_t size, std::uint64_t flags);
  void on_page_fault(const ExceptionInfo& info);

  Cpu& cpu_;
};

}  // namespace mmvp::sw
