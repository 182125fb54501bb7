// The CPU core: a TLM-2.0 initiator running software (the guest kernel) in its
// SC_THREAD. Software sees it only through CpuPort. Every access is translated by the
// MMU (whose page walker reads memory through this core's socket), then performed on
// the bus: by b_transport in lock-step mode (quantum 0), or through DMI pointers with
// temporal decoupling (tlm_quantumkeeper) in fast mode.
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

#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/cpu/cpu_port.h"
#include "hw/mmu/mmu.h"
#include "hw/probe/vcd_writer.h"

namespace mmvp {

struct CpuConfig {
  Picos cycle = 333;        // clock period (cpu.freq_mhz)
  Picos quantum = 1000000;  // temporal-decoupling quantum; 0 = lock-step
  unsigned maxphyaddr = 46;
  unsigned max_fault_retries = 16;  // the same access faulting more often halts the core

  static CpuConfig from_params(const Params& p);
};

struct CpuStats {
  std::uint64_t loads = 0, stores = 0, fetches = 0;  // accesses after page splitting
  std::uint64_t page_splits = 0;                     // accesses straddling a 4 KB page
  std::uint64_t page_faults = 0, gp_faults = 0, machine_checks = 0;
  std::uint64_t irqs = 0;
  std::uint64_t cr3_writes = 0;
  std::uint64_t io_accesses = 0;
  std::uint64_t dmi_accesses = 0, bus_accesses = 0;
  std::uint64_t syncs = 0;
  std::uint64_t charged_cycles = 0;
};

class CpuCore : public sc_core::sc_module,
                public CpuPort,
                private PhysMemPort,
                private MmuObserver {
 public:
  tlm_utils::simple_initiator_socket<CpuCore> mem_socket;
  tlm_utils::simple_initiator_socket<CpuCore> io_socket;

  using Program = std::function<void(CpuPort&)>;

  SC_HAS_PROCESS(CpuCore);
  CpuCore(sc_core::sc_module_name name, const CpuConfig& cfg, const MmuConfig& mmu_cfg);

  void set_program(Program p) { program_ = std::move(p); }
  // Interrupt request from a device (any SystemC process); delivered at the core's
  // next instruction boundary while RFLAGS.IF = 1.
  void raise_irq(unsigned vector);

  void attach_vcd(VcdWriter& vcd);
  void report(StatsReport& r, const std::string& prefix) const;
  const Mmu& mmu() const { return mmu_; }
  const CpuStats& stats() const { return stats_; }
  // The program's failure (CpuHalt, InputError, ...) if it ended by an exception.
  std::exception_ptr error() const { return error_; }
  bool finished() const { return finished_; }
  // Simulated time when the program ended, or now while it runs (including time not
  // yet synchronised).
  Picos end_time() const { return finished_ ? end_time_ : now_ps(); }
  Picos now() const { return now_ps(); }

  // CpuPort
  std::uint64_t load(LAddr la, unsigned size) override;
  void store(LAddr la, unsigned size, std::uint64_t value) override;
  void touch(LAddr la, unsigned size, AccessKind kind) override;
  std::uint64_t read_cr(unsigned n) override;
  void write_cr(unsigned n, std::uint64_t value) override;
  std::uint64_t rdmsr(std::uint32_t index) override;
  void wrmsr(std::uint32_t index, std::uint64_t value) override;
  void invlpg(LAddr la) override;
  std::uint32_t in(std::uint16_t port, unsigned size) override;
  void out(std::uint16_t port, unsigned size, std::uint32_t value) override;
  void charge(std::uint64_t cycles) override;
  std::uint64_t cycles() const override;
  unsigned cpl() const override { return ctx_.cpl; }
  void set_cpl(unsigned cpl) override;
  void set_ac(bool ac) override { ctx_.ac = ac; }
  void set_if(bool enabled) override;
  void set_exception_handler(unsigned vector, ExceptionHandler h) override;
  void set_irq_handler(unsigned vector, IrqHandler h) override;
  void mark_routine(std::uint32_t id) override;
  void reset_stats() override;

  // Called by reset_stats() to zero the statistics of the rest of the platform.
  void set_reset_stats_hook(std::function<void()> hook) { reset_hook_ = std::move(hook); }
  // Simulated time of the last statistics reset.
  Picos stats_epoch() const { return epoch_; }

 private:
  void run();
  // Translation with fault delivery: returns the physical address once the access
  // no longer faults.
  PAddr translate(LAddr la, AccessKind k);
  void deliver_exception(const ExceptionInfo& info);
  void access_physical(PAddr pa, void* data, unsigned size, bool write);
  bool bus_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  void machine_check(PAddr pa, const char* what);
  void advance(Picos t) {
    local_ += t;
    if (local_ >= quantum_) sync();
  }
  void sync();
  void check_irqs() {
    if (irq_pending_ && if_) deliver_irqs();
  }
  void deliver_irqs();
  void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
  Picos now_ps() const;

  // PhysMemPort (the page walker)
  bool read_pte(PAddr pa, std::uint64_t& value, Picos& latency) override;
  bool write_pte(PAddr pa, std::uint64_t value, Picos& latency) override;
  // MmuObserver (waveforms)
  void tlb_result(TlbLevel level, bool hit, Picos offset) override;
  void walk_level(unsigned level, Picos offset) override;

  CpuConfig cfg_;
  Mmu mmu_;
  PagingContext ctx_;
  std::uint64_t cr2_ = 0;
  bool if_ = false;
  Program program_;
  std::exception_ptr error_;
  bool finished_ = false;
  Picos end_time_ = 0;

  // Time: local_ is how far this core runs ahead of sc_time_stamp().
  tlm_utils::tlm_quantumkeeper qk_;
  Picos local_ = 0;
  Picos quantum_ = 0;      // local_ at or above this synchronises (0: after every access)
  Picos walk_offset_ = 0;  // time into the current translation (walker accesses)
  Picos translate_start_ = 0;

  tlm::tlm_generic_payload trans_;
  tlm::tlm_generic_payload io_trans_;

  // DMI pointers per 4 KB physical frame, direct-mapped.
  struct DmiEntry {
    std::uint64_t frame = ~0ULL;
    std::uint8_t* host = nullptr;  // start of the frame's storage
    bool writable = false;
  };
  static constexpr unsigned kDmiEntries = 4096;
  std::array<DmiEntry, kDmiEntries> dmi_{};
  bool use_dmi_ = false;
  Picos dmi_read_latency_ = 0, dmi_write_latency_ = 0;

  std::array<ExceptionHandler, 32> exception_handlers_{};
  std::array<IrqHandler, 256> irq_handlers_{};
  std::array<bool, 256> irq_lines_{};
  bool irq_pending_ = false;
  unsigned exception_depth_ = 0;

  CpuStats stats_;
  std::function<void()> reset_hook_;
  Picos epoch_ = 0;

  VcdWriter* vcd_ = nullptr;
  struct Signals {
    VcdWriter::Signal cr3, cpl, la, pa, access, fault, routine, irq;
    VcdWriter::Signal l1d_hit, l1d_miss, l1i_hit, l1i_miss, l2_hit, l2_miss, walk_active,
        walk_level;
  } sig_{};
  void probe_access(LAddr la, PAddr pa, AccessKind k, Picos start);
};

void declare_cpu_params(Params& p);

}  // namespace mmvp
