// An HPET-like timer, the pure core (IA-PC HPET Specification 1.0a, section 2.3): a
// 64-bit main counter that counts up at a fixed frequency while ENABLE_CNF is set,
// derived from simulated time rather than ticked, so it costs nothing between reads.
// Registers modelled: the General Capabilities and ID register (offset 0x000, the
// counter period in femtoseconds in bits 63:32), the General Configuration register
// (0x010, ENABLE_CNF and LEG_RT_CNF) and the Main Counter Value register (0x0F0).
// The timer comparators (0x100 + 0x20 * n) are not modelled: they and every other
// offset of the 1 KB window read as zero and ignore writes.
#pragma once
#include <cstdint>

#include "hw/common/params.h"
#include "hw/common/types.h"

namespace mmvp {

struct HpetConfig {
  // Defaults in declare_hpet_params.
  std::uint64_t frequency_hz = 0;  // timer.hpet_hz
  Picos access_latency = 0;        // one register access over the bus (timer.hpet_latency_ps)

  static HpetConfig from_params(const Params& p);
};

// Declares timer.hpet_hz and timer.hpet_latency_ps.
void declare_hpet_params(Params& p);

class Hpet {
 public:
  static constexpr std::uint64_t kWindowBytes = 0x400;       // the register block is 1 KB
  static constexpr std::uint64_t kDefaultBase = 0xFED00000;  // where a PC's firmware puts it

  // Register offsets (HPET spec Table 3).
  static constexpr std::uint64_t GCAP_ID = 0x000;
  static constexpr std::uint64_t GEN_CONF = 0x010;
  static constexpr std::uint64_t MAIN_COUNTER = 0x0F0;

  // General Configuration bits (spec 2.3.5).
  static constexpr std::uint64_t ENABLE_CNF = 1ULL << 0;
  static constexpr std::uint64_t LEG_RT_CNF = 1ULL << 1;

  // General Capabilities fields (spec 2.3.4).
  static constexpr std::uint64_t REV_ID = 0x01;                // bits 7:0
  static constexpr std::uint64_t COUNT_SIZE_CAP = 1ULL << 13;  // 64-bit main counter
  static constexpr std::uint64_t VENDOR_ID = 0x8086;           // bits 31:16
  static constexpr unsigned COUNTER_CLK_PERIOD_SHIFT = 32;     // bits 63:32, femtoseconds
  // The spec requires a period of at most 100 ns (a counter of at least 10 MHz).
  static constexpr std::uint64_t kMaxPeriodFs = 100000000;

  // Throws ConfigError when the frequency gives a period outside (0, 100 ns].
  explicit Hpet(std::uint64_t frequency_hz);

  std::uint64_t period_fs() const { return period_fs_; }
  std::uint64_t capabilities() const;
  bool enabled() const { return (config_ & ENABLE_CNF) != 0; }
  // The main counter as software would read it at simulated time `now`.
  std::uint64_t main_counter(Picos now) const;

  // A 4- or 8-byte register access at `offset` in the window, naturally aligned, at
  // simulated time `now` (spec 2.3: 32- and 64-bit accesses). Returns false for any
  // other size or a misaligned or out-of-window access, which the bus reports as an
  // error; the register state is then unchanged.
  bool read(std::uint64_t offset, unsigned size, Picos now, std::uint64_t& value) const;
  bool write(std::uint64_t offset, unsigned size, std::uint64_t value, Picos now);

  static bool valid_access(std::uint64_t offset, unsigned size);

 private:
  std::uint64_t register_value(std::uint64_t reg, Picos now) const;
  void write_register(std::uint64_t reg, std::uint64_t value, std::uint64_t mask, Picos now);

  std::uint64_t period_fs_;
  std::uint64_t config_ = 0;
  // The counter value at simulated time base_; while enabled it advances one count
  // per period_fs_ from there.
  std::uint64_t counter_at_base_ = 0;
  Picos base_ = 0;
};

}  // namespace mmvp
