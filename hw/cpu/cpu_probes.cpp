#include "hw/cpu/cpu_probes.h"

namespace mmvp {

CpuProbes::CpuProbes(VcdWriter& vcd, const std::string& cpu, Picos cycle)
    : vcd_(vcd), cycle_(cycle) {
  sig_.cr3 = vcd.add(cpu, "cr3", 64);
  sig_.cpl = vcd.add(cpu, "cpl", 2);
  sig_.la = vcd.add(cpu, "linear_addr", 64);
  sig_.pa = vcd.add(cpu, "phys_addr", 64);
  sig_.access = vcd.add(cpu, "access", 2);  // 0 idle, 1 read, 2 write, 3 fetch
  sig_.exception = vcd.add(cpu, "exception", 8);
  sig_.irq = vcd.add(cpu, "irq", 8);
  sig_.routine = vcd.add(cpu, "routine", 16);
  sig_.l1d_hit = vcd.add(cpu + ".mmu", "dtlb_hit", 1);
  sig_.l1d_miss = vcd.add(cpu + ".mmu", "dtlb_miss", 1);
  sig_.l1i_hit = vcd.add(cpu + ".mmu", "itlb_hit", 1);
  sig_.l1i_miss = vcd.add(cpu + ".mmu", "itlb_miss", 1);
  sig_.l2_hit = vcd.add(cpu + ".mmu", "stlb_hit", 1);
  sig_.l2_miss = vcd.add(cpu + ".mmu", "stlb_miss", 1);
  sig_.walk_active = vcd.add(cpu + ".mmu", "walk_active", 1);
  sig_.walk_level = vcd.add(cpu + ".mmu", "walk_level", 3);
  for (unsigned l = 0; l < kCacheLevels; ++l) {
    // Names carry their level (l1d_hit): GTKWave shows a row by its last component.
    const std::string level = cache_level_name(static_cast<CacheLevel>(l));
    cache_hit_[l] = vcd.add(cpu + ".cache", level + "_hit", 1);
    cache_miss_[l] = vcd.add(cpu + ".cache", level + "_miss", 1);
  }
}

void CpuProbes::cache(CacheLevel first, CacheLevel served, unsigned present, Picos t) {
  const auto start = static_cast<unsigned>(first);
  for (unsigned l = start; l < kCacheLevels; ++l) {
    if (l == 1 && start == 0) continue;  // an instruction fetch never looks in the L1D
    if (!((present >> l) & 1u)) continue;
    const bool hit = l == static_cast<unsigned>(served);
    const VcdWriter::Signal s = hit ? cache_hit_[l] : cache_miss_[l];
    vcd_.change(s, 1, t);
    vcd_.change(s, 0, t + cycle_);
    if (hit) return;
  }
}

void CpuProbes::access(LAddr la, PAddr pa, AccessKind k, Picos start, Picos end) {
  vcd_.change(sig_.la, la, start);
  vcd_.change(sig_.pa, pa, start);
  vcd_.change(sig_.access, static_cast<unsigned>(k) + 1, start);
  vcd_.change(sig_.access, 0, end);
}

void CpuProbes::tlb_result(TlbLevel level, bool hit, Picos offset) {
  const Picos t = translation_start_ + offset;
  VcdWriter::Signal s;
  switch (level) {
    case TlbLevel::l1d:
      s = hit ? sig_.l1d_hit : sig_.l1d_miss;
      break;
    case TlbLevel::l1i:
      s = hit ? sig_.l1i_hit : sig_.l1i_miss;
      break;
    default:
      s = hit ? sig_.l2_hit : sig_.l2_miss;
      break;
  }
  vcd_.change(s, 1, t);
  vcd_.change(s, 0, t + cycle_);
}

void CpuProbes::walk_level(unsigned level, Picos offset) {
  const Picos t = translation_start_ + offset;
  vcd_.change(sig_.walk_active, level != 0, t);
  vcd_.change(sig_.walk_level, level, t);
}

}  // namespace mmvp
