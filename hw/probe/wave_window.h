// The part of a run a waveform holds: from a start point to a stop point, each a
// simulated time or the first occurrence of an event (mmvp --wave-from/--wave-to).
// Before the start only the signals' values are tracked, so the dump opens with the
// state at the start; after the stop nothing is written. Pure C++.
#pragma once
#include <cstdint>
#include <string>

#include "hw/common/types.h"

namespace mmvp {

// Moments a run announces to its waveform (CpuPort::mark_milestone, the core's probes).
enum class WaveEvent : std::uint8_t {
  time,      // a simulated time (value: picoseconds)
  boot_end,  // the guest kernel finished booting
  workload,  // workload N started (value: N, from 1)
  cr3,       // CR3 was loaded with value
  routine,   // the kernel routine with this id started (sw/kernel/routines.h)
  after,     // (--wave-to only) this long after the start (value: picoseconds)
};

struct WavePoint {
  WaveEvent kind = WaveEvent::time;
  std::uint64_t value = 0;
  std::string text;  // as given, for messages

  // "1500", "40ns", "12us" (a time), "boot-end", "workload:N", "cr3:ADDR" (hex or
  // decimal), "routine:NAME" (resolve_routine gives the id), and for a stop "+TIME"
  // (that long after the start). ConfigError naming `option` otherwise.
  static WavePoint parse(const std::string& text, const std::string& option,
                         std::uint32_t (*resolve_routine)(const std::string& name));
  bool matches(WaveEvent k, std::uint64_t v) const { return kind == k && value == v; }
};

class WaveWindow {
 public:
  WaveWindow() = default;  // everything: from time 0 to the end
  WaveWindow(WavePoint from, WavePoint to);

  // An event at time t: starts or stops the window if it is the awaited one (the first
  // occurrence counts). A stop before the start is ignored.
  void event(WaveEvent kind, std::uint64_t value, Picos t);
  // Whether the start has come; changes in [start(), stop()) are written.
  bool started() const { return started_; }
  Picos start() const { return start_; }
  Picos stop() const { return stop_; }
  const WavePoint& from() const { return from_; }

 private:
  WavePoint from_, to_;
  bool started_ = true, has_to_ = false;
  Picos start_ = 0, stop_ = UINT64_MAX;
};

}  // namespace mmvp
