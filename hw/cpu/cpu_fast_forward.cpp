// The core while fast-forwarding (CpuPort::set_fast_forward): functional accesses, as
// gem5's atomic CPU in atomic_noncaching mode makes them. Translation is the MMU's as
// always (TLBs filled, the walker setting A/D bits), so the TLBs leave fast-forward as
// warm as a detailed run would leave them; the caches and memory timing are skipped.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hw/cpu/cpu_module.h"

namespace mmvp {

std::uint8_t* CpuCore::functional_host(LAddr la, AccessKind kind) {
  const LAddr page = la & ~LAddr{4095};
  if (page == functional_page_.page && kind == functional_page_.kind)
    return functional_page_.host + (la & 4095);
  // The walker's accesses are timed from here; their time is dropped with the rest.
  translate_start_ = local_;
  walk_offset_ = 0;
  const bool write = kind == AccessKind::write;
  const TranslateResult r = mmu_.translate(la, kind, arch_.paging());
  std::uint8_t* host =
      r.fault == FaultKind::none && !r.uncacheable ? dmi_host(r.pa, write) : nullptr;
  if (!host)
    throw CpuHalt(
        fmt::format("fast-forward: the {} at {:#x} {}", write ? "store" : "load", la,
                    r.fault != FaultKind::none ? "faults" : "reaches no cacheable memory"));
  // A DMI grant covers whole 4 KB frames, so the page's host bytes are one run.
  static_assert(DmiTable::kFrameBytes % 4096 == 0, "DMI frames of whole pages");
  functional_page_ = {page, kind, host - (la & 4095)};
  return host;
}

void CpuCore::functional_access(LAddr la, void* data, unsigned size, AccessKind kind) {
  const bool write = kind == AccessKind::write;
  auto* bytes = static_cast<std::uint8_t*>(data);
  for (unsigned done = 0; done < size;) {
    const LAddr at = la + done;
    const unsigned n = std::min<unsigned>(size - done, 4096 - static_cast<unsigned>(at & 4095));
    std::uint8_t* host = functional_host(at, kind);
    if (bytes) std::memcpy(write ? host : bytes + done, write ? bytes + done : host, n);
    done += n;
  }
}

}  // namespace mmvp
