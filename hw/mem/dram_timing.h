// DRAM bank and row timing: an open-page policy over independent banks with
// DDR4-like defaults. Each access is a row hit (row open), a row miss (bank
// precharged: activate first) or a row conflict (another row open: precharge, then
// activate). A bank busy with an earlier access delays the next one, so two
// initiators (CPU, DMA) compete for banks when they run in lock-step.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/common/types.h"

namespace mmvp {

struct DramTimingConfig {
  // Defaults (DDR4-2400 17-17-17) in declare_dram_params.
  unsigned banks = 0;           // mem.banks
  std::uint64_t row_bytes = 0;  // row (page) size per bank as seen by the address map
  Picos t_cl = 0;               // CAS latency
  Picos t_rcd = 0;              // activate to read/write
  Picos t_rp = 0;               // precharge
  Picos t_burst = 0;            // one 64-byte burst
  Picos t_wr = 0;               // write recovery before a precharge may start
  Picos controller = 0;         // memory controller and uncore, on every access

  static DramTimingConfig from_params(const Params& p);
};

enum class RowOutcome : std::uint8_t { hit, miss, conflict };

struct DramTimingStats {
  std::uint64_t reads = 0, writes = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t bank_wait_picos = 0;  // time spent waiting for a busy bank
  std::uint64_t busy_picos = 0;       // sum of access service times
};

class DramTiming {
 public:
  explicit DramTiming(const DramTimingConfig& cfg);

  struct Result {
    Picos latency;  // from `now` until the data is delivered
    RowOutcome outcome;
    unsigned bank;
    std::uint64_t row;
  };
  // One access of `bytes` at DRAM offset `offset` starting at simulated time `now`.
  Result access(std::uint64_t offset, unsigned bytes, bool write, Picos now);

  unsigned bank_of(std::uint64_t offset) const {
    return static_cast<unsigned>((offset / cfg_.row_bytes) % cfg_.banks);
  }
  std::uint64_t row_of(std::uint64_t offset) const {
    return offset / (cfg_.row_bytes * cfg_.banks);
  }
  // Open row of a bank, or -1 (all ones) when the bank is precharged.
  std::uint64_t open_row(unsigned bank) const { return banks_[bank].open_row; }

  const DramTimingConfig& config() const { return cfg_; }
  const DramTimingStats& stats() const { return stats_; }
  void reset_stats() { stats_ = DramTimingStats{}; }
  void report(StatsReport& r, const std::string& prefix) const;

  static constexpr std::uint64_t kNoRow = ~0ULL;

 private:
  struct Bank {
    std::uint64_t open_row = kNoRow;
    Picos ready_at = 0;  // earliest time the bank accepts a new command
  };
  DramTimingConfig cfg_;
  std::vector<Bank> banks_;
  DramTimingStats stats_;
};

void declare_dram_params(Params& p);

}  // namespace mmvp
