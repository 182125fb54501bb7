// TlbRtlArray: the verilated RTL TLB (hw/rtl/tlb.sv) behind the interface of
// mmvp::TlbArray (hw/mmu/tlb.h), so it can stand in for an array of the C++ model
// (mmu.dtlb.l1_4k.impl = rtl) and be compared with it request by request.
//
// Every call is one RTL clock cycle (one request per cycle, docs/rtl.md):
//   - outside a running simulation (a testbench's sc_main, between sc_start calls),
//     a cycle is two sc_start(period / 2) calls, so simulated time advances by one
//     clock period per request and the RTL's VCD shows one request per cycle;
//   - inside an SC_THREAD of a running simulation (the platform's core thread), a cycle
//     is taken in delta cycles at the current time (wait(SC_ZERO_TIME)), so the
//     platform's timing, which already charges the TLB latency, does not change.
// Calling from an SC_METHOD is not possible (it cannot wait) and throws.
//
// The verilated model is a SystemC module: construct the wrapper during elaboration
// (before the first sc_start), at most one elaboration per process.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "hw/mmu/tlb.h"
#include "hw/probe/vcd_writer.h"

class VerilatedVcdC;
namespace mmvp {
class OutputFile;
}
class VerilatedVcdSc;

namespace mmvp::rtl {

struct TlbRtlSignals;
class TlbRtlModel;

class TlbRtlArray {
 public:
  // Throws ConfigError if cfg is invalid (as TlbArray does) or no verilated variant
  // matches (entries, ways, policy, sizes); the message lists the variants built.
  // period: the clock period (the core's clock).
  TlbRtlArray(const TlbArrayConfig& cfg,
              sc_core::sc_time period = sc_core::sc_time(1, sc_core::SC_NS));
  ~TlbRtlArray();
  TlbRtlArray(const TlbRtlArray&) = delete;
  TlbRtlArray& operator=(const TlbRtlArray&) = delete;

  // Whether a verilated variant exists for cfg; "" or the problem.
  static std::string variant_problem(const TlbArrayConfig& cfg);
  // The variants built, e.g. "16x4 lru sizes=1, ...".
  static std::string variant_list();

  // The TlbArray interface.
  const TlbArrayConfig& config() const { return cfg_; }
  unsigned sets() const { return sets_; }
  unsigned ways() const { return ways_; }
  bool holds(PageSize s) const { return (cfg_.sizes >> static_cast<unsigned>(s)) & 1u; }
  const Translation* lookup(LAddr la, PageSize size);
  bool insert(const Translation& t, Translation* victim = nullptr);
  void invalidate(LAddr la);
  void flush(bool keep_global);
  const TlbArrayStats& stats() const { return stats_; }
  void reset_stats() {
    stats_ = TlbArrayStats{};
    cycles_at_reset_ = cycles_;
  }
  void report(StatsReport& r, const std::string& prefix) const;
  // Read through the RTL's debug port (no clock edge; replacement state untouched).
  std::vector<TlbArray::WayState> set_state(unsigned set);

  // RTL clock cycles taken so far (including the reset cycle).
  std::uint64_t cycles() const { return cycles_; }
  // Call before constructing a wrapper whose RTL will be traced (Verilator needs it).
  static void enable_tracing();
  // Waveforms: the RTL's internal signals to a Verilator VCD at path, and the
  // wrapper's port signals to a SystemC VCD (path without ".vcd" + "_ports.vcd").
  // Only before the first request, outside a running simulation.
  void open_vcd(const std::string& path);
  void close_vcd();

  // Waveforms inside a running platform, where a cycle takes no simulated time: cycle
  // k is stamped at max(now(), end of cycle k-1), so each request appears at the
  // core's time of the access (a lookup and the fill after its walk one clock apart).
  // attach_probes records the ports in the platform's VCD under `scope`; open_timed_vcd
  // writes the RTL's internal signals (Verilator) with the same stamps to `path`
  // (through a temporary file renamed on close). Call before the first request.
  void attach_probes(VcdWriter& vcd, const std::string& scope, std::function<Picos()> now);
  void open_timed_vcd(const std::string& path);

  // Truncates a VPN to the RTL's stored width and back (sign extension from the top
  // stored bit, as for canonical addresses); see docs/rtl.md.
  static constexpr unsigned kVpnBits = 45;
  static constexpr unsigned kPfnBits = 40;
  static std::uint64_t stored_vpn(std::uint64_t vpn);
  static std::uint64_t full_vpn(std::uint64_t stored, PageSize size);

 private:
  void cycle();       // one clock cycle with the inputs as set
  void half_cycle();  // advances half a period (or a few delta cycles)
  void ensure_reset();
  void settle();       // lets combinational outputs follow the inputs
  void idle_inputs();  // every valid low
  Translation read_victim() const;
  void end_request();
  void start_timed_vcd();
  void close_timed_vcd();  // after a request's inputs are lowered (timed VCD: idle state)
  void record_probes(Picos rise);

  TlbArrayConfig cfg_;
  unsigned sets_ = 0, ways_ = 0;
  sc_core::sc_time half_;
  std::unique_ptr<TlbRtlSignals> sig_;
  std::unique_ptr<TlbRtlModel> model_;
  bool reset_done_ = false;
  std::uint64_t cycles_ = 0, cycles_at_reset_ = 0;
  Translation hit_;  // what lookup() returns a pointer to
  TlbArrayStats stats_;
  std::unique_ptr<VerilatedVcdSc> vcd_;
  sc_core::sc_trace_file* ports_vcd_ = nullptr;

  // Platform waveforms (attach_probes, open_timed_vcd).
  std::function<Picos()> now_;
  Picos period_ps_ = 0, cycle_start_ = 0, next_free_ = 0;
  VcdWriter* probe_vcd_ = nullptr;
  struct ProbeSignals {
    VcdWriter::Signal lookup_valid, lookup_vpn, lookup_size, resp_valid, resp_hit, resp_pfn;
    VcdWriter::Signal fill_valid, fill_vpn, fill_size, fill_pfn, victim_valid, victim_vpn;
    VcdWriter::Signal invalidate_valid, invalidate_addr, flush_valid, flush_keep_global;
    VcdWriter::Signal dropped;
  } probe_{};
  std::unique_ptr<VerilatedVcdC> timed_vcd_;
  std::string timed_vcd_path_;
  std::unique_ptr<OutputFile> timed_out_;
  bool timed_idle_pending_ = false;
};

}  // namespace mmvp::rtl
