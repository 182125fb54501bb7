// The per-CPU page lists (mm/page_alloc.c, Linux 6.7+): orders 0-3 per migrate type
// and pageblock-order pages, filled from the buddy lists `batch` blocks at a time
// (rmqueue_bulk), drained back when they hold `high` pages (free_pcppages_bulk), with
// high adapting between high_min and high_max (nr_pcp_high / nr_pcp_alloc) and batch
// and the bounds sized from the zone (zone_batchsize, zone_highsize). Pages on these
// lists are not free in NR_FREE_PAGES: buddyinfo sees a freed page only once its list
// drains, as on Linux. One CPU; the vmstat worker's decay_pcp_high is not modelled.
#include <algorithm>

#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/page_alloc_internal.h"

namespace mmvp::sw {
namespace {

constexpr int MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;

std::int32_t get(Kernel& k, unsigned z, Field<std::int32_t> f) {
  return k.mem.get(pcp_addr(z), f);
}
void put(Kernel& k, unsigned z, Field<std::int32_t> f, std::int32_t v) {
  k.mem.set(pcp_addr(z), f, v);
}

// zone_batchsize(): about a quarter of a thousandth of the zone, at most 1 MB, a power
// of two minus one.
int zone_batchsize(std::uint64_t managed) {
  std::uint64_t batch = std::min<std::uint64_t>(managed >> 10, (1ULL << 20) / PAGE_SIZE);
  batch /= 4;
  if (batch < 1) batch = 1;
  const std::uint64_t x = batch + batch / 2;
  return static_cast<int>((1ULL << (63 - __builtin_clzll(x))) - 1);  // rounddown_pow_of_two - 1
}

// zone_highsize(): the low watermark (high_fraction 0) or a fraction of the zone,
// split over the node's CPUs (one here, none yet online while booting).
int zone_highsize(Kernel& k, unsigned z, int batch, int high_fraction) {
  const std::uint64_t total =
      high_fraction == 0 ? zone_wmark(k, z, WMARK_LOW) : zone_managed_pages(k, z) / high_fraction;
  constexpr std::uint64_t nr_split_cpus = 1;  // cpumask_weight(cpumask_of_node) + cpu_online 0
  const auto high = static_cast<std::int64_t>(total / nr_split_cpus);
  return static_cast<int>(std::max<std::int64_t>(high, static_cast<std::int64_t>(batch) << 2));
}

bool below_high(Kernel& k, unsigned z) {
  return k.mem.get(zone_addr(z), zone::flags) & ZONE_BELOW_HIGH;
}

// nr_pcp_alloc(): how many blocks a refill takes, doubling (alloc_factor) over
// consecutive refills without a free in between.
int nr_pcp_alloc(Kernel& k, unsigned z, unsigned order) {
  const int base_batch = get(k, z, pcp::batch);
  const int high_min = get(k, z, pcp::high_min), high_max = get(k, z, pcp::high_max);
  int high = std::clamp(get(k, z, pcp::high), high_min, high_max);
  put(k, z, pcp::high, high);
  if (high < base_batch) return 1;  // the boot pageset
  const LAddr p = pcp_addr(z);
  const unsigned factor = k.mem.get(p, pcp::alloc_factor);
  int batch = order ? base_batch : base_batch << factor;
  if (high_min != high_max && !below_high(k, z)) {
    high = std::min(high + batch, high_max);
    put(k, z, pcp::high, high);
  }
  if (!order) {
    const int max_nr_alloc = std::max(high - get(k, z, pcp::count) - base_batch, base_batch);
    if (batch <= max_nr_alloc && factor < CONFIG_PCP_BATCH_SCALE_MAX)
      k.mem.set(p, pcp::alloc_factor, static_cast<std::uint8_t>(factor + 1));
    batch = std::min(batch, max_nr_alloc);
  }
  if (batch > 1) batch = std::max(batch >> order, 2);
  return batch;
}

// nr_pcp_high(): the count at which a free drains the lists, adjusting high.
int nr_pcp_high(Kernel& k, unsigned z, int batch, bool free_high) {
  const int high_min = get(k, z, pcp::high_min), high_max = get(k, z, pcp::high_max);
  int high = std::clamp(get(k, z, pcp::high), high_min, high_max);
  put(k, z, pcp::high, high);
  if (!high) return 0;
  if (free_high) {
    put(k, z, pcp::high, std::max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), high_min));
    return 0;
  }
  if (high_min == high_max) return high;
  const int count = get(k, z, pcp::count), free_count = get(k, z, pcp::free_count);
  if (below_high(k, z)) {
    put(k, z, pcp::high, std::max(high - std::max(free_count, batch), high_min));
    high = std::max(count, high_min);
  } else if (count >= high) {
    const int need_high = free_count + batch;  // room for a batch of frees
    if (high < need_high) put(k, z, pcp::high, std::clamp(need_high, high_min, high_max));
  }
  return high;
}

// nr_pcp_free(): how many pages a drain returns, at least batch left behind.
int nr_pcp_free(Kernel& k, unsigned z, int batch, int high, bool free_high) {
  const int count = get(k, z, pcp::count);
  if (free_high) return std::min(count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
  if (high < batch) return 1;
  return std::clamp(get(k, z, pcp::free_count), batch, high - batch);
}

// rmqueue_bulk(): `count` blocks of this order and type from the buddy lists to the
// tail of a per-CPU list; the number taken.
int rmqueue_bulk(Kernel& k, unsigned z, unsigned order, int count, LAddr list, unsigned mt,
                 unsigned alloc_flags) {
  int i = 0;
  for (; i < count; ++i) {
    const LAddr page = __rmqueue(k, z, order, mt, alloc_flags);
    if (!page) break;
    list::add_tail(k.mem, page + page::lru, list);
  }
  return i;
}

}  // namespace

void pcp_init(Kernel& k, unsigned z) {
  const LAddr p = pcp_addr(z);
  k.mem.zero(p, pcp::kSize);
  k.mem.set(p, pcp::batch, 1);  // BOOT_PAGESET_BATCH; BOOT_PAGESET_HIGH is 0
  for (unsigned i = 0; i < NR_PCP_LISTS; ++i) list::init(k.mem, pcp_list_addr(z, i));
}

void zone_pcp_update(Kernel& k, unsigned z) {
  // zone_set_pageset_high_and_batch() with percpu_pagelist_high_fraction 0.
  const int batch = std::max(1, zone_batchsize(zone_managed_pages(k, z)));
  put(k, z, pcp::high_min, zone_highsize(k, z, batch, 0));
  put(k, z, pcp::high_max, zone_highsize(k, z, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION));
  put(k, z, pcp::batch, batch);
}

LAddr rmqueue_pcplist(Kernel& k, unsigned z, unsigned order, unsigned mt, unsigned alloc_flags) {
  put(k, z, pcp::free_count, get(k, z, pcp::free_count) >> 1);
  const LAddr list = pcp_list_addr(z, order_to_pindex(mt, order));
  if (list::empty(k.mem, list)) {
    const int batch = nr_pcp_alloc(k, z, order);
    const int got = rmqueue_bulk(k, z, order, batch, list, mt, alloc_flags);
    put(k, z, pcp::count, get(k, z, pcp::count) + (got << order));
    if (list::empty(k.mem, list)) return 0;
  }
  const LAddr page = k.mem.get(list, list::next) - page::lru;  // list_first_entry
  list::del(k.mem, page + page::lru);
  put(k, z, pcp::count, get(k, z, pcp::count) - (1 << order));
  return page;
}

void free_unref_page_commit(Kernel& k, LAddr page, unsigned z, unsigned order, unsigned mt) {
  const LAddr p = pcp_addr(z);
  k.mem.set(p, pcp::alloc_factor, static_cast<std::uint8_t>(k.mem.get(p, pcp::alloc_factor) >> 1));
  const unsigned pindex = order_to_pindex(mt, order);
  list::add(k.mem, page + page::lru, pcp_list_addr(z, pindex));
  k.mem.set(page, page::private_, order);  // the order of a page on a pcp list
  const int count = get(k, z, pcp::count) + (1 << order);
  put(k, z, pcp::count, count);
  const int batch = get(k, z, pcp::batch);
  // Repeated high-order frees without allocations are freed in bulk (free_high).
  bool free_high = false;
  const std::uint8_t flags = k.mem.get(p, pcp::flags);
  if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
    free_high = get(k, z, pcp::free_count) >= batch + get(k, z, pcp::high_min) / 2 &&
                (flags & PCPF_PREV_FREE_HIGH_ORDER);
    k.mem.set(p, pcp::flags, static_cast<std::uint8_t>(flags | PCPF_PREV_FREE_HIGH_ORDER));
  } else if (flags & PCPF_PREV_FREE_HIGH_ORDER) {
    k.mem.set(p, pcp::flags, static_cast<std::uint8_t>(flags & ~PCPF_PREV_FREE_HIGH_ORDER));
  }
  const int free_count = get(k, z, pcp::free_count);
  if (free_count < (batch << CONFIG_PCP_BATCH_SCALE_MAX))
    put(k, z, pcp::free_count, free_count + (1 << order));
  const int high = nr_pcp_high(k, z, batch, free_high);
  if (get(k, z, pcp::count) < high) return;
  free_pcppages_bulk(k, z, nr_pcp_free(k, z, batch, high, free_high), pindex);
  if (below_high(k, z) && zone_watermark_ok(k, z, 0, zone_wmark(k, z, WMARK_HIGH), ZONE_MOVABLE, 0))
    k.mem.set(zone_addr(z), zone::flags, k.mem.get(zone_addr(z), zone::flags) & ~ZONE_BELOW_HIGH);
}

void free_pcppages_bulk(Kernel& k, unsigned z, int count, unsigned pindex) {
  // Round robin over the non-empty lists, the requested one first, each block back to
  // the buddy lists on its pageblock's current type.
  count = std::min(count, get(k, z, pcp::count));
  int pcp_count = get(k, z, pcp::count);
  unsigned i = pindex == 0 ? NR_PCP_LISTS - 1 : pindex - 1;
  while (count > 0) {
    LAddr list;
    do {
      if (++i > NR_PCP_LISTS - 1) i = 0;
      list = pcp_list_addr(z, i);
    } while (list::empty(k.mem, list));
    const unsigned order = pindex_to_order(i);
    const int nr_pages = 1 << order;
    do {
      const LAddr page = k.mem.get(list, list::prev) - page::lru;  // list_last_entry
      list::del(k.mem, page + page::lru);
      count -= nr_pages;
      pcp_count -= nr_pages;
      const std::uint64_t pfn = page::page_to_pfn(page);
      __free_one_page(k, pfn, z, order, get_pageblock_migratetype(k, pfn), FPI_NONE);
    } while (count > 0 && !list::empty(k.mem, list));
  }
  put(k, z, pcp::count, pcp_count);
}

void drain_all_pages(Kernel& k) {
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    const int count = get(k, z, pcp::count);
    if (count > 0) free_pcppages_bulk(k, z, count, 0);
  }
}

}  // namespace mmvp::sw
