#include "hw/mem/dram_timing.h"

#include <algorithm>

namespace mmvp {

DramTimingConfig DramTimingConfig::from_params(const Params& p) {
  DramTimingConfig c;
  c.banks = static_cast<unsigned>(p.u64("mem.banks"));
  c.row_bytes = p.u64("mem.row_bytes");
  c.t_cl = p.u64("mem.t_cl_ps");
  c.t_rcd = p.u64("mem.t_rcd_ps");
  c.t_rp = p.u64("mem.t_rp_ps");
  c.t_burst = p.u64("mem.t_burst_ps");
  c.t_wr = p.u64("mem.t_wr_ps");
  c.controller = p.u64("mem.controller_ps");
  if (!is_pow2(c.row_bytes) || c.row_bytes < 64)
    throw ConfigError("mem.row_bytes: " + std::to_string(c.row_bytes) +
                      " is not a power of two of at least 64");
  return c;
}

DramTiming::DramTiming(const DramTimingConfig& cfg) : cfg_(cfg), banks_(cfg.banks) {}

DramTiming::Result DramTiming::access(std::uint64_t offset, unsigned bytes, bool write, Picos now) {
  Result r{};
  r.bank = bank_of(offset);
  r.row = row_of(offset);
  Bank& b = banks_[r.bank];
  Picos start = std::max(now, b.ready_at);
  Picos open = 0;  // precharge and activate time before the column command
  if (b.open_row == r.row) {
    r.outcome = RowOutcome::hit;
    ++stats_.row_hits;
  } else if (b.open_row == kNoRow) {
    r.outcome = RowOutcome::miss;
    open = cfg_.t_rcd;
    ++stats_.row_misses;
  } else {
    r.outcome = RowOutcome::conflict;
    open = cfg_.t_rp + cfg_.t_rcd;
    ++stats_.row_conflicts;
  }
  std::uint64_t bursts = std::max<std::uint64_t>(1, (bytes + 63) / 64);
  Picos transfer = bursts * cfg_.t_burst;
  r.latency = cfg_.controller + (start - now) + open + cfg_.t_cl + transfer;
  // The bank takes the next column command once this one's bursts are out; a write
  // also needs write recovery before the row may close (approximated as busy time).
  b.ready_at = start + open + transfer + (write ? cfg_.t_wr : 0);
  b.open_row = r.row;

  stats_.bank_wait_picos += start - now;
  stats_.busy_picos += open + cfg_.t_cl + transfer;
  if (write) {
    ++stats_.writes;
    stats_.bytes_written += bytes;
  } else {
    ++stats_.reads;
    stats_.bytes_read += bytes;
  }
  return r;
}

void DramTiming::report(StatsReport& r, const std::string& prefix) const {
  const auto& s = stats_;
  std::uint64_t total = s.reads + s.writes;
  r.add(prefix + ".reads", s.reads, "timed read transactions");
  r.add(prefix + ".writes", s.writes, "timed write transactions");
  r.add(prefix + ".bytes_read", s.bytes_read, "bytes read by timed transactions");
  r.add(prefix + ".bytes_written", s.bytes_written, "bytes written by timed transactions");
  r.add(prefix + ".row_hits", s.row_hits, "accesses to the open row");
  r.add(prefix + ".row_misses", s.row_misses, "accesses to a precharged bank (activate)");
  r.add(prefix + ".row_conflicts", s.row_conflicts,
        "accesses to a bank with another row open (precharge + activate)");
  r.add_ratio(prefix + ".row_hit_rate", static_cast<double>(s.row_hits), static_cast<double>(total),
              "row hits / timed accesses");
  r.add(prefix + ".bank_wait_ns", s.bank_wait_picos / 1000, "time accesses waited for a busy bank");
}

void declare_dram_params(Params& p) {
  p.declare({"mem.banks", ParamType::integer, "16", "DRAM banks (interleaved at row granularity)",
             1, 1024});
  p.declare(
      {"mem.row_bytes", ParamType::size, "8K", "DRAM row (page) size per bank", 64, 1ULL << 20});
  p.declare({"mem.t_cl_ps", ParamType::integer, "14160", "CAS latency in ps (DDR4-2400 CL17)", 0,
             1000000});
  p.declare({"mem.t_rcd_ps", ParamType::integer, "14160", "activate-to-column delay tRCD in ps", 0,
             1000000});
  p.declare({"mem.t_rp_ps", ParamType::integer, "14160", "precharge time tRP in ps", 0, 1000000});
  p.declare({"mem.t_burst_ps", ParamType::integer, "3333",
             "time of one 64-byte burst in ps (BL8 at 1200 MHz)", 0, 1000000});
  p.declare({"mem.t_wr_ps", ParamType::integer, "15000", "write recovery tWR in ps", 0, 1000000});
  p.declare({"mem.controller_ps", ParamType::integer, "5000",
             "memory controller and uncore time added to every DRAM access in ps (with "
             "DDR4-2400 17-17-17 a random line read then takes about the 51 ns 7-cpu.com "
             "measured beyond the L3 on the i7-6700)",
             0, 1000000});
}

}  // namespace mmvp
