// TlbRtlImpl: forwards TlbArray's calls to the verilated TLB (hw/rtl/tlb_rtl_impl.h).
#include "hw/rtl/tlb_rtl_impl.h"

#include <verilated.h>

#include <memory>

#include "hw/common/sc_time.h"
#include "hw/rtl/tlb_rtl_wrapper.h"

namespace mmvp::rtl {
namespace {

class TlbRtlImpl final : public TlbArrayImpl {
 public:
  explicit TlbRtlImpl(const TlbArrayConfig& cfg)
      : rtl_(std::make_unique<TlbRtlArray>(cfg, ps_time(cfg.clock))) {}

  const Translation* lookup(LAddr la, PageSize size) override { return rtl_->lookup(la, size); }
  bool insert(const Translation& t, Translation* victim) override {
    return rtl_->insert(t, victim);
  }
  void invalidate(LAddr la) override { rtl_->invalidate(la); }
  void flush(bool keep_global) override { rtl_->flush(keep_global); }
  const TlbArrayStats& stats() const override { return rtl_->stats(); }
  void reset_stats() override { rtl_->reset_stats(); }
  void report(StatsReport& r, const std::string& prefix) const override { rtl_->report(r, prefix); }
  std::vector<TlbWayState> set_state(unsigned set) const override { return rtl_->set_state(set); }
  // The ports go into the platform's VCD; the RTL's internal signals into a VCD of
  // their own next to it (<platform waveform without .vcd/.fst>.<scope>.vcd; Verilator
  // writes it, always as VCD).
  void attach_vcd(VcdWriter& vcd, const std::string& scope, std::function<Picos()> now) override {
    rtl_->attach_probes(vcd, scope, std::move(now));
    std::string stem = vcd.path();
    for (const char* ext : {".vcd", ".fst"})
      if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ext) == 0)
        stem.resize(stem.size() - 4);
    rtl_->open_timed_vcd(stem + "." + scope + ".vcd");
    vcd.on_close([rtl = rtl_.get()] { rtl->close_vcd(); });
  }

 private:
  std::unique_ptr<TlbRtlArray> rtl_;
};

}  // namespace

void register_rtl_tlb_impl() {
  Verilated::traceEverOn(true);
  register_tlb_array_impl("rtl", [](const TlbArrayConfig& cfg) -> std::unique_ptr<TlbArrayImpl> {
    return std::make_unique<TlbRtlImpl>(cfg);
  });
}

}  // namespace mmvp::rtl
