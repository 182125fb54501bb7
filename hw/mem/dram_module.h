// The DRAM as a TLM-2.0 target: a thin SystemC shell around SparseMemory (contents)
// and DramTiming (bank/row timing). Supports b_transport with annotated delay, DMI
// (one 4 KB frame per grant, read-only on never-written frames) and debug transport.
#pragma once
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <systemc>
#include <tlm>
#include <unordered_set>
#include <vector>

#include "hw/common/stats.h"
#include "hw/mem/dram_timing.h"
#include "hw/mem/sparse_memory.h"
#include "hw/probe/vcd_writer.h"

namespace mmvp {

// Filled by the platform from mem.* (declare_platform_params has the defaults).
struct DramConfig {
  std::uint64_t capacity = 0;
  DramTimingConfig timing;
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const DramConfig& cfg);

  void attach_vcd(VcdWriter& vcd);
  void report(StatsReport& r, const std::string& prefix) const;

  SparseMemory& storage() { return mem_; }
  const DramTiming& timing() const { return timing_; }
  std::uint64_t address_errors() const { return address_errors_; }
  void reset_stats();

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  bool check(tlm::tlm_generic_payload& t);
  void probe(const DramTiming::Result& r, Picos start);
  std::uint8_t* writable_frame(std::uint64_t frame);

  DramConfig cfg_;
  SparseMemory mem_;
  DramTiming timing_;
  std::unordered_set<std::uint64_t> zero_dmi_frames_;  // frames granted read-only zero DMI
  std::uint64_t address_errors_ = 0;
  std::uint64_t dmi_grants_ = 0;
  std::uint64_t dmi_invalidations_ = 0;

  VcdWriter* vcd_ = nullptr;
  std::vector<VcdWriter::Signal> sig_bank_active_, sig_bank_row_;
};

}  // namespace mmvp
