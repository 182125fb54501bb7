// /proc/dma (kernel/dma.c: proc_dma_show): the ISA DMA channels requested, from the
// dma_chan_busy table in guest memory; channel 4 is always the cascade.
#include <cstdio>

#include "sw/drivers/isa_dma.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_dma(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  std::string out;
  for (unsigned i = 0; i < MAX_DMA_CHANNELS; ++i) {
    if (!dma_channel_busy(k, i)) continue;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%2u: %s\n", i, dma_channel_owner(k, i).c_str());
    out += buf;
  }
  return out;
}

}  // namespace mmvp::sw
