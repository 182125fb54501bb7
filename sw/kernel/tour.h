// The demo's kernel workload: exercises every allocator the way kernel code does,
// leaving some long-lived allocations behind (a driver's cache with live objects, a
// vmalloc'd buffer, the HPET mapped with ioremap) so /proc shows a kernel at work.
#pragma once
#include "sw/kernel/kernel.h"

namespace mmvp::sw {

void allocator_tour(Kernel& k);

}  // namespace mmvp::sw
