// The ISA DMA controllers as SystemC/TLM-2.0: a thin shell around IsaDma (i8237.h).
// - io_socket: a target on the I/O-port bus for 0x00-0x0F, 0x80-0x8F and 0xC0-0xDF
//   (the platform maps the three windows with offset = base, so it sees port numbers).
// - mem_socket: an initiator on the memory bus; one b_transport per byte (DMA1) or
//   word (DMA2) at the transfer's bus address, then dma.cycle_ns of bus time (S1-S4);
//   a request waits one DMA clock (dma.cycle_ns / 4, state S0) for the bus grant.
// - DREQ inputs from ISA devices (set_dreq) and their DACK/EOP (DmaPeer).
// - The ISA IRQ lines: devices drive them with set_isa_irq; a rising edge reaches the
//   core as vector 0x20 + line through the platform's IRQ sink.
// The controller thread is never temporally decoupled: its accesses carry the time it
// runs at, so in lock-step mode they interleave with the CPU's exactly.
#pragma once
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/dma/i8237.h"
#include "hw/probe/vcd_writer.h"

namespace mmvp {

// An ISA card's side of the DMA handshake.
class DmaPeer {
 public:
  virtual ~DmaPeer() = default;
  // DACK on `channel` for one cycle of kind `t`: a card on that channel supplies the
  // data (write-to-memory), takes it (read-from-memory) or just counts (verify), and
  // returns true; a card on another channel returns false.
  virtual bool dack(unsigned channel, DmaTransfer t, std::uint16_t& data) = 0;
  // EOP: the cycle just acknowledged was the terminal count.
  virtual void eop(unsigned channel) = 0;
};

struct I8237Config {
  // Defaults in declare_dma_params.
  Picos cycle = 0;       // bus time of one transfer (dma.cycle_ns)
  Picos io_latency = 0;  // one I/O-port access (dma.io_latency_ns)
  static I8237Config from_params(const Params& p);
};

class I8237Module : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<I8237Module> io_socket;
  tlm_utils::simple_initiator_socket<I8237Module> mem_socket;

  SC_HAS_PROCESS(I8237Module);
  I8237Module(sc_core::sc_module_name name, const I8237Config& cfg);

  // A card on the ISA bus (it sees every DACK and answers its own channel's).
  void attach(DmaPeer& peer) { peers_.push_back(&peer); }
  // DREQn from a card (any SystemC process).
  void set_dreq(unsigned channel, bool level);
  // The ISA IRQ lines (edge-triggered, as the PC's PIC is programmed).
  using IrqSink = std::function<void(unsigned vector)>;
  void set_irq_sink(IrqSink sink) { irq_sink_ = std::move(sink); }
  // Told of every memory access the controller makes (physical address, bytes, write)
  // before it goes out: the platform lets the CPU's caches snoop it (coherent DMA).
  using SnoopSink = std::function<void(std::uint64_t, unsigned, bool)>;
  void set_snoop_sink(SnoopSink sink) { snoop_sink_ = std::move(sink); }
  void set_isa_irq(unsigned line, bool level, Picos at);

  IsaDma& core() { return dma_; }
  const IsaDma& core() const { return dma_; }
  void attach_vcd(VcdWriter& vcd);
  void report(StatsReport& r, const std::string& prefix) const;
  void reset_stats();

 private:
  void run();
  bool cycle(unsigned channel);  // one DMA cycle; true at terminal count
  bool memory(std::uint32_t addr, unsigned width, bool write, std::uint16_t& data,
              sc_core::sc_time& delay);
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  void probe_channels(Picos at, unsigned first, unsigned last);

  I8237Config cfg_;
  IsaDma dma_;
  std::vector<DmaPeer*> peers_;
  SnoopSink snoop_sink_;
  IrqSink irq_sink_;
  std::uint16_t irq_lines_ = 0;
  sc_core::sc_event wake_;
  tlm::tlm_generic_payload trans_;

  struct Stats {
    std::uint64_t bytes = 0, transfers = 0, verify_cycles = 0, tc = 0, autoinit_reloads = 0;
    std::uint64_t bus_errors = 0, unclaimed_dacks = 0, io_reads = 0, io_writes = 0, io_errors = 0;
    std::uint64_t irqs = 0;
    std::array<std::uint64_t, 8> channel_bytes{};
  } stats_;

  VcdWriter* vcd_ = nullptr;
  struct ChannelSignals {
    VcdWriter::Signal address, count, active, tc;
  };
  std::array<ChannelSignals, 8> sig_{};
  VcdWriter::Signal sig_irq_ = 0;
};

}  // namespace mmvp
