// TlbRtlArray's waveforms inside a running platform (docs/rtl.md, "Waveforms"): the
// RTL steps in delta cycles there, so each cycle is stamped with the core's time.
#include <verilated.h>
#include <verilated_vcd_c.h>

#include <cstdio>
#include <stdexcept>

#include "hw/common/output_file.h"
#include "hw/rtl/tlb_rtl_model.h"
#include "hw/rtl/tlb_rtl_wrapper.h"

namespace mmvp::rtl {

void TlbRtlArray::attach_probes(VcdWriter& vcd, const std::string& scope,
                                std::function<Picos()> now) {
  if (cycles_ != 0) throw std::logic_error(cfg_.name + ": attach_probes after the first request");
  now_ = std::move(now);
  period_ps_ = static_cast<Picos>(half_.to_seconds() * 2e12 + 0.5);
  probe_vcd_ = &vcd;
  const std::string rtl = scope + ".rtl";
  const unsigned vpn = kVpnBits, pfn = kPfnBits;
  probe_.lookup_valid = vcd.add(rtl, "lookup_valid", 1);
  probe_.lookup_vpn = vcd.add(rtl, "lookup_vpn", vpn);
  probe_.lookup_size = vcd.add(rtl, "lookup_size", 2);
  probe_.resp_valid = vcd.add(rtl, "resp_valid", 1);
  probe_.resp_hit = vcd.add(rtl, "resp_hit", 1);
  probe_.resp_pfn = vcd.add(rtl, "resp_pfn", pfn);
  probe_.fill_valid = vcd.add(rtl, "fill_valid", 1);
  probe_.fill_vpn = vcd.add(rtl, "fill_vpn", vpn);
  probe_.fill_size = vcd.add(rtl, "fill_size", 2);
  probe_.fill_pfn = vcd.add(rtl, "fill_pfn", pfn);
  probe_.victim_valid = vcd.add(rtl, "victim_valid", 1);
  probe_.victim_vpn = vcd.add(rtl, "victim_vpn", vpn);
  probe_.invalidate_valid = vcd.add(rtl, "invalidate_valid", 1);
  probe_.invalidate_addr = vcd.add(rtl, "invalidate_addr", 64);
  probe_.flush_valid = vcd.add(rtl, "flush_valid", 1);
  probe_.flush_keep_global = vcd.add(rtl, "flush_keep_global", 1);
  probe_.dropped = vcd.add(rtl, "dropped", 16);
}

// Called after the rising edge: the request's inputs are still driven, the registered
// outputs hold its answer. Inputs show for the whole cycle, outputs for the second half.
void TlbRtlArray::record_probes(Picos rise) {
  VcdWriter& v = *probe_vcd_;
  const TlbRtlSignals& s = *sig_;
  const Picos start = cycle_start_, end = cycle_start_ + period_ps_;
  auto pulse = [&](VcdWriter::Signal sig, bool on, Picos from, Picos to) {
    if (!on) return;
    v.change(sig, 1, from);
    v.change(sig, 0, to);
  };
  if (s.lookup_valid.read()) {
    v.change(probe_.lookup_vpn, s.lookup_vpn.read(), start);
    v.change(probe_.lookup_size, s.lookup_size.read(), start);
  }
  pulse(probe_.lookup_valid, s.lookup_valid.read(), start, end);
  if (s.fill_valid.read()) {
    v.change(probe_.fill_vpn, s.fill_vpn.read(), start);
    v.change(probe_.fill_size, s.fill_size.read(), start);
    v.change(probe_.fill_pfn, s.fill_pfn.read(), start);
  }
  pulse(probe_.fill_valid, s.fill_valid.read(), start, end);
  if (s.invalidate_valid.read()) v.change(probe_.invalidate_addr, s.invalidate_addr.read(), start);
  pulse(probe_.invalidate_valid, s.invalidate_valid.read(), start, end);
  if (s.flush_valid.read()) v.change(probe_.flush_keep_global, s.flush_keep_global.read(), start);
  pulse(probe_.flush_valid, s.flush_valid.read(), start, end);
  if (s.resp_valid.read()) {
    v.change(probe_.resp_hit, s.resp_hit.read(), rise);
    if (s.resp_hit.read()) v.change(probe_.resp_pfn, s.resp_pfn.read(), rise);
  }
  pulse(probe_.resp_valid, s.resp_valid.read(), rise, end + period_ps_ / 2);
  if (s.victim_valid.read()) v.change(probe_.victim_vpn, s.victim_vpn.read(), rise);
  pulse(probe_.victim_valid, s.victim_valid.read(), rise, end + period_ps_ / 2);
  if (s.invalidate_valid.read() || s.flush_valid.read())
    v.change(probe_.dropped, s.dbg_dropped.read(), rise);
}

void TlbRtlArray::open_timed_vcd(const std::string& path) {
  if (!now_) throw std::logic_error(cfg_.name + ": open_timed_vcd needs attach_probes first");
  if (timed_vcd_ || vcd_) throw std::logic_error(cfg_.name + ": a VCD is already open");
  timed_vcd_path_ = path;  // opened by the first cycle: Verilator traces after elaboration
}

void TlbRtlArray::start_timed_vcd() {
  // Verilator records signal changes only of models constructed after
  // Verilated::traceEverOn(true); register_rtl_tlb_impl calls it.
  const std::string path = timed_vcd_path_;
  timed_vcd_ = std::make_unique<VerilatedVcdC>();
  timed_vcd_->set_time_unit("1ps");
  timed_vcd_->set_time_resolution("1ps");
  model_->trace(timed_vcd_.get(), 99);
  // The OutputFile decides where the bytes go (a temporary renamed over a regular file,
  // a device or FIFO in place) and reports the error; Verilator writes them.
  timed_out_ = std::make_unique<OutputFile>(path, "--wave");
  timed_vcd_->open(timed_out_->writing_path().c_str());
  if (!timed_vcd_->isOpen()) {
    timed_vcd_.reset();
    timed_out_.reset();
    throw ConfigError("--wave: cannot write " + path);
  }
}

void TlbRtlArray::close_timed_vcd() {
  if (!timed_vcd_) return;
  if (timed_idle_pending_ && probe_vcd_->in_window(next_free_)) timed_vcd_->dump(next_free_);
  timed_vcd_->close();
  timed_vcd_.reset();
  timed_vcd_path_.clear();
  std::unique_ptr<OutputFile> out = std::move(timed_out_);
  out->commit();
}

void TlbRtlArray::end_request() {
  if (!timed_vcd_) return;
  settle();  // the lowered inputs reach the model; dumped when the next cycle starts
  timed_idle_pending_ = true;
}

}  // namespace mmvp::rtl
