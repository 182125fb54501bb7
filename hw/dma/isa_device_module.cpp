#include "hw/dma/isa_device_module.h"

#include <algorithm>

#include "hw/bus/target_checks.h"
#include "hw/common/sc_time.h"

namespace mmvp {
namespace {
Picos now_ps() {
  return to_ps(sc_core::sc_time_stamp());
}
}  // namespace

IsaDeviceConfig IsaDeviceConfig::from_params(const Params& p) {
  IsaDeviceConfig c;
  c.byte_time = std::max<Picos>(1, 1000000000000ULL / p.u64("dma.device_bytes_per_s"));
  c.io_latency = p.u64("dma.io_latency_ns") * 1000;
  return c;
}

IsaDeviceModule::IsaDeviceModule(sc_core::sc_module_name name, const IsaDeviceConfig& cfg)
    : sc_module(name), io_socket("io_socket"), cfg_(cfg) {
  io_socket.register_b_transport(this, &IsaDeviceModule::b_transport);
  io_socket.register_transport_dbg(this, &IsaDeviceModule::transport_dbg);
  SC_THREAD(run);
}

void IsaDeviceModule::connect(I8237Module& dma) {
  dma_ = &dma;
  dma.attach(*this);
}

void IsaDeviceModule::run() {
  for (;;) {
    if (!dev_.busy() || !dma_) {
      sc_core::wait(start_ev_);
      continue;
    }
    std::uint64_t gen = generation_;
    Picos period = cfg_.byte_time * dev_.width();
    Picos next = std::max(start_time_, now_ps()) + period;
    while (gen == generation_ && dev_.busy()) {
      Picos t = now_ps();
      if (next > t) {
        sc_core::wait(ps_time(next - t), start_ev_);  // a CMD write ends this transfer
        continue;
      }
      dreq_channel_ = static_cast<int>(dev_.channel());
      dma_->set_dreq(dev_.channel(), true);
      ++stats_.dreqs;
      if (vcd_) vcd_->change(sig_dreq_, 1, t);
      sc_core::wait(dack_ev_ | start_ev_);
      // Paced at absolute times; a late DACK (masked channel, busy bus) only delays
      // the next request to now.
      next = std::max(next + period, now_ps());
    }
  }
}

void IsaDeviceModule::drop_dreq() {
  if (dreq_channel_ < 0) return;
  dma_->set_dreq(static_cast<unsigned>(dreq_channel_), false);
  dreq_channel_ = -1;
  if (vcd_) vcd_->change(sig_dreq_, 0, now_ps());
}

bool IsaDeviceModule::dack(unsigned channel, DmaTransfer t, std::uint16_t& data) {
  if (channel != dev_.channel()) return false;
  std::uint64_t bytes = dev_.bytes(), errors = dev_.errors();
  if (t == DmaTransfer::write)
    data = dev_.supply();
  else if (t == DmaTransfer::read)
    dev_.accept(data);
  else
    dev_.verify_cycle();
  stats_.bytes += dev_.bytes() - bytes;
  stats_.pattern_errors += dev_.errors() - errors;
  drop_dreq();
  dack_ev_.notify();
  return true;
}

void IsaDeviceModule::eop(unsigned channel) {
  if (channel != dev_.channel() || !dev_.busy()) return;
  dev_.terminal_count();
  ++stats_.completions;
  drop_dreq();
  if (vcd_) vcd_->change(sig_busy_, 0, now_ps());
  update_irq(now_ps());
}

void IsaDeviceModule::update_irq(Picos at) {
  int want = dev_.irq_asserted() ? static_cast<int>(dev_.irq_line()) : -1;
  if (want == irq_line_driven_ || !dma_) return;
  if (irq_line_driven_ >= 0) dma_->set_isa_irq(static_cast<unsigned>(irq_line_driven_), false, at);
  irq_line_driven_ = want;
  if (want >= 0) dma_->set_isa_irq(static_cast<unsigned>(want), true, at);
}

void IsaDeviceModule::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  std::uint64_t a = t.get_address();
  unsigned n = t.get_data_length();
  t.set_response_status(simple_target_check(t, IsaPatternDevice::kWindowBytes));
  if (!t.is_response_ok()) {
    ++stats_.io_errors;
    return;
  }
  unsigned char* d = t.get_data_ptr();
  for (unsigned i = 0; i < n; ++i) {
    // An 8-bit card: the ISA bus splits wider accesses into byte cycles.
    unsigned off = static_cast<unsigned>(a) + i;
    delay += ps_time(cfg_.io_latency);
    Picos at = to_ps(sc_core::sc_time_stamp() + delay);
    if (t.is_read()) {
      d[i] = dev_.read(off);
    } else {
      dev_.write(off, d[i]);
      if (off == IsaPatternDevice::CMD) {
        // A new command (or stop) ends whatever ran: drop DREQ, restart the pacing.
        if (dma_) drop_dreq();
        ++generation_;
        start_time_ = at;
        start_ev_.notify(delay);
        if (vcd_) vcd_->change(sig_busy_, dev_.busy(), at);
      }
    }
    update_irq(at);
  }
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned IsaDeviceModule::transport_dbg(tlm::tlm_generic_payload& t) {
  // Reads without side effects (STATUS does not acknowledge); writes are ignored.
  std::uint64_t a = t.get_address();
  unsigned n = t.get_data_length();
  if (!t.is_read()) return 0;
  unsigned done = 0;
  for (; done < n && a + done < IsaPatternDevice::kWindowBytes; ++done) {
    unsigned off = static_cast<unsigned>(a + done);
    t.get_data_ptr()[done] = off == IsaPatternDevice::STATUS ? dev_.status() : dev_.read(off);
  }
  return done;
}

void IsaDeviceModule::attach_vcd(VcdWriter& vcd) {
  vcd_ = &vcd;
  sig_busy_ = vcd.add(name(), "busy", 1);
  sig_dreq_ = vcd.add(name(), "dreq", 1);
}

void IsaDeviceModule::reset_stats() {
  stats_ = Stats{};
  protocol_base_ = dev_.protocol_errors();
}

void IsaDeviceModule::report(StatsReport& r, const std::string& prefix) const {
  r.add(prefix + ".bytes", stats_.bytes, "bytes the pattern card produced or checked");
  r.add(prefix + ".errors", stats_.pattern_errors,
        "bytes read from memory that did not match the pattern");
  r.add(prefix + ".completions", stats_.completions, "transfers ended by terminal count");
  r.add(prefix + ".dreqs", stats_.dreqs, "DMA requests raised");
  r.add(prefix + ".protocol_errors", dev_.protocol_errors() - protocol_base_,
        "DACKs while idle or in the wrong direction, invalid command/channel/IRQ writes");
  r.add(prefix + ".io_errors", stats_.io_errors, "port accesses answered with a TLM error");
}

}  // namespace mmvp
