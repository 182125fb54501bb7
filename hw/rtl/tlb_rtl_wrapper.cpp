// TlbRtlArray: drives the verilated TLB cycle by cycle through SystemC signals.
#include "hw/rtl/tlb_rtl_wrapper.h"

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include <algorithm>
#include <stdexcept>

#include "hw/common/output_file.h"
#include "hw/mmu/paging.h"
#include "hw/rtl/tlb_rtl_model.h"

namespace mmvp::rtl {

using namespace sc_core;

namespace {

constexpr std::uint64_t kVpnMask = (1ULL << TlbRtlArray::kVpnBits) - 1;
constexpr std::uint64_t kPfnMask = (1ULL << TlbRtlArray::kPfnBits) - 1;

// Entry flags as tlb.sv packs them.
std::uint32_t pack_flags(const Translation& t) {
  return static_cast<std::uint32_t>(t.writable) | static_cast<std::uint32_t>(t.user) << 1 |
         static_cast<std::uint32_t>(t.nx) << 2 | static_cast<std::uint32_t>(t.dirty) << 3 |
         static_cast<std::uint32_t>(t.global) << 4 |
         static_cast<std::uint32_t>(t.pcd_pwt & 3u) << 5;
}

void unpack_flags(std::uint32_t f, Translation& t) {
  t.writable = f & 1u;
  t.user = (f >> 1) & 1u;
  t.nx = (f >> 2) & 1u;
  t.dirty = (f >> 3) & 1u;
  t.global = (f >> 4) & 1u;
  t.pcd_pwt = static_cast<std::uint8_t>((f >> 5) & 3u);
}

const TlbRtlVariant* find_variant(const TlbArrayConfig& cfg) {
  const unsigned ways = cfg.ways == 0 ? cfg.entries : cfg.ways;
  for (const TlbRtlVariant& v : tlb_rtl_variants()) {
    if (v.entries == cfg.entries && v.ways == ways && v.policy == cfg.policy &&
        v.sizes == cfg.sizes)
      return &v;
  }
  return nullptr;
}

}  // namespace

void TlbRtlSignals::trace(sc_trace_file* tf) const {
  auto t = [tf](const auto& s) { sc_trace(tf, s, s.name()); };
  t(clk), t(rst_n), t(lookup_valid), t(lookup_ready), t(lookup_vpn), t(lookup_size);
  t(resp_valid), t(resp_hit), t(resp_pfn), t(resp_flags);
  t(fill_valid), t(fill_ready), t(fill_vpn), t(fill_size), t(fill_pfn), t(fill_flags);
  t(victim_valid), t(victim_vpn), t(victim_size), t(victim_pfn), t(victim_flags);
  t(invalidate_valid), t(invalidate_addr), t(flush_valid), t(flush_keep_global);
  t(dbg_dropped);
}

std::uint64_t TlbRtlArray::stored_vpn(std::uint64_t vpn) {
  return vpn & kVpnMask;
}

std::uint64_t TlbRtlArray::full_vpn(std::uint64_t stored, PageSize size) {
  const unsigned width = 64 - page_shift(size);  // bits of la >> shift
  if (width <= kVpnBits || ((stored >> (kVpnBits - 1)) & 1u) == 0) return stored;
  const std::uint64_t upper = (width >= 64 ? ~0ULL : (1ULL << width) - 1) & ~kVpnMask;
  return stored | upper;
}

std::string TlbRtlArray::variant_list() {
  std::string out;
  for (const TlbRtlVariant& v : tlb_rtl_variants()) {
    if (!out.empty()) out += ", ";
    out += std::to_string(v.entries) + "x" + std::to_string(v.ways) + " " +
           replacement_name(v.policy) + " sizes=" + std::to_string(v.sizes);
  }
  return out;
}

std::string TlbRtlArray::variant_problem(const TlbArrayConfig& cfg) {
  std::string problem = TlbArray::config_problem(cfg);
  if (!problem.empty()) return problem;
  if (find_variant(cfg)) return "";
  const unsigned ways = cfg.ways == 0 ? cfg.entries : cfg.ways;
  return "no verilated RTL TLB for " + std::to_string(cfg.entries) + " entries, " +
         std::to_string(ways) + " ways, " + replacement_name(cfg.policy) +
         ", sizes=" + std::to_string(cfg.sizes) + " (built: " + variant_list() +
         "; add it to MMVP_RTL_TLB_EXTRA_VARIANTS)";
}

TlbRtlArray::TlbRtlArray(const TlbArrayConfig& cfg, sc_time period) : cfg_(cfg), half_(period / 2) {
  std::string problem = variant_problem(cfg);
  if (!problem.empty()) throw ConfigError(cfg.name + ": " + problem);
  if (sc_get_status() != SC_ELABORATION)
    throw std::logic_error(cfg.name + ": the RTL TLB must be constructed during elaboration");
  ways_ = cfg.ways == 0 ? cfg.entries : cfg.ways;
  sets_ = cfg.entries / ways_;
  const std::string name = sc_gen_unique_name(("rtl_" + cfg.name).c_str());
  sig_ = std::make_unique<TlbRtlSignals>(name);
  model_ = find_variant(cfg)->make(name.c_str(), *sig_);
}

TlbRtlArray::~TlbRtlArray() {
  // The platform closes the timed VCD with its own (VcdWriter::on_close), where a write
  // error is reported; here only what was left open on an error path is dropped.
  try {
    close_vcd();
  } catch (const std::exception&) {
  }
}

void TlbRtlArray::enable_tracing() {
  Verilated::traceEverOn(true);
}

void TlbRtlArray::open_vcd(const std::string& path) {
  if (sc_get_status() == SC_RUNNING || vcd_)
    throw std::logic_error("open_vcd: only once, outside a running simulation");
  if (sc_get_status() == SC_ELABORATION) {
    std::string ports = path;
    if (ports.size() > 4 && ports.compare(ports.size() - 4, 4, ".vcd") == 0)
      ports.resize(ports.size() - 4);
    ports_vcd_ = sc_create_vcd_trace_file((ports + "_ports").c_str());
    ports_vcd_->set_time_unit(1, SC_PS);
    sig_->trace(ports_vcd_);
    sc_start(SC_ZERO_TIME);  // completes elaboration; Verilator traces after it
  }
  vcd_ = std::make_unique<VerilatedVcdSc>();
  model_->trace(vcd_.get(), 99);
  vcd_->open(path.c_str());
}

void TlbRtlArray::close_vcd() {
  if (vcd_) {
    vcd_->close();
    vcd_.reset();
  }
  close_timed_vcd();
  if (ports_vcd_) {
    sc_close_vcd_trace_file(ports_vcd_);
    ports_vcd_ = nullptr;
  }
}

void TlbRtlArray::settle() {
  if (sc_get_status() == SC_RUNNING) {
    if (sc_get_current_process_handle().proc_kind() != SC_THREAD_PROC_)
      throw std::logic_error(cfg_.name + ": the RTL TLB can only be used from an SC_THREAD");
    // Inputs update at the end of this delta, the model evaluates in the next one and
    // its outputs update at the end of it.
    wait(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    return;
  }
  do {
    sc_start(SC_ZERO_TIME);
  } while (sc_pending_activity_at_current_time());
}

void TlbRtlArray::half_cycle() {
  if (sc_get_status() == SC_RUNNING) {
    settle();
  } else {
    sc_start(half_);
  }
}

// Inputs are written while clk is low and settle for half a period; the rising edge
// comes at mid-cycle and the registered outputs are read after it.
void TlbRtlArray::cycle() {
  const bool stamped = now_ != nullptr;
  if (!timed_vcd_path_.empty() && !timed_vcd_ && sc_get_status() == SC_RUNNING) start_timed_vcd();
  // The timed VCD follows the platform waveform's window (--wave-from/--wave-to); the
  // first cycle dumped inside it carries every signal's value.
  bool dump = false;
  if (stamped) {
    cycle_start_ = std::max(now_(), next_free_);
    dump = timed_vcd_ && probe_vcd_->in_window(cycle_start_);
    if (dump && timed_idle_pending_ && cycle_start_ > next_free_ &&
        probe_vcd_->in_window(next_free_))
      timed_vcd_->dump(next_free_);  // the idle inputs after the previous request
    timed_idle_pending_ = false;
    next_free_ = cycle_start_ + period_ps_;
  }
  sig_->clk.write(false);
  half_cycle();
  if (dump) timed_vcd_->dump(cycle_start_);
  sig_->clk.write(true);
  half_cycle();
  if (dump) timed_vcd_->dump(cycle_start_ + period_ps_ / 2);
  if (probe_vcd_) record_probes(cycle_start_ + period_ps_ / 2);
  ++cycles_;
}

void TlbRtlArray::ensure_reset() {
  if (reset_done_) return;
  sig_->rst_n.write(false);
  cycle();
  sig_->rst_n.write(true);
  reset_done_ = true;
}

const Translation* TlbRtlArray::lookup(LAddr la, PageSize size) {
  ensure_reset();
  const std::uint64_t vpn = la >> page_shift(size);
  TlbRtlSignals& s = *sig_;
  s.lookup_valid.write(true);
  s.lookup_vpn.write(stored_vpn(vpn));
  s.lookup_size.write(static_cast<std::uint32_t>(size));
  cycle();
  s.lookup_valid.write(false);
  end_request();
  if (!s.resp_valid.read()) throw std::logic_error(cfg_.name + ": RTL lookup not accepted");
  if (!s.resp_hit.read()) return nullptr;
  ++stats_.hits;
  hit_ = Translation{};
  hit_.vpn = vpn;
  hit_.size = size;
  hit_.pfn = s.resp_pfn.read();
  unpack_flags(s.resp_flags.read(), hit_);
  return &hit_;
}

Translation TlbRtlArray::read_victim() const {
  Translation v;
  v.size = static_cast<PageSize>(sig_->victim_size.read());
  v.vpn = full_vpn(sig_->victim_vpn.read(), v.size);
  v.pfn = sig_->victim_pfn.read();
  unpack_flags(sig_->victim_flags.read(), v);
  return v;
}

bool TlbRtlArray::insert(const Translation& t, Translation* victim) {
  if (!holds(t.size)) {
    throw std::invalid_argument(cfg_.name + ": asked to hold a " + page_size_name(t.size) +
                                " page it is not configured for");
  }
  if (full_vpn(stored_vpn(t.vpn), t.size) != t.vpn || (t.pfn & ~kPfnMask) != 0)
    throw std::invalid_argument(cfg_.name + ": translation wider than the RTL TLB stores");
  ensure_reset();
  TlbRtlSignals& s = *sig_;
  s.fill_valid.write(true);
  s.fill_vpn.write(stored_vpn(t.vpn));
  s.fill_size.write(static_cast<std::uint32_t>(t.size));
  s.fill_pfn.write(t.pfn);
  s.fill_flags.write(pack_flags(t));
  cycle();
  s.fill_valid.write(false);
  end_request();
  ++stats_.fills;
  if (!s.victim_valid.read()) return false;
  ++stats_.evictions;
  if (victim) *victim = read_victim();
  return true;
}

void TlbRtlArray::invalidate(LAddr la) {
  if (!reset_done_ && sc_get_status() == SC_ELABORATION) return;  // empty after reset
  ensure_reset();
  sig_->invalidate_valid.write(true);
  sig_->invalidate_addr.write(la);
  cycle();
  sig_->invalidate_valid.write(false);
  end_request();
  stats_.invalidations += sig_->dbg_dropped.read();
}

void TlbRtlArray::flush(bool keep_global) {
  if (!reset_done_ && sc_get_status() == SC_ELABORATION) return;  // empty after reset
  ensure_reset();
  sig_->flush_valid.write(true);
  sig_->flush_keep_global.write(keep_global);
  cycle();
  sig_->flush_valid.write(false);
  end_request();
  stats_.invalidations += sig_->dbg_dropped.read();
}

std::vector<TlbArray::WayState> TlbRtlArray::set_state(unsigned set) {
  std::vector<TlbArray::WayState> out;
  if (set >= sets_) return out;
  ensure_reset();
  TlbRtlSignals& s = *sig_;
  for (unsigned w = 0; w < ways_; ++w) {
    s.dbg_set.write(set);
    s.dbg_way.write(w);
    settle();
    TlbArray::WayState ws{s.dbg_valid.read(), Translation{}};
    if (ws.valid) {
      ws.t.size = static_cast<PageSize>(s.dbg_size.read());
      ws.t.vpn = full_vpn(s.dbg_vpn.read(), ws.t.size);
      ws.t.pfn = s.dbg_pfn.read();
      unpack_flags(s.dbg_flags.read(), ws.t);
    }
    out.push_back(ws);
  }
  return out;
}

void TlbRtlArray::report(StatsReport& r, const std::string& prefix) const {
  r.add(prefix + ".hits", stats_.hits, "lookups answered by this array");
  r.add(prefix + ".fills", stats_.fills, "translations inserted");
  r.add(prefix + ".evictions", stats_.evictions, "fills that displaced a valid entry");
  r.add(prefix + ".invalidations", stats_.invalidations, "entries dropped by INVLPG or flushes");
  r.add(prefix + ".rtl_cycles", cycles_ - cycles_at_reset_,
        "RTL clock cycles simulated (impl = rtl)");
}

}  // namespace mmvp::rtl
