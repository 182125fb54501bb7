#include "hw/mem/dram_module.h"

#include <algorithm>
#include <cstring>

#include "hw/bus/target_checks.h"
#include "hw/common/debug.h"
#include "hw/common/sc_time.h"

namespace mmvp {

Dram::Dram(sc_core::sc_module_name name, const DramConfig& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), mem_(cfg.capacity), timing_(cfg.timing) {
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
}

bool Dram::check(tlm::tlm_generic_payload& t) {
  const tlm::tlm_response_status s = simple_target_check(t, cfg_.capacity);
  if (s == tlm::TLM_ADDRESS_ERROR_RESPONSE) ++address_errors_;
  t.set_response_status(s);
  return s == tlm::TLM_OK_RESPONSE;
}

std::uint8_t* Dram::writable_frame(std::uint64_t frame) {
  if (!zero_dmi_frames_.empty() && zero_dmi_frames_.erase(frame)) {
    // Initiators hold a read-only pointer to the shared zero frame: make them drop it
    // before the frame gets storage of its own.
    ++dmi_invalidations_;
    std::uint64_t base = frame << SparseMemory::kFrameShift;
    socket->invalidate_direct_mem_ptr(base, base + SparseMemory::kFrameBytes - 1);
  }
  return mem_.frame_for_write(frame);
}

void Dram::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  if (!check(t)) return;
  std::uint64_t a = t.get_address();
  unsigned n = t.get_data_length();
  if (t.is_read()) {
    mem_.read(a, t.get_data_ptr(), n);
  } else {
    std::uint64_t first = a >> SparseMemory::kFrameShift;
    std::uint64_t last = (a + n - 1) >> SparseMemory::kFrameShift;
    for (std::uint64_t f = first; f <= last; ++f) writable_frame(f);
    mem_.write(a, t.get_data_ptr(), n);
  }
  Picos now = to_ps(sc_core::sc_time_stamp() + delay);
  DramTiming::Result r = timing_.access(a, n, t.is_write(), now);
  if (vcd_) probe(r, now);
  DPRINTF_AT(Dram, now, name(), "{} {} B at {:#x}: bank {} row {:#x} {}, {} ps",
             t.is_write() ? "write" : "read", n, a, r.bank, r.row,
             r.outcome == RowOutcome::hit    ? "row hit"
             : r.outcome == RowOutcome::miss ? "row miss"
                                             : "row conflict",
             r.latency);
  delay += ps_time(r.latency);
  t.set_dmi_allowed(true);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Dram::transport_dbg(tlm::tlm_generic_payload& t) {
  std::uint64_t a = t.get_address();
  if (a >= cfg_.capacity) return 0;
  unsigned n =
      static_cast<unsigned>(std::min<std::uint64_t>(t.get_data_length(), cfg_.capacity - a));
  if (t.is_read()) {
    mem_.read(a, t.get_data_ptr(), n);
  } else if (t.is_write()) {
    mem_.write(a, t.get_data_ptr(), n);
  }
  return n;
}

bool Dram::get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
  std::uint64_t a = t.get_address();
  if (a >= cfg_.capacity) return false;
  std::uint64_t frame = a >> SparseMemory::kFrameShift;
  std::uint64_t base = frame << SparseMemory::kFrameShift;
  dmi.set_start_address(base);
  dmi.set_end_address(std::min(base + SparseMemory::kFrameBytes, cfg_.capacity) - 1);
  // DMI moves values only: initiators time their accesses themselves (caches), so the
  // grant's latencies stay zero.
  ++dmi_grants_;
  if (t.is_write() || mem_.allocated(frame)) {
    dmi.set_dmi_ptr(writable_frame(frame));
    dmi.allow_read_write();
  } else {
    // Never written: read-only view of zeros; no host memory spent on it.
    dmi.set_dmi_ptr(const_cast<std::uint8_t*>(mem_.frame_for_read(frame)));
    dmi.allow_read();
    zero_dmi_frames_.insert(frame);
  }
  return true;
}

void Dram::attach_vcd(VcdWriter& vcd) {
  vcd_ = &vcd;
  for (unsigned b = 0; b < timing_.config().banks; ++b) {
    const std::string bank = "bank" + std::to_string(b);
    sig_bank_active_.push_back(vcd.add(name(), bank + "_active", 1));
    // Open row + 1; 0 while the bank is precharged.
    sig_bank_row_.push_back(vcd.add(name(), bank + "_open_row", 32));
  }
}

void Dram::probe(const DramTiming::Result& r, Picos start) {
  vcd_->change(sig_bank_active_[r.bank], 1, start);
  vcd_->change(sig_bank_row_[r.bank], r.row + 1, start);
  vcd_->change(sig_bank_active_[r.bank], 0, start + r.latency);
}

void Dram::reset_stats() {
  timing_.reset_stats();
  address_errors_ = dmi_grants_ = dmi_invalidations_ = 0;
}

void Dram::report(StatsReport& r, const std::string& prefix) const {
  timing_.report(r, prefix);
  r.add(prefix + ".capacity_bytes", cfg_.capacity, "installed DRAM");
  r.add(prefix + ".frames_allocated", mem_.frames_allocated(),
        "4 KB frames with host storage (written at least once)");
  r.add(prefix + ".host_bytes", mem_.host_bytes(), "host memory holding guest DRAM contents");
  r.add(prefix + ".dmi_grants", dmi_grants_, "DMI pointers granted (one 4 KB frame each)");
  r.add(prefix + ".dmi_invalidations", dmi_invalidations_,
        "read-only zero-frame DMI grants revoked on first write");
  r.add(prefix + ".address_errors", address_errors_,
        "accesses outside installed DRAM (TLM_ADDRESS_ERROR_RESPONSE)");
}

}  // namespace mmvp
