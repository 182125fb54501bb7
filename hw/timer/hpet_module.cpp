#include "hw/timer/hpet_module.h"

#include <cstring>

#include "hw/bus/target_checks.h"
#include "hw/common/sc_time.h"

namespace mmvp {

HpetModule::HpetModule(sc_core::sc_module_name name, const HpetConfig& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), hpet_(cfg.frequency_hz) {
  socket.register_b_transport(this, &HpetModule::b_transport);
  socket.register_transport_dbg(this, &HpetModule::transport_dbg);
}

bool HpetModule::check(tlm::tlm_generic_payload& t) {
  const bool length_ok =
      Hpet::valid_access(t.get_address(), static_cast<unsigned>(t.get_data_length()));
  t.set_response_status(simple_target_check(t, Hpet::kWindowBytes, length_ok));
  return t.is_response_ok();
}

void HpetModule::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  if (!check(t)) {
    ++errors_;
    return;
  }
  std::uint64_t a = t.get_address();
  unsigned n = t.get_data_length();
  Picos now = to_ps(sc_core::sc_time_stamp() + delay);
  std::uint64_t value = 0;
  if (t.is_read()) {
    hpet_.read(a, n, now, value);
    std::memcpy(t.get_data_ptr(), &value, n);  // little-endian host, like x86
    ++reads_;
  } else {
    std::memcpy(&value, t.get_data_ptr(), n);
    hpet_.write(a, n, value, now);
    ++writes_;
  }
  delay += ps_time(cfg_.access_latency);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned HpetModule::transport_dbg(tlm::tlm_generic_payload& t) {
  // Debug reads see the registers at the current time without side effects; debug
  // writes are ignored (a debugger must not start or stop the timer).
  std::uint64_t a = t.get_address();
  unsigned n = t.get_data_length();
  if (!t.is_read() || !Hpet::valid_access(a, n)) return 0;
  std::uint64_t value = 0;
  hpet_.read(a, n, to_ps(sc_core::sc_time_stamp()), value);
  std::memcpy(t.get_data_ptr(), &value, n);
  return n;
}

void HpetModule::reset_stats() {
  reads_ = writes_ = errors_ = 0;
}

void HpetModule::report(StatsReport& r, const std::string& prefix) const {
  r.add(prefix + ".reads", reads_, "register reads");
  r.add(prefix + ".writes", writes_, "register writes");
  r.add(prefix + ".errors", errors_, "accesses answered with a TLM error response");
  r.add(prefix + ".period_fs", hpet_.period_fs(), "main-counter period (COUNTER_CLK_PERIOD)");
}

}  // namespace mmvp
