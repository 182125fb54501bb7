// Self-tests of the DMA mapping API (suite `dma_api`): streaming mappings against the
// device's mask, dma-debug's checks of unmaps and syncs, scatter-gather, DMA pools and
// their boundary, and dma_alloc_coherent falling back to a lower zone.
#include <string>

#include "sw/drivers/dma_debug.h"
#include "sw/kernel/dma_mapping.h"
#include "sw/kernel/selftest.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {
namespace {

struct Device {
  Kernel& k;
  LAddr dev;
  Device(Kernel& kernel, const char* name, unsigned bits) : k(kernel) {
    dev = kmalloc(k, device::kSize, GFP_KERNEL);
    device_initialize(k, dev, name);
    dma_set_mask_and_coherent(k, dev, DMA_BIT_MASK(bits));
  }
  ~Device() { kfree(k, dev); }
};

std::uint64_t count(Kernel& k, unsigned cls) {
  return dma_debug_violations(k, cls);
}

}  // namespace

KTEST(dma_api, map_single_checks_the_mask) {
  Kernel& k = t.k;
  Device isa(k, "isa_card", 24);
  const std::uint64_t mappings = dma_debug_nr_mappings(k);
  // A GFP_DMA buffer is within a 24-bit mask: mapped at its physical address.
  const LAddr low = kmalloc(k, 512, GFP_KERNEL | GFP_DMA);
  const PAddr addr = dma_map_single(k, isa.dev, low, 512, DMA_TO_DEVICE, "isa_card_xmit");
  KEXPECT_EQ(addr, page::__pa(low));
  KEXPECT_EQ(dma_mapping_error(k, isa.dev, addr), 0);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings + 1);
  const std::uint64_t before = count(k, DMA_MAP_OVERFLOW);
  // A buffer above 16 MB is not: DMA_MAPPING_ERROR, dma_direct_map_page's warning.
  const LAddr high = __get_free_pages(k, GFP_KERNEL, 0);
  KEXPECT(page::__pa(high) >= (16u << 20));
  PAddr bad = 0;
  const std::string log = capture_console(
      k, [&] { bad = dma_map_single(k, isa.dev, high, 512, DMA_FROM_DEVICE, "isa_card_recv"); });
  KEXPECT_EQ(bad, DMA_MAPPING_ERROR);
  KEXPECT_EQ(dma_mapping_error(k, isa.dev, bad), 1);
  KEXPECT_EQ(count(k, DMA_MAP_OVERFLOW), before + 1);
  KEXPECT(log.find("DMA-API: isa_card isa_card: DMA addr 0x") != std::string::npos);
  KEXPECT(log.find("+512 overflow (mask ffffff, bus limit 0).") != std::string::npos);
  KEXPECT(log.find(" isa_card_recv+0x") != std::string::npos);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings + 1);  // the failed map is not recorded
  // A 32-bit device reaches it.
  Device pci(k, "pci_card", 32);
  const PAddr ok = dma_map_single(k, pci.dev, high, 512, DMA_FROM_DEVICE, "pci_card_recv");
  KEXPECT_EQ(ok, page::__pa(high));
  KEXPECT_EQ(dma_mapping_error(k, pci.dev, ok), 0);
  dma_unmap_single(k, pci.dev, ok, 512, DMA_FROM_DEVICE);
  dma_unmap_single(k, isa.dev, addr, 512, DMA_TO_DEVICE);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings);
  free_page(k, high);
  kfree(k, low);
}

KTEST(dma_api, unmap_is_checked_as_dma_debug_does) {
  Kernel& k = t.k;
  Device isa(k, "isa_card", 24);
  const LAddr buf = kmalloc(k, 1024, GFP_KERNEL | GFP_DMA);
  const unsigned classes[] = {DMA_UNMAP_WRONG_SIZE, DMA_UNMAP_WRONG_DIR, DMA_MAP_ERR_UNCHECKED,
                              DMA_UNMAP_NOT_MAPPED};
  std::uint64_t before[4];
  for (unsigned i = 0; i < 4; ++i) before[i] = count(k, classes[i]);
  // Mapped with 1024 bytes to the device, not checked with dma_mapping_error, unmapped
  // with 512 bytes from the device: three reports, and the mapping is gone.
  const PAddr addr = dma_map_single(k, isa.dev, buf, 1024, DMA_TO_DEVICE, "isa_card_xmit");
  const std::string log =
      capture_console(k, [&] { dma_unmap_single(k, isa.dev, addr, 512, DMA_FROM_DEVICE); });
  KEXPECT_EQ(count(k, DMA_UNMAP_WRONG_SIZE), before[0] + 1);
  KEXPECT_EQ(count(k, DMA_UNMAP_WRONG_DIR), before[1] + 1);
  KEXPECT_EQ(count(k, DMA_MAP_ERR_UNCHECKED), before[2] + 1);
  KEXPECT(log.find("device driver frees DMA memory with different size [device address=0x") !=
          std::string::npos);
  KEXPECT(log.find("[map size=1024 bytes] [unmap size=512 bytes]") != std::string::npos);
  KEXPECT(log.find("[mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]") !=
          std::string::npos);
  KEXPECT(log.find("device driver failed to check map error") != std::string::npos);
  KEXPECT(log.find("Mapped at:\n isa_card_xmit+0x") != std::string::npos);
  // Unmapping it again: not mapped.
  const std::string again =
      capture_console(k, [&] { dma_unmap_single(k, isa.dev, addr, 1024, DMA_TO_DEVICE); });
  KEXPECT_EQ(count(k, DMA_UNMAP_NOT_MAPPED), before[3] + 1);
  KEXPECT(again.find("device driver tries to free DMA memory it has not allocated") !=
          std::string::npos);
  kfree(k, buf);
}

KTEST(dma_api, sync_is_checked_against_the_mapping) {
  Kernel& k = t.k;
  Device isa(k, "isa_card", 24);
  const LAddr buf = kmalloc(k, 2048, GFP_KERNEL | GFP_DMA);
  const PAddr addr = dma_map_single(k, isa.dev, buf, 2048, DMA_FROM_DEVICE, "isa_card_recv");
  KEXPECT_EQ(dma_mapping_error(k, isa.dev, addr), 0);
  const std::uint64_t range = count(k, DMA_SYNC_OUT_OF_RANGE), dir = count(k, DMA_SYNC_WRONG_DIR);
  const std::uint64_t unmapped = count(k, DMA_SYNC_NOT_MAPPED);
  dma_sync_single_for_cpu(k, isa.dev, addr + 1024, 1024, DMA_FROM_DEVICE);  // fine
  KEXPECT_EQ(count(k, DMA_SYNC_OUT_OF_RANGE), range);
  dma_sync_single_for_cpu(k, isa.dev, addr + 1024, 2048, DMA_FROM_DEVICE);
  KEXPECT_EQ(count(k, DMA_SYNC_OUT_OF_RANGE), range + 1);
  dma_sync_single_for_device(k, isa.dev, addr, 2048, DMA_TO_DEVICE);
  KEXPECT_EQ(count(k, DMA_SYNC_WRONG_DIR), dir + 1);
  dma_unmap_single(k, isa.dev, addr, 2048, DMA_FROM_DEVICE);
  dma_sync_single_for_cpu(k, isa.dev, addr, 2048, DMA_FROM_DEVICE);
  KEXPECT_EQ(count(k, DMA_SYNC_NOT_MAPPED), unmapped + 1);
  kfree(k, buf);
}

KTEST(dma_api, scatter_gather_maps_each_entry) {
  Kernel& k = t.k;
  Device isa(k, "isa_card", 24);
  const LAddr sgl = kmalloc(k, 3 * scatterlist::kSize, GFP_KERNEL);
  LAddr bufs[3];
  sg_init_table(k, sgl, 3);
  for (unsigned i = 0; i < 3; ++i) {
    bufs[i] = __get_free_pages(k, GFP_DMA, 0);
    sg_set_buf(k, sgl + i * scatterlist::kSize, bufs[i] + 256, 1024);
  }
  KEXPECT_EQ(k.mem.get(sgl + 2 * scatterlist::kSize, scatterlist::page_link) & scatterlist::SG_END,
             scatterlist::SG_END);
  const std::uint64_t mappings = dma_debug_nr_mappings(k);
  KEXPECT_EQ(dma_map_sg(k, isa.dev, sgl, 3, DMA_TO_DEVICE, "isa_card_sg"), 3);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings + 3);
  for (unsigned i = 0; i < 3; ++i) {
    const LAddr sg = sgl + i * scatterlist::kSize;
    KEXPECT_EQ(k.mem.get(sg, scatterlist::dma_address), page::__pa(bufs[i]) + 256);
    KEXPECT_EQ(k.mem.get(sg, scatterlist::dma_length), 1024u);
  }
  // Unmapping with another entry count is reported; every entry is still unmapped.
  const std::uint64_t wrong = count(k, DMA_SG_WRONG_COUNT);
  dma_unmap_sg(k, isa.dev, sgl, 3, DMA_TO_DEVICE);
  KEXPECT_EQ(count(k, DMA_SG_WRONG_COUNT), wrong);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings);
  KEXPECT_EQ(dma_map_sg(k, isa.dev, sgl, 3, DMA_TO_DEVICE, "isa_card_sg"), 3);
  dma_unmap_sg(k, isa.dev, sgl, 2, DMA_TO_DEVICE);
  KEXPECT(count(k, DMA_SG_WRONG_COUNT) > wrong);
  // The third entry is left mapped by that bug; unmap it as Linux would leave it.
  dma_unmap_sg(k, isa.dev, sgl + 2 * scatterlist::kSize, 3, DMA_TO_DEVICE);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings);
  // One entry out of the mask's reach: nothing is left mapped, 0 is returned.
  const LAddr high = __get_free_pages(k, GFP_KERNEL, 0);
  sg_set_buf(k, sgl + scatterlist::kSize, high, 512);
  KEXPECT_EQ(dma_map_sg(k, isa.dev, sgl, 3, DMA_TO_DEVICE, "isa_card_sg"), 0);
  KEXPECT_EQ(dma_debug_nr_mappings(k), mappings);
  free_page(k, high);
  for (LAddr b : bufs) free_page(k, b);
  kfree(k, sgl);
}

KTEST(dma_api, dma_pool_blocks_respect_the_boundary) {
  Kernel& k = t.k;
  Device isa(k, "isa_card", 24);
  // The ISA rule: a block may not cross 64 KB. Blocks of 1536 bytes, 16-aligned.
  const LAddr pool = dma_pool_create(k, "isa_ring", isa.dev, 1536, 16, 0x10000);
  KEXPECT(pool != 0);
  LAddr blocks[12];
  PAddr dma[12];
  for (unsigned i = 0; i < 12; ++i) {
    blocks[i] = dma_pool_alloc(k, pool, GFP_KERNEL | __GFP_ZERO, &dma[i]);
    KEXPECT(blocks[i] != 0);
    KEXPECT_EQ(dma[i], page::__pa(blocks[i]));
    KEXPECT(dma[i] + 1536 <= (16u << 20));
    KEXPECT_EQ(dma[i] >> 16, (dma[i] + 1535) >> 16);
    KEXPECT_EQ(dma[i] % 16, 0u);
    KEXPECT_EQ(k.mem.r64(blocks[i] + 8), 0u);
  }
  DmaPoolInfo info = dma_pool_info(k, pool);
  KEXPECT_EQ(info.allocation, PAGE_SIZE);
  KEXPECT_EQ(info.nr_active, 12u);
  KEXPECT_EQ(info.nr_blocks, info.nr_pages * 2);  // two 1536-byte blocks per 4 KB page
  // A small boundary: 400-byte blocks never straddle a 1 KB line, so two fit per KB.
  const LAddr small = dma_pool_create(k, "isa_small", isa.dev, 400, 8, 1024);
  PAddr d = 0;
  for (unsigned i = 0; i < 10; ++i) {
    dma_pool_alloc(k, small, GFP_KERNEL, &d);
    KEXPECT_EQ(d >> 10, (d + 399) >> 10);
  }
  KEXPECT_EQ(dma_pool_info(k, small).nr_pages, 2u);                   // 10 blocks need two pages
  KEXPECT_EQ(dma_pool_info(k, small).nr_blocks, 16u);                 // 2 per KB, 8 per page
  KEXPECT_EQ(dma_pool_create(k, "bad", isa.dev, 4096, 8, 1024), 0u);  // boundary < size
  KEXPECT_EQ(dma_pool_create(k, "bad", isa.dev, 64, 3, 0), 0u);       // align not 2^n
  // Freed blocks are handed out again, last freed first.
  dma_pool_free(k, pool, blocks[5], dma[5]);
  PAddr again = 0;
  KEXPECT_EQ(dma_pool_alloc(k, pool, GFP_KERNEL, &again), blocks[5]);
  KEXPECT_EQ(again, dma[5]);
  for (unsigned i = 0; i < 12; ++i) dma_pool_free(k, pool, blocks[i], dma[i]);
  KEXPECT_EQ(dma_pool_info(k, pool).nr_active, 0u);
  const std::string log = capture_console(k, [&] { dma_pool_destroy(k, small); });
  KEXPECT(log.find("dma_pool_destroy isa_small busy") != std::string::npos);
  dma_pool_destroy(k, pool);
}

KTEST(dma_api, coherent_alloc_falls_back_to_a_lower_zone) {
  Kernel& k = t.k;
  // A 25-bit mask (32 MB) lies between the zones' limits: ZONE_DMA32 is tried first,
  // and once it hands out a block above 32 MB that block is freed and ZONE_DMA tried
  // (__dma_direct_alloc_pages). Taking 64 KB buffers until none is left shows both,
  // and never a buffer beyond the mask.
  Device dev(k, "card25", 25);
  constexpr std::uint64_t kSize = 0x10000;
  LAddr chain = 0;
  unsigned from_dma32 = 0, from_dma = 0;
  bool within = true;
  for (;;) {
    PAddr handle = 0;
    const LAddr buf = dma_alloc_coherent(k, dev.dev, kSize, &handle, GFP_KERNEL | __GFP_NOWARN);
    if (!buf) break;
    within = within && handle + kSize - 1 <= DMA_BIT_MASK(25);
    (page_zonenum(k, page::virt_to_page(buf)) == ZONE_DMA ? from_dma : from_dma32) += 1;
    k.mem.w64(buf, chain);
    chain = buf;
  }
  KEXPECT(within);
  KEXPECT(from_dma32 > 0);
  KEXPECT(from_dma > 0);
  while (chain) {
    const LAddr next = k.mem.r64(chain);
    dma_free_coherent(k, dev.dev, kSize, chain, page::__pa(chain));
    chain = next;
  }
}

}  // namespace mmvp::sw
