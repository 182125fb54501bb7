#include "hw/timer/hpet.h"

#include <fmt/format.h>

namespace mmvp {

void declare_hpet_params(Params& p) {
  // 10 MHz is the slowest counter the HPET spec allows (period <= 100 ns).
  p.declare({"timer.hpet_hz", ParamType::integer, "14318180",
             "HPET main-counter frequency in Hz (a PC's 14.31818 MHz crystal)", 10000000,
             1000000000000000ULL});
  p.declare({"timer.hpet_latency_ps", ParamType::integer, "100000",
             "latency of one HPET register access in ps", 0, 100000000});
}

HpetConfig HpetConfig::from_params(const Params& p) {
  HpetConfig c;
  c.frequency_hz = p.u64("timer.hpet_hz");
  c.access_latency = p.u64("timer.hpet_latency_ps");
  return c;
}

Hpet::Hpet(std::uint64_t frequency_hz) {
  constexpr std::uint64_t kFsPerSecond = 1000000000000000ULL;
  if (frequency_hz == 0 || frequency_hz > kFsPerSecond)
    throw ConfigError(
        fmt::format("timer.hpet_hz: {} is not a frequency between 1 Hz and 1 PHz", frequency_hz));
  // COUNTER_CLK_PERIOD is a whole number of femtoseconds: round to the nearest.
  period_fs_ = (kFsPerSecond + frequency_hz / 2) / frequency_hz;
  if (period_fs_ > kMaxPeriodFs)
    throw ConfigError(fmt::format(
        "timer.hpet_hz: {} Hz gives a counter period of {} fs, above the HPET limit of 100 ns",
        frequency_hz, period_fs_));
}

std::uint64_t Hpet::capabilities() const {
  // NUM_TIM_CAP (bits 12:8) reads 0: the comparators are not modelled.
  return (period_fs_ << COUNTER_CLK_PERIOD_SHIFT) | (VENDOR_ID << 16) | COUNT_SIZE_CAP | REV_ID;
}

std::uint64_t Hpet::main_counter(Picos now) const {
  if (!enabled() || now <= base_) return counter_at_base_;
  // Whole periods elapsed since base_; 128-bit so that hours of simulated time in
  // femtoseconds do not overflow. The counter wraps modulo 2^64 like the hardware's.
  unsigned __int128 fs = static_cast<unsigned __int128>(now - base_) * 1000u;
  return counter_at_base_ + static_cast<std::uint64_t>(fs / period_fs_);
}

bool Hpet::valid_access(std::uint64_t offset, unsigned size) {
  return (size == 4 || size == 8) && offset % size == 0 && offset < kWindowBytes &&
         size <= kWindowBytes - offset;
}

std::uint64_t Hpet::register_value(std::uint64_t reg, Picos now) const {
  switch (reg) {
    case GCAP_ID:
      return capabilities();
    case GEN_CONF:
      return config_;
    case MAIN_COUNTER:
      return main_counter(now);
    default:
      return 0;  // reserved, or a comparator that is not modelled
  }
}

bool Hpet::read(std::uint64_t offset, unsigned size, Picos now, std::uint64_t& value) const {
  if (!valid_access(offset, size)) return false;
  std::uint64_t reg = offset & ~7ULL;
  std::uint64_t v = register_value(reg, now);
  if (size == 4) v = (offset & 4) ? v >> 32 : v & 0xFFFFFFFFULL;
  value = v;
  return true;
}

void Hpet::write_register(std::uint64_t reg, std::uint64_t value, std::uint64_t mask, Picos now) {
  if (reg == GEN_CONF) {
    std::uint64_t next = (config_ & ~mask) | (value & mask);
    next &= ENABLE_CNF | LEG_RT_CNF;  // the other bits are reserved (read 0)
    if ((next ^ config_) & ENABLE_CNF) {
      // Halting freezes the count where it is; enabling restarts counting from it
      // (spec 2.3.5: the main counter halts while ENABLE_CNF is 0).
      counter_at_base_ = main_counter(now);
      base_ = now;
    }
    config_ = next;
  } else if (reg == MAIN_COUNTER) {
    // Software should write the counter only while it is halted (spec 2.3.7); a write
    // while it runs takes effect at once.
    std::uint64_t current = main_counter(now);
    counter_at_base_ = (current & ~mask) | (value & mask);
    base_ = now;
  }
  // GCAP_ID is read-only; everything else ignores writes.
}

bool Hpet::write(std::uint64_t offset, unsigned size, std::uint64_t value, Picos now) {
  if (!valid_access(offset, size)) return false;
  std::uint64_t reg = offset & ~7ULL;
  std::uint64_t mask = ~0ULL;
  if (size == 4) {
    unsigned shift = (offset & 4) ? 32 : 0;
    mask = 0xFFFFFFFFULL << shift;
    value = (value & 0xFFFFFFFFULL) << shift;
  }
  write_register(reg, value, mask, now);
  return true;
}

}  // namespace mmvp
