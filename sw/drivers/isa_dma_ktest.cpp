// Self-tests of ISA DMA (suite `isa_dma`): the pattern card moves verified data on
// every channel in both directions from buffers the validator accepts; each kind of
// bad buffer is flagged with its class (kmalloc without GFP_DMA above 16 MB, vmalloc,
// a 64 KB / 128 KB boundary crossing, a slab object too small, free pages, two
// unrelated allocations, pages freed in flight); fatal mode panics; and
// dma_alloc_coherent keeps to the zone the mask allows, NULL once it is exhausted.
#include <string>

#include "sw/drivers/dma_debug.h"
#include "sw/drivers/isa_dma.h"
#include "sw/drivers/isa_pattern.h"
#include "sw/kernel/dma_mapping.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {
namespace {

constexpr unsigned kChannels[] = {0, 1, 2, 3, 5, 6, 7};

struct Counts {
  std::uint64_t v[NR_DMA_VIOLATIONS];
};
Counts counts(Kernel& k) {
  Counts c{};
  for (unsigned i = 0; i < NR_DMA_VIOLATIONS; ++i) c.v[i] = dma_debug_violations(k, i);
  return c;
}
// The violations of class `cls` since `before`, and of all the others.
std::uint64_t added(Kernel& k, const Counts& before, unsigned cls) {
  return dma_debug_violations(k, cls) - before.v[cls];
}
std::uint64_t added_total(Kernel& k, const Counts& before) {
  std::uint64_t n = 0;
  for (unsigned i = 0; i < NR_DMA_VIOLATIONS; ++i) n += added(k, before, i);
  return n;
}

bool page_busy(Kernel& k, LAddr va) {
  return (k.mem.get(page::virt_to_page(va), page::flags) & page::PG_dma_busy) != 0;
}

// Memory -> device of `bytes` from `buf` on `chan`: the card only reads, so a bad
// address harms nothing.
PatternResult read_out(Kernel& k, unsigned chan, LAddr buf, std::uint32_t bytes,
                       const char* caller = __builtin_FUNCTION()) {
  PatternTransfer x;
  x.chan = chan;
  x.buf = buf;
  x.bytes = bytes;
  x.to_memory = false;
  x.seed = 0x33;
  return isa_pattern_transfer(k, x, caller);
}

KTEST(isa_dma, good_transfers_every_channel_both_directions) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  const Counts before = counts(k);
  for (unsigned chan : kChannels) {
    for (bool to_memory : {true, false}) {
      PAddr handle = 0;
      LAddr buf = dma_alloc_coherent(k, isa_pattern_device(), 2048, &handle, GFP_KERNEL);
      KEXPECT(buf != 0);
      KEXPECT(handle + 2048 <= MAX_DMA_PHYS);
      PatternTransfer x;
      x.chan = chan;
      x.buf = buf;
      x.bytes = 1024;
      x.to_memory = to_memory;
      x.seed = static_cast<std::uint8_t>(chan * 16 + to_memory);
      PatternResult r = isa_pattern_transfer(k, x);
      if (!r.ok())
        t.fail(__FILE__, __LINE__,
               "channel " + std::to_string(chan) + (to_memory ? " dev->mem" : " mem->dev") +
                   ": completed " + std::to_string(r.completed) + " tc " + std::to_string(r.tc) +
                   " status " + std::to_string(r.status) + " residue " + std::to_string(r.residue) +
                   " mismatches " + std::to_string(r.mismatches) + " device errors " +
                   std::to_string(r.device_errors));
      KEXPECT(r.completed);
      KEXPECT(r.tc);
      KEXPECT_EQ(r.residue, 0u);
      KEXPECT_EQ(r.mismatches, 0u);
      KEXPECT_EQ(r.device_errors, 0u);
      KEXPECT(r.ok());
      KEXPECT(!page_busy(k, buf));  // cleared at TC
      // Past the count nothing moved: the second KB is still zero.
      if (to_memory) KEXPECT_EQ(k.mem.r64(buf + 1024), 0u);
      KEXPECT(!dma_channel_busy(k, chan));
      dma_free_coherent(k, isa_pattern_device(), 2048, buf, handle);
    }
  }
  KEXPECT_EQ(added_total(k, before), 0u);
}

KTEST(isa_dma, no_false_alarm_on_good_buffers) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  const Counts before = counts(k);
  // A dma-kmalloc object of exactly the transfer's size.
  LAddr obj = kmalloc(k, 512, GFP_KERNEL | GFP_DMA);
  KEXPECT(page::__pa(obj) < MAX_DMA_PHYS);
  KEXPECT(read_out(k, 3, obj, 512).ok());
  kfree(k, obj);
  // Two pages of one order-1 allocation, and a transfer starting in its second page.
  LAddr pg = alloc_pages(k, GFP_DMA, 1);
  LAddr va = page::page_to_virt(pg);
  KEXPECT(read_out(k, 1, va, 8192).ok());
  KEXPECT(read_out(k, 6, va + 4096, 4096).ok());
  KEXPECT(!page_busy(k, va) && !page_busy(k, va + 4096));
  __free_pages(k, pg, 1);
  KEXPECT_EQ(added_total(k, before), 0u);
  KEXPECT(dma_debug_checked(k) >= 3u);
}

KTEST(isa_dma, kmalloc_without_gfp_dma_above_16mb) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  const Counts before = counts(k);
  LAddr obj = kmalloc(k, 512, GFP_KERNEL);  // ZONE_DMA32 on this machine: above 16 MB
  KEXPECT(page::__pa(obj) >= MAX_DMA_PHYS);
  PatternResult r = read_out(k, 2, obj, 512);
  KEXPECT(r.completed);
  KEXPECT_EQ(added(k, before, DMA_ABOVE_16MB), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  kfree(k, obj);
}

KTEST(isa_dma, vmalloc_buffer_is_not_contiguous) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  const Counts before = counts(k);
  LAddr buf = vmalloc(k, 8192, "isa_dma_ktest");
  KEXPECT(read_out(k, 1, buf, 4096).completed);
  KEXPECT_EQ(added(k, before, DMA_NOT_CONTIGUOUS), 1u);
  // Its "bus address" (virt_to_bus of a vmalloc address) is no RAM below 16 MB either.
  KEXPECT_EQ(added(k, before, DMA_ABOVE_16MB), 1u);
  vfree(k, buf);
}

KTEST(isa_dma, boundary_crossings) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  Counts before = counts(k);
  // 128 KB from ZONE_DMA is 128 KB aligned: 512 bytes from 256 below its middle cross
  // the 64 KB boundary (the 8237 would wrap to the start of the block).
  PAddr handle = 0;
  LAddr buf = dma_alloc_coherent(k, isa_pattern_device(), 0x20000, &handle, GFP_KERNEL);
  KEXPECT(buf != 0 && (handle & 0x1FFFF) == 0);
  KEXPECT(read_out(k, 1, buf + 0x10000 - 256, 512).completed);
  KEXPECT_EQ(added(k, before, DMA_CROSSES_64K), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  // The same range is fine for a 16-bit channel (128 KB pages).
  before = counts(k);
  KEXPECT(read_out(k, 5, buf + 0x10000 - 256, 512).ok());
  KEXPECT_EQ(added_total(k, before), 0u);
  dma_free_coherent(k, isa_pattern_device(), 0x20000, buf, handle);
  // 256 KB: across its middle is a 128 KB boundary.
  before = counts(k);
  buf = dma_alloc_coherent(k, isa_pattern_device(), 0x40000, &handle, GFP_KERNEL);
  KEXPECT(buf != 0);
  KEXPECT(read_out(k, 7, buf + 0x20000 - 256, 512).completed);
  KEXPECT_EQ(added(k, before, DMA_CROSSES_128K), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  dma_free_coherent(k, isa_pattern_device(), 0x40000, buf, handle);
}

KTEST(isa_dma, not_contiguous_kinds) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  // A dma-kmalloc-64 object asked to take 512 bytes.
  Counts before = counts(k);
  LAddr obj = kmalloc(k, 64, GFP_KERNEL | GFP_DMA);
  KEXPECT(read_out(k, 0, obj, 512).completed);
  KEXPECT_EQ(added(k, before, DMA_NOT_CONTIGUOUS), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  kfree(k, obj);
  // A page already given back to the buddy allocator.
  before = counts(k);
  LAddr freed = __get_free_pages(k, GFP_DMA, 0);
  free_pages(k, freed, 0);
  KEXPECT(read_out(k, 3, freed, 1024).completed);
  KEXPECT_EQ(added(k, before, DMA_NOT_CONTIGUOUS), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  // Two adjacent single pages from two allocations: one transfer over both.
  before = counts(k);
  LAddr pages[8] = {};
  LAddr lower = 0;
  for (unsigned i = 0; i < 8 && !lower; ++i) {
    pages[i] = __get_free_pages(k, GFP_DMA, 0);
    for (unsigned j = 0; j < i; ++j)
      if (pages[j] + PAGE_SIZE == pages[i]) lower = pages[j];
  }
  KEXPECT(lower != 0);
  KEXPECT(read_out(k, 2, lower + 2048, 4096).completed);
  KEXPECT_EQ(added(k, before, DMA_NOT_CONTIGUOUS), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  for (LAddr p : pages) free_pages(k, p, 0);
}

KTEST(isa_dma, freed_in_flight) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  const Counts before = counts(k);
  LAddr pg = alloc_pages(k, GFP_DMA, 1);
  LAddr va = page::page_to_virt(pg);
  PatternTransfer x;
  x.chan = 1;
  x.buf = va + 4096;  // the second page: __free_pages sees the head marked
  x.bytes = 2048;
  x.to_memory = false;
  KEXPECT_EQ(isa_pattern_start(k, x), 0);
  KEXPECT(page_busy(k, va + 4096));
  KEXPECT(page_busy(k, va));
  __free_pages(k, pg, 1);  // the driver's bug: the transfer still runs
  KEXPECT_EQ(added(k, before, DMA_FREED_IN_FLIGHT), 1u);
  KEXPECT_EQ(added_total(k, before), 1u);
  // The free went through: the block is free (on a per-CPU list until it drains), unmarked.
  KEXPECT_EQ(k.mem.get(pg, page::refcount), 0);
  drain_all_pages(k);
  KEXPECT(!page_busy(k, va) && !page_busy(k, va + 4096));
  KEXPECT(isa_pattern_wait(k, x).completed);
  KEXPECT_EQ(added_total(k, before), 1u);
}

KTEST(isa_dma, fatal_mode_panics) {
  Kernel& k = t.k;
  KEXPECT_EQ(isa_pattern_probe(k), 0);
  PAddr handle = 0;
  LAddr buf = dma_alloc_coherent(k, isa_pattern_device(), 0x20000, &handle, GFP_KERNEL);
  dma_debug_set_fatal(k, true);
  std::string what;
  try {
    read_out(k, 1, buf + 0xFF00, 512);
  } catch (const KernelPanic& e) {
    what = e.what();
  }
  dma_debug_set_fatal(k, false);
  KEXPECT(what.find("crosses_64k") != std::string::npos);
  KEXPECT(what.find("fatal_mode_panics") != std::string::npos);  // the caller is named
  // The panic came before the channel was unmasked: nothing is marked busy.
  KEXPECT(!page_busy(k, buf + 0xF000));
  free_dma(k, 1);
  dma_free_coherent(k, isa_pattern_device(), 0x20000, buf, handle);
}

KTEST(isa_dma, dma_alloc_coherent_zones) {
  Kernel& k = t.k;
  LAddr dev = kzalloc(k, device::kSize, GFP_KERNEL);  // a device of our own
  device_initialize(k, dev, "ktest-dev");
  // 32-bit mask: ZONE_DMA32 (this machine has no ZONE_NORMAL above 4 GB).
  PAddr handle = 0;
  LAddr buf = dma_alloc_coherent(k, dev, 4096, &handle, GFP_KERNEL);
  KEXPECT(buf != 0);
  KEXPECT_EQ(page_zonenum(k, page::virt_to_page(buf)), ZONE_DMA32);
  KEXPECT_EQ(k.mem.r64(buf + 8), 0u);  // zeroed
  dma_free_coherent(k, dev, 4096, buf, handle);
  // 24-bit mask: ZONE_DMA until it is exhausted, then NULL, never a higher zone.
  KEXPECT_EQ(dma_set_mask_and_coherent(k, dev, DMA_BIT_MASK(24)), 0);
  KEXPECT_EQ(dma_set_mask_and_coherent(k, dev, DMA_BIT_MASK(20)), -5);
  const std::uint64_t dma32_free = zone_free_and_pcp_pages(k, ZONE_DMA32);
  // Take all of ZONE_DMA, largest blocks first; the blocks are chained through their
  // first word, with the order in the second.
  // GFP_DMA alone does not reclaim, so the per-CPU lists are drained by hand until
  // nothing more comes out (GFP_KERNEL's slow path would drain them).
  LAddr chain = 0;
  for (bool more = true; more;) {
    more = false;
    for (int order = MAX_ORDER; order >= 0; --order) {
      while (LAddr p = __get_free_pages(k, GFP_DMA | __GFP_NOWARN, static_cast<unsigned>(order))) {
        k.mem.w64(p, chain);
        k.mem.w64(p + 8, static_cast<std::uint64_t>(order));
        chain = p;
        more = true;
      }
    }
    if (zone_pcp_count(k, ZONE_DMA) == 0) break;
    drain_all_pages(k);
  }
  KEXPECT(chain != 0);
  handle = 1;
  KEXPECT_EQ(dma_alloc_coherent(k, dev, 4096, &handle, GFP_KERNEL | __GFP_NOWARN), 0u);
  KEXPECT_EQ(handle, 0u);
  KEXPECT_EQ(zone_free_and_pcp_pages(k, ZONE_DMA32), dma32_free);  // no fallback upwards
  while (chain) {
    LAddr next = k.mem.r64(chain);
    free_pages(k, chain, static_cast<unsigned>(k.mem.r64(chain + 8)));
    chain = next;
  }
  buf = dma_alloc_coherent(k, dev, 8192, &handle, GFP_KERNEL);
  KEXPECT(buf != 0);
  KEXPECT(handle + 8192 <= MAX_DMA_PHYS);
  KEXPECT_EQ(page_zonenum(k, page::virt_to_page(buf)), ZONE_DMA);
  dma_free_coherent(k, dev, 8192, buf, handle);
  kfree(k, dev);
}

// proc_dma_show(): "%2d: %s" for every channel requested, the cascade included.
KTEST(isa_dma, proc_dma_lists_requested_channels) {
  Kernel& k = t.k;
  KEXPECT(proc_dma(k) == " 4: cascade\n");
  KEXPECT_EQ(request_dma(k, 1, "ktest-floppy"), 0);
  KEXPECT_EQ(request_dma(k, 6, "ktest-sb16"), 0);
  KEXPECT(proc_dma(k) == " 1: ktest-floppy\n 4: cascade\n 6: ktest-sb16\n");
  free_dma(k, 1);
  free_dma(k, 6);
  KEXPECT(proc_dma(k) == " 4: cascade\n");
}

KTEST(isa_dma, channel_table) {
  Kernel& k = t.k;
  KEXPECT(dma_channel_busy(k, 4));  // the cascade
  KEXPECT_EQ(request_dma(k, 4, "x"), -16);
  KEXPECT_EQ(request_dma(k, 8, "x"), -22);
  KEXPECT_EQ(request_dma(k, 3, "ktest"), 0);
  KEXPECT_EQ(request_dma(k, 3, "ktest"), -16);
  free_dma(k, 3);
  KEXPECT(!dma_channel_busy(k, 3));
  // The lock is interrupts off, restored after.
  local_irq_enable(k);
  unsigned long flags = claim_dma_lock(k);
  KEXPECT_EQ(flags, 1u);
  KEXPECT_EQ(claim_dma_lock(k), 0u);
  release_dma_lock(k, flags);
  KEXPECT_EQ(local_irq_save(k), 1u);
}

}  // namespace
}  // namespace mmvp::sw
