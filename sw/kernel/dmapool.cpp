// DMA pools (mm/dmapool.c, Linux 6.x): coherent pages of `allocation` bytes carved into
// blocks of `size` that never straddle a `boundary`, the free blocks chained through
// their own first words (struct dma_block: next_block, dma) from pool->next_block.
#include <algorithm>

#include "sw/kernel/dma_mapping.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {
namespace {

// struct dma_pool (the name inline).
namespace dma_pool {
inline constexpr Embedded page_list{0, list::kSize};
inline constexpr Field<LAddr> next_block{16};
inline constexpr Field<std::uint64_t> nr_blocks{24};
inline constexpr Field<std::uint64_t> nr_active{32};
inline constexpr Field<std::uint64_t> nr_pages{40};
inline constexpr Field<LAddr> dev{48};
inline constexpr Field<std::uint32_t> size{56};
inline constexpr Field<std::uint32_t> allocation{60};
inline constexpr Field<std::uint32_t> boundary{64};
inline constexpr unsigned kNameLen = 32;
inline constexpr Embedded name{72, kNameLen};
inline constexpr unsigned kSize = name.end();
}  // namespace dma_pool
// struct dma_page.
namespace dma_page {
inline constexpr Embedded page_list{0, list::kSize};
inline constexpr Field<LAddr> vaddr{16};
inline constexpr Field<PAddr> dma{24};
inline constexpr unsigned kSize = 32;
}  // namespace dma_page
// struct dma_block, inside each free block.
namespace dma_block {
inline constexpr Field<LAddr> next_block{0};
inline constexpr Field<PAddr> dma{8};
inline constexpr unsigned kSize = 16;
}  // namespace dma_block

// pool_initialise_page(): the page's blocks, skipping to the next boundary whenever a
// block would cross it, chained in address order in front of the pool's free blocks.
void pool_initialise_page(Kernel& k, LAddr pool, LAddr page) {
  Guest& g = k.mem;
  const std::uint32_t size = g.get(pool, dma_pool::size);
  const std::uint32_t allocation = g.get(pool, dma_pool::allocation);
  const std::uint32_t boundary = g.get(pool, dma_pool::boundary);
  const LAddr vaddr = g.get(page, dma_page::vaddr);
  const PAddr dma = g.get(page, dma_page::dma);
  std::uint32_t next_boundary = boundary, offset = 0;
  LAddr first = 0, last = 0;
  while (offset + size <= allocation) {
    if (offset + size > next_boundary) {
      offset = next_boundary;
      next_boundary += boundary;
      continue;
    }
    const LAddr block = vaddr + offset;
    g.set(block, dma_block::dma, dma + offset);
    g.set(block, dma_block::next_block, 0);
    if (last)
      g.set(last, dma_block::next_block, block);
    else
      first = block;
    last = block;
    offset += size;
    g.add(pool, dma_pool::nr_blocks, 1);
  }
  g.set(last, dma_block::next_block, g.get(pool, dma_pool::next_block));
  g.set(pool, dma_pool::next_block, first);
  list::add(g, page + dma_page::page_list, pool + dma_pool::page_list);
  g.add(pool, dma_pool::nr_pages, 1);
}

// pool_block_pop().
LAddr pool_block_pop(Kernel& k, LAddr pool) {
  const LAddr block = k.mem.get(pool, dma_pool::next_block);
  if (block) {
    k.mem.set(pool, dma_pool::next_block, k.mem.get(block, dma_block::next_block));
    k.mem.add(pool, dma_pool::nr_active, 1);
  }
  return block;
}

}  // namespace

LAddr dma_pool_create(Kernel& k, const char* name, LAddr dev, std::uint64_t size,
                      std::uint64_t align, std::uint64_t boundary) {
  if (align == 0) align = 1;
  if (align & (align - 1)) return 0;
  if (size == 0 || size > 0x7fffffff) return 0;
  size = std::max<std::uint64_t>(size, dma_block::kSize);
  size = (size + align - 1) & ~(align - 1);
  const std::uint64_t allocation = std::max<std::uint64_t>(size, PAGE_SIZE);
  if (!boundary)
    boundary = allocation;
  else if (boundary < size || (boundary & (boundary - 1)))
    return 0;
  boundary = std::min(boundary, allocation);
  const LAddr pool = kmalloc(k, dma_pool::kSize, GFP_KERNEL);
  if (!pool) return 0;
  Guest& g = k.mem;
  g.zero(pool, dma_pool::kSize);
  list::init(g, pool + dma_pool::page_list);
  g.set(pool, dma_pool::dev, dev);
  g.set(pool, dma_pool::size, static_cast<std::uint32_t>(size));
  g.set(pool, dma_pool::allocation, static_cast<std::uint32_t>(allocation));
  g.set(pool, dma_pool::boundary, static_cast<std::uint32_t>(boundary));
  g.write_string(pool + dma_pool::name, name, dma_pool::kNameLen);
  return pool;
}

LAddr dma_pool_alloc(Kernel& k, LAddr pool, gfp_t gfp, PAddr* handle) {
  RoutineScope r(k, Routine::dma);
  Guest& g = k.mem;
  LAddr block = pool_block_pop(k, pool);
  if (!block) {  // pool_alloc_page()
    const LAddr page = kmalloc(k, dma_page::kSize, gfp & ~__GFP_ZERO);
    if (!page) return 0;
    PAddr dma = 0;
    const LAddr vaddr = dma_alloc_coherent(
        k, g.get(pool, dma_pool::dev), g.get(pool, dma_pool::allocation), &dma, gfp & ~__GFP_ZERO);
    if (!vaddr) {
      kfree(k, page);
      return 0;
    }
    g.set(page, dma_page::vaddr, vaddr);
    g.set(page, dma_page::dma, dma);
    pool_initialise_page(k, pool, page);
    block = pool_block_pop(k, pool);
  }
  *handle = g.get(block, dma_block::dma);
  if (gfp & __GFP_ZERO) g.zero(block, g.get(pool, dma_pool::size));
  return block;
}

void dma_pool_free(Kernel& k, LAddr pool, LAddr vaddr, PAddr dma) {
  // pool_block_push().
  k.mem.set(vaddr, dma_block::dma, dma);
  k.mem.set(vaddr, dma_block::next_block, k.mem.get(pool, dma_pool::next_block));
  k.mem.set(pool, dma_pool::next_block, vaddr);
  k.mem.add(pool, dma_pool::nr_active, ~0ULL);
}

void dma_pool_destroy(Kernel& k, LAddr pool) {
  if (!pool) return;
  Guest& g = k.mem;
  const bool busy = g.get(pool, dma_pool::nr_active) != 0;
  const LAddr dev = g.get(pool, dma_pool::dev);
  if (busy) {
    const std::string dname = k.mem.read_string(dev + device::init_name, device::kNameLen);
    k.printk(dname + " " + dname + ": dma_pool_destroy " +
             g.read_string(pool + dma_pool::name, dma_pool::kNameLen) + " busy");
  }
  const LAddr head = pool + dma_pool::page_list;
  while (!list::empty(g, head)) {
    const LAddr page = g.get(head, list::next) - dma_page::page_list;
    if (!busy)  // blocks still in use keep their pages (leaked, as Linux does)
      dma_free_coherent(k, dev, g.get(pool, dma_pool::allocation), g.get(page, dma_page::vaddr),
                        g.get(page, dma_page::dma));
    list::del(g, page + dma_page::page_list);
    kfree(k, page);
  }
  kfree(k, pool);
}

DmaPoolInfo dma_pool_info(Kernel& k, LAddr pool) {
  DmaPoolInfo i;
  i.nr_active = k.mem.get(pool, dma_pool::nr_active);
  i.nr_blocks = k.mem.get(pool, dma_pool::nr_blocks);
  i.nr_pages = k.mem.get(pool, dma_pool::nr_pages);
  i.size = k.mem.get(pool, dma_pool::size);
  i.allocation = k.mem.get(pool, dma_pool::allocation);
  i.boundary = k.mem.get(pool, dma_pool::boundary);
  return i;
}

}  // namespace mmvp::sw
