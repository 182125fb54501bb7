// The core's probe signals (waveforms): control registers, the access in flight, the
// exception or interrupt being handled, the kernel routine running, and the MMU's TLB
// hits and misses and walk levels (as its MmuObserver). Pure C++ over VcdWriter; the
// core passes simulated times in picoseconds.
#pragma once
#include <cstdint>
#include <string>

#include "hw/cache/cache_hierarchy.h"
#include "hw/cpu/cpu_port.h"
#include "hw/mmu/mmu.h"
#include "hw/probe/vcd_writer.h"

namespace mmvp {

class CpuProbes : public MmuObserver {
 public:
  // Declares the signals under `scope` (the core's name) and scope + ".mmu.*".
  CpuProbes(VcdWriter& vcd, const std::string& scope, Picos cycle);

  void cr3(std::uint64_t value, Picos t) {
    vcd_.event(WaveEvent::cr3, value, t);
    vcd_.change(sig_.cr3, value, t);
  }
  void cpl(unsigned cpl, Picos t) { vcd_.change(sig_.cpl, cpl, t); }
  void routine(std::uint32_t id, Picos t) {
    vcd_.event(WaveEvent::routine, id, t);
    vcd_.change(sig_.routine, id, t);
  }
  void milestone(CpuPort::Milestone m, std::uint64_t n, Picos t) {
    vcd_.event(m == CpuPort::Milestone::boot_end ? WaveEvent::boot_end : WaveEvent::workload, n, t);
  }
  void exception(unsigned vector, Picos t) { vcd_.change(sig_.exception, vector, t); }
  void irq(unsigned vector, Picos t) { vcd_.change(sig_.irq, vector, t); }
  // One access from start to end.
  void access(LAddr la, PAddr pa, AccessKind k, Picos start, Picos end);
  // A cached access entering at level `first` and answered by `served` at time t: a hit
  // pulse there, a miss pulse at every level it passed (of those present: `present` bit
  // i for CacheLevel i; an L1I access never passes the L1D).
  void cache(CacheLevel first, CacheLevel served, unsigned present, Picos t);
  // Writes every change before t (nothing older can come any more).
  void flush_until(Picos t) { vcd_.flush_until(t); }
  // The simulated time at which the translation now starting began; MmuObserver
  // offsets count from it.
  void begin_translation(Picos t) { translation_start_ = t; }
  Picos translation_start() const { return translation_start_; }

  // MmuObserver
  void tlb_result(TlbLevel level, bool hit, Picos offset) override;
  void walk_level(unsigned level, Picos offset) override;

 private:
  VcdWriter& vcd_;
  Picos cycle_;
  Picos translation_start_ = 0;
  struct Signals {
    VcdWriter::Signal cr3, cpl, la, pa, access, exception, routine, irq;
    VcdWriter::Signal l1d_hit, l1d_miss, l1i_hit, l1i_miss, l2_hit, l2_miss, walk_active,
        walk_level;
  } sig_{};
  VcdWriter::Signal cache_hit_[kCacheLevels] = {}, cache_miss_[kCacheLevels] = {};
};

}  // namespace mmvp
