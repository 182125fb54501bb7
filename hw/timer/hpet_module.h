// The HPET as a TLM-2.0 target: a thin SystemC shell around the Hpet core. It computes
// the counter at the transaction's time (sc_time_stamp() + the annotated delay), so
// it reads right under temporal decoupling, and answers errors instead of crashing:
// TLM_ADDRESS_ERROR_RESPONSE outside its 1 KB window, TLM_BYTE_ENABLE_ERROR_RESPONSE
// for byte enables, TLM_BURST_ERROR_RESPONSE for streaming or for an access other than
// an aligned 32- or 64-bit one. No DMI: every access is a register access.
#pragma once
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>

#include "hw/common/stats.h"
#include "hw/timer/hpet.h"

namespace mmvp {

class HpetModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<HpetModule> socket;

  HpetModule(sc_core::sc_module_name name, const HpetConfig& cfg);

  const Hpet& core() const { return hpet_; }
  void report(StatsReport& r, const std::string& prefix) const;
  void reset_stats();

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  bool check(tlm::tlm_generic_payload& t);

  HpetConfig cfg_;
  Hpet hpet_;
  std::uint64_t reads_ = 0;
  std::uint64_t writes_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace mmvp
