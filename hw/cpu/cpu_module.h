// The CPU core as a TLM-2.0 initiator: the SystemC shell around the pure parts (the
// architectural state X86Arch, the Mmu, the CacheHierarchy, the DmiTable). It runs
// software (the guest kernel) in its SC_THREAD; software sees it only through CpuPort.
// The shell moves transactions and time. Every access is translated by the MMU, then
// timed by the cache hierarchy (the page walker's reads too); what misses the last
// level, and every write-back, is a b_transport of a line to memory. Values move
// through DMI pointers, so the caches hold no data and DMA stays coherent. Uncacheable
// accesses (PCD pages, device memory without DMI) are b_transports of their own size.
// The quantum (tlm_quantumkeeper) only decides how far the core runs ahead: 0 is
// lock-step, synchronising after every access.
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>

#include "hw/cache/cache_hierarchy.h"
#include "hw/common/stats.h"
#include "hw/cpu/cpu_config.h"
#include "hw/cpu/cpu_port.h"
#include "hw/cpu/cpu_probes.h"
#include "hw/cpu/cpu_stats.h"
#include "hw/cpu/dmi_table.h"
#include "hw/cpu/x86_arch.h"
#include "hw/mmu/mmu.h"

namespace mmvp {

class CpuCore : public sc_core::sc_module, public CpuPort, private PhysMemPort, private MemorySide {
 public:
  tlm_utils::simple_initiator_socket<CpuCore> mem_socket;
  tlm_utils::simple_initiator_socket<CpuCore> io_socket;

  using Program = std::function<void(CpuPort&)>;

  SC_HAS_PROCESS(CpuCore);
  CpuCore(sc_core::sc_module_name name, const CpuConfig& cfg, const MmuConfig& mmu_cfg,
          const CacheHierarchyConfig& cache_cfg);

  void set_program(Program p) { program_ = std::move(p); }
  // Interrupt request from a device (any SystemC process); delivered at the core's
  // next instruction boundary while RFLAGS.IF = 1.
  void raise_irq(unsigned vector) { arch_.raise_irq(vector); }
  // A device's read or write of physical memory (DMA): the caches are snooped, as x86
  // DMA is coherent.
  void snoop(PAddr pa, unsigned bytes, bool write) { caches_.snoop(pa, bytes, write, 0); }

  void attach_vcd(VcdWriter& vcd);
  void report(StatsReport& r, const std::string& prefix) const;
  const Mmu& mmu() const { return mmu_; }
  const CacheHierarchy& caches() const { return caches_; }
  const CpuStats& stats() const { return stats_; }
  // The program's failure (CpuHalt, InputError, ...) if it ended by an exception.
  std::exception_ptr error() const { return error_; }
  bool finished() const { return finished_; }
  // Simulated time when the program ended, or now while it runs (including time not
  // yet synchronised).
  Picos end_time() const { return finished_ ? end_time_ : now(); }
  Picos now() const;

  // CpuPort
  CpuidFeatures cpuid() const override;
  std::uint64_t load(LAddr la, unsigned size) override;
  void store(LAddr la, unsigned size, std::uint64_t value) override;
  void store_burst(LAddr la, const void* data, unsigned size) override;
  void touch(LAddr la, unsigned size, AccessKind kind, bool dependent) override;
  void retire(std::uint64_t n) override;
  void rep_stos(LAddr la, std::uint64_t value, unsigned width, std::uint64_t count) override;
  void rep_movs(LAddr dst, LAddr src, unsigned width, std::uint64_t count) override;
  std::uint64_t read_cr(unsigned n) override { return arch_.read_cr(n); }
  void write_cr(unsigned n, std::uint64_t value) override;
  std::uint64_t rdmsr(std::uint32_t index) override { return arch_.rdmsr(index); }
  void wrmsr(std::uint32_t index, std::uint64_t value) override {
    forget_functional_page();
    arch_.wrmsr(index, value);
  }
  void invlpg(LAddr la) override;
  void invpcid(unsigned type, std::uint64_t pcid, LAddr la) override;
  void wbinvd() override;
  std::uint32_t in(std::uint16_t port, unsigned size) override;
  void out(std::uint16_t port, unsigned size, std::uint32_t value) override;
  void charge(std::uint64_t cycles) override;
  std::uint64_t cycles() const override { return now() / cfg_.cycle; }
  unsigned cpl() const override { return arch_.cpl(); }
  void set_cpl(unsigned cpl) override;
  void set_ac(bool ac) override {
    forget_functional_page();
    arch_.set_ac(ac);
  }
  void set_if(bool enabled) override;
  void set_exception_handler(unsigned vector, ExceptionHandler h) override {
    arch_.set_exception_handler(vector, std::move(h));
  }
  void set_irq_handler(unsigned vector, IrqHandler h) override {
    arch_.set_irq_handler(vector, std::move(h));
  }
  void set_syscall_handler(SyscallHandler h) override { arch_.set_syscall_handler(std::move(h)); }
  std::int64_t syscall(const SyscallFrame& frame) override;
  void mark_milestone(Milestone m, std::uint64_t n) override {
    if (probes_) probes_->milestone(m, n, now());
  }
  void mark_routine(std::uint32_t id) override {
    if (probes_) probes_->routine(id, now());
  }
  void reset_stats() override;
  void set_fast_forward(bool on) override {
    forget_functional_page();
    fast_forward_ = on;
  }

  // Called by reset_stats() to zero the statistics of the rest of the platform.
  void set_reset_stats_hook(std::function<void()> hook) { reset_hook_ = std::move(hook); }
  // Simulated time of the last statistics reset.
  Picos stats_epoch() const { return epoch_; }

 private:
  void run();

  // Time: local_ is how far this core runs ahead of sc_time_stamp(); at or past the
  // quantum it synchronises (after every access in lock-step).
  void maybe_sync() {
    if (local_ >= quantum_ && local_ > 0) sync();
  }
  void sync();
  // What the core waits for an access of `latency` beyond the `hidden` part its
  // pipeline overlaps (counted as a memory stall).
  Picos stall_beyond(Picos latency, Picos hidden) {
    const Picos stall = latency > hidden ? latency - hidden : 0;
    stats_.memory_stall_picos += stall;
    return stall;
  }
  void check_irqs() {
    if (arch_.irq_deliverable()) deliver_irqs();
  }
  void deliver_irqs();

  // One access of at most a page's size (data null: a trace record without values).
  // Both pages of a straddling access are translated, and may fault, before any byte
  // moves (as x86 checks both before a store commits).
  // Inline in every caller: with a null `data` (touch) the copies fold away.
  __attribute__((always_inline)) inline void access(LAddr la, void* data, unsigned size,
                                                    AccessKind kind, bool dependent);
  // An access while fast-forwarding: translated (TLBs and walker as usual, the time
  // dropped), the value through DMI, no cache, no count, no time.
  __attribute__((noinline)) void functional_access(LAddr la, void* data, unsigned size,
                                                   AccessKind kind);
  // The host address of la's byte for a fast-forwarded access (halts on a fault or
  // memory without DMI).
  std::uint8_t* functional_host(LAddr la, AccessKind kind);
  // The page the last fast-forwarded access translated, and its host address: the next
  // access of the same kind to it needs no TLB lookup, since that page is the most
  // recently used entry of its TLB set and a hit would change nothing. Forgotten by
  // everything that may change a translation or a right (CR and MSR writes, INVLPG,
  // INVPCID, CPL and AC changes, exceptions, system calls, port I/O, DMI revocation).
  struct FunctionalPage {
    LAddr page = 1;  // never a page address: none
    AccessKind kind = AccessKind::read;
    std::uint8_t* host = nullptr;
  };
  FunctionalPage functional_page_;
  void forget_functional_page() { functional_page_.page = 1; }
  // REP STOS (movs false: `value` in elements of `width`) or REP MOVS from src, of
  // `bytes`, while fast-forwarding.
  void functional_string(LAddr dst, LAddr src, std::uint64_t value, unsigned width,
                         std::uint64_t bytes, bool movs);
  // Translation with fault delivery: the physical address once the access no longer
  // faults. The first attempt is inline (the hot path); a fault goes out of line to
  // translate_faulting, which delivers it and retries.
  __attribute__((always_inline)) inline TranslateResult translate(LAddr la, AccessKind k);
  __attribute__((always_inline)) inline TranslateResult translate_once(LAddr la, AccessKind k);
  __attribute__((noinline)) TranslateResult translate_faulting(LAddr la, AccessKind k,
                                                               TranslateResult r);
  // A string instruction's start: its counters and start-up cost; returns its bytes.
  std::uint64_t string_start(std::uint64_t count, unsigned width, bool loads);
  // translate() for code outside the hot path (the string instructions).
  TranslateResult translate_checked(LAddr la, AccessKind k);
  // A string's cost for the lines of [pa, pa + bytes) (one page's part): their
  // throughput, and each line's latency beyond a first-level hit as `who` sees it.
  Picos string_lines(PAddr pa, std::uint64_t bytes, bool write, bool throughput);
  // An element of a string on uncacheable memory: a transaction of its own.
  void string_element_on_bus(PAddr pa, void* data, unsigned width, bool write);
  void deliver_exception(const ExceptionInfo& info);
  void machine_check(PAddr pa, const char* what);
  // The timed, cached (or uncached) access to physical memory of one page's part of an
  // access; its latency. Moves the value if data is not null.
  Picos access_physical(PAddr pa, void* data, unsigned size, Requester who, bool write,
                        bool uncacheable, Picos at);
  // The host address of pa through a DMI grant for reading (or writing), asking the
  // target for one if needed; null for memory that grants none (devices).
  std::uint8_t* dmi_host(PAddr pa, bool write) {
    std::uint8_t* host = dmi_.find(pa, write);
    return host ? host : request_dmi(pa, write);
  }
  std::uint8_t* request_dmi(PAddr pa, bool write);
  // b_transport of t on `socket` at local time *at, which advances by the latency;
  // false on an error response.
  bool transport(tlm_utils::simple_initiator_socket<CpuCore>& socket, tlm::tlm_generic_payload& t,
                 tlm::tlm_command cmd, std::uint64_t address, void* data, unsigned size, Picos* at);
  std::uint32_t port_io(tlm::tlm_command cmd, std::uint16_t port, unsigned size,
                        std::uint32_t value);
  void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end) {
    forget_functional_page();
    dmi_.invalidate(start, end);
  }

  // PhysMemPort (the page walker): one 8-byte transaction each, timed from the start of
  // the current translation.
  bool read_pte(PAddr pa, std::uint64_t& value, Picos& latency) override {
    return walker_transport(tlm::TLM_READ_COMMAND, pa, value, latency);
  }
  bool write_pte(PAddr pa, std::uint64_t value, Picos& latency) override {
    return walker_transport(tlm::TLM_WRITE_COMMAND, pa, value, latency);
  }
  bool walker_transport(tlm::tlm_command cmd, PAddr pa, std::uint64_t& value, Picos& latency);
  // MemorySide (the cache hierarchy): line fills and write-backs as transactions.
  Picos read_line(PAddr pa, unsigned bytes, Picos at) override;
  Picos write_line(PAddr pa, unsigned bytes, Picos at) override;

  CpuConfig cfg_;
  Mmu mmu_;
  X86Arch arch_;
  CacheHierarchy caches_;
  DmiTable dmi_;
  Program program_;
  std::exception_ptr error_;
  bool finished_ = false;
  Picos end_time_ = 0;

  tlm_utils::tlm_quantumkeeper qk_;
  Picos local_ = 0;
  bool fast_forward_ = false;  // set_fast_forward
  Picos quantum_ = 0;
  Picos translate_start_ = 0;   // local_ when the current translation began
  Picos walk_offset_ = 0;       // time into the current translation (walker accesses)
  Picos instruction_time_ = 0;  // cpu.base_cpi cycles

  tlm::tlm_generic_payload trans_;
  tlm::tlm_generic_payload io_trans_;
  tlm::tlm_generic_payload line_trans_;
  // What a data-less access moves on the bus: zeros for a store, discarded for a load;
  // and the bytes of a line fill (discarded) or write-back (memory's own).
  std::array<std::uint8_t, 4096> bus_scratch_{};
  std::array<std::uint8_t, 4096> line_buf_{};

  CpuStats stats_;
  std::function<void()> reset_hook_;
  Picos epoch_ = 0;
  std::unique_ptr<CpuProbes> probes_;  // waveforms, when a VCD is attached
  unsigned cache_levels_present_ = 0;  // for the probes: bit i, CacheLevel i
};

}  // namespace mmvp
