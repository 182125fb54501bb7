#include "sw/mm/gfp.h"

#include <cstdio>

namespace mmvp::sw {

std::string gfp_flag_names(gfp_t gfp) {
  struct Name {
    gfp_t mask;
    const char* name;
  };
  static constexpr Name kNames[] = {
      {GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
      {GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
      {GFP_KERNEL, "GFP_KERNEL"},
      {GFP_ATOMIC, "GFP_ATOMIC"},
      {__GFP_DMA, "GFP_DMA"},
      {__GFP_HIGHMEM, "__GFP_HIGHMEM"},
      {__GFP_DMA32, "GFP_DMA32"},
      {__GFP_HIGH, "__GFP_HIGH"},
      {__GFP_IO, "__GFP_IO"},
      {__GFP_FS, "__GFP_FS"},
      {__GFP_ZERO, "__GFP_ZERO"},
      {__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
      {__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
      {__GFP_NOWARN, "__GFP_NOWARN"},
      {__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
      {__GFP_NORETRY, "__GFP_NORETRY"},
      {__GFP_COMP, "__GFP_COMP"},
      {__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"},
      {__GFP_MOVABLE, "__GFP_MOVABLE"},
  };
  std::string out;
  for (const Name& n : kNames) {
    if ((gfp & n.mask) != n.mask || !n.mask) continue;
    if (!out.empty()) out += '|';
    out += n.name;
    gfp &= ~n.mask;
  }
  if (gfp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%#x", out.empty() ? "" : "|", gfp);
    out += buf;
  }
  return out.empty() ? "0" : out;
}

}  // namespace mmvp::sw
