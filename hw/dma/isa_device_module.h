// The ISA pattern card as SystemC/TLM-2.0: a thin shell around IsaPatternDevice.
// - io_socket: a target on the I/O-port bus for 0x300-0x307 (mapped with offset 0, so
//   it sees register offsets 0-7).
// - Paced by dma.device_bytes_per_s: while a transfer runs, its thread raises DREQ on
//   the card's channel once per byte (8-bit channel) or word (16-bit, two byte-times),
//   at absolute times start + k * period, and drops it on DACK.
// - On EOP (terminal count) it drives its ISA IRQ line through the DMA controller's
//   ISA bus (I8237Module::set_isa_irq), which reaches the core as vector 0x20 + line;
//   a STATUS read or a CMD write drops the line.
#pragma once
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>

#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/dma/i8237_module.h"
#include "hw/dma/isa_pattern_device.h"
#include "hw/probe/vcd_writer.h"

namespace mmvp {

struct IsaDeviceConfig {
  // Defaults in declare_dma_params.
  Picos byte_time = 0;   // 1 / dma.device_bytes_per_s
  Picos io_latency = 0;  // dma.io_latency_ns
  static IsaDeviceConfig from_params(const Params& p);
};

class IsaDeviceModule : public sc_core::sc_module, public DmaPeer {
 public:
  static constexpr std::uint16_t kBasePort = 0x300;
  tlm_utils::simple_target_socket<IsaDeviceModule> io_socket;

  SC_HAS_PROCESS(IsaDeviceModule);
  IsaDeviceModule(sc_core::sc_module_name name, const IsaDeviceConfig& cfg);

  // Plugs the card into the ISA bus the controller drives (call during elaboration).
  void connect(I8237Module& dma);

  const IsaPatternDevice& core() const { return dev_; }
  void attach_vcd(VcdWriter& vcd);
  void report(StatsReport& r, const std::string& prefix) const;
  void reset_stats();

  // DmaPeer
  bool dack(unsigned channel, DmaTransfer t, std::uint16_t& data) override;
  void eop(unsigned channel) override;

 private:
  void run();
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  void drop_dreq();
  void update_irq(Picos at);

  IsaDeviceConfig cfg_;
  IsaPatternDevice dev_;
  I8237Module* dma_ = nullptr;
  sc_core::sc_event start_ev_, dack_ev_;
  std::uint64_t generation_ = 0;  // bumped by every CMD write
  Picos start_time_ = 0;          // when the current command took effect
  int dreq_channel_ = -1;         // the channel DREQ is raised on, -1: none
  int irq_line_driven_ = -1;      // the ISA line we hold high, -1: none

  struct Stats {
    std::uint64_t bytes = 0, pattern_errors = 0, completions = 0, dreqs = 0;
    std::uint64_t io_errors = 0;
  } stats_;
  std::uint64_t protocol_base_ = 0;  // core protocol-error count at the last reset

  VcdWriter* vcd_ = nullptr;
  VcdWriter::Signal sig_busy_ = 0, sig_dreq_ = 0;
};

}  // namespace mmvp
