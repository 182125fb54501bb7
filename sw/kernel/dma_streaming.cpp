// Streaming DMA for the direct mapping (kernel/dma/direct.h dma_direct_map_page,
// kernel/dma/mapping.c) and its dma-debug checks (kernel/dma/debug.c: add_dma_entry,
// check_unmap, check_sync). Each live mapping is a dma_debug_entry kmalloc'd in guest
// memory on the list at dma_slot::dma_api (Linux hashes them; one list is enough for
// the few a driver holds). x86 is cache coherent, so the syncs move no data: they are
// where dma-debug checks the driver.
#include <fmt/format.h>

#include "sw/drivers/dma_debug.h"
#include "sw/drivers/isa_dma.h"
#include "sw/kernel/dma_mapping.h"
#include "sw/kernel/kallsyms.h"
#include "sw/mm/page.h"
#include "sw/mm/slab.h"

namespace mmvp::sw {
namespace {

enum entry_type : std::uint8_t { dma_debug_single = 0, dma_debug_sg = 1 };
constexpr const char* kTypeNames[] = {"single", "scatter-gather"};
constexpr const char* kDirNames[] = {"DMA_BIDIRECTIONAL", "DMA_TO_DEVICE", "DMA_FROM_DEVICE",
                                     "DMA_NONE"};

// struct dma_debug_entry: what was mapped, how, and by whom.
namespace dma_entry {
inline constexpr Embedded list{0, list::kSize};
inline constexpr Field<LAddr> dev{16};
inline constexpr Field<PAddr> dev_addr{24};
inline constexpr Field<std::uint64_t> size{32};
inline constexpr Field<std::uint8_t> type{40};
inline constexpr Field<std::uint8_t> direction{41};
inline constexpr Field<std::uint8_t> map_err_checked{42};  // MAP_ERR_CHECKED
inline constexpr Field<std::uint32_t> sg_call_ents{44};
inline constexpr Field<LAddr> caller{48};  // a return address in the mapping function
inline constexpr unsigned kSize = 56;
}  // namespace dma_entry
namespace dma_api_globals {
inline constexpr Embedded entries{0, list::kSize};
inline constexpr Field<std::uint64_t> nr_entries{16};
}  // namespace dma_api_globals
// The DMA API's part of the DMA slot.
LAddr G() {
  return dma_slot::at(dma_slot::dma_api);
}

std::string dev_name(Kernel& k, LAddr dev) {
  return dev ? k.mem.read_string(dev + device::init_name, device::kNameLen) : "NULL";
}
std::string mapped_at(Kernel& k, LAddr e) {
  return e ? sprint_symbol(k, k.mem.get(e, dma_entry::caller)) : "";
}
void error(Kernel& k, unsigned cls, LAddr dev, LAddr entry, const std::string& message) {
  dma_debug_api_error(k, cls, dev_name(k, dev), message, mapped_at(k, entry));
}

void add_entry(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size, entry_type type,
               dma_data_direction dir, unsigned sg_call_ents, const char* caller) {
  const LAddr e = kmalloc(k, dma_entry::kSize, GFP_ATOMIC | __GFP_NOWARN);
  if (!e) {  // dma_entry_alloc(): "DMA-API: debugging out of memory - disabling"
    k.printk("DMA-API: debugging out of memory - disabling");
    return;
  }
  k.mem.set(e, dma_entry::dev, dev);
  k.mem.set(e, dma_entry::dev_addr, addr);
  k.mem.set(e, dma_entry::size, size);
  k.mem.set(e, dma_entry::type, type);
  k.mem.set(e, dma_entry::direction, static_cast<std::uint8_t>(dir));
  k.mem.set(e, dma_entry::map_err_checked, 0);
  k.mem.set(e, dma_entry::sg_call_ents, sg_call_ents);
  k.mem.set(e, dma_entry::caller, kallsyms_call_site(k, caller));
  list::add_tail(k.mem, e + dma_entry::list, G() + dma_api_globals::entries);
  k.mem.add(G(), dma_api_globals::nr_entries, 1);
}

// bucket_find_exact() (contain = false) / bucket_find_contain() (true).
LAddr find_entry(Kernel& k, LAddr dev, PAddr addr, bool contain) {
  const LAddr head = G() + dma_api_globals::entries;
  for (LAddr p = k.mem.get(head, list::next); p != head; p = k.mem.get(p, list::next)) {
    const LAddr e = p - dma_entry::list;
    if (k.mem.get(e, dma_entry::dev) != dev) continue;
    const PAddr start = k.mem.get(e, dma_entry::dev_addr);
    if (addr == start || (contain && addr > start && addr < start + k.mem.get(e, dma_entry::size)))
      return e;
  }
  return 0;
}

void free_entry(Kernel& k, LAddr e) {
  list::del(k.mem, e + dma_entry::list);
  k.mem.add(G(), dma_api_globals::nr_entries, ~0ULL);
  kfree(k, e);
}

// check_unmap(): every way the unmap disagrees with the map is reported; the entry goes.
void check_unmap(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size, entry_type type,
                 dma_data_direction dir, unsigned sg_call_ents) {
  const LAddr e = find_entry(k, dev, addr, false);
  if (!e) {
    error(k, DMA_UNMAP_NOT_MAPPED, dev, 0,
          addr == DMA_MAPPING_ERROR
              ? std::string("device driver tries to free an invalid DMA memory address")
              : fmt::format("device driver tries to free DMA memory it has not allocated "
                            "[device address=0x{:016x}] [size={} bytes]",
                            addr, size));
    return;
  }
  const std::uint64_t map_size = k.mem.get(e, dma_entry::size);
  const auto map_type = static_cast<entry_type>(k.mem.get(e, dma_entry::type));
  const auto map_dir = static_cast<unsigned>(k.mem.get(e, dma_entry::direction));
  if (size != map_size)
    error(k, DMA_UNMAP_WRONG_SIZE, dev, e,
          fmt::format("device driver frees DMA memory with different size [device "
                      "address=0x{:016x}] [map size={} bytes] [unmap size={} bytes]",
                      addr, map_size, size));
  if (type != map_type)
    error(k, DMA_UNMAP_WRONG_TYPE, dev, e,
          fmt::format("device driver frees DMA memory with wrong function [device "
                      "address=0x{:016x}] [size={} bytes] [mapped as {}] [unmapped as {}]",
                      addr, size, kTypeNames[map_type], kTypeNames[type]));
  const unsigned map_ents = k.mem.get(e, dma_entry::sg_call_ents);
  if (type == dma_debug_sg && sg_call_ents && sg_call_ents != map_ents)
    error(k, DMA_SG_WRONG_COUNT, dev, e,
          fmt::format("device driver frees DMA sg list with different entry count [map "
                      "count={}] [unmap count={}]",
                      map_ents, sg_call_ents));
  if (dir != map_dir)
    error(k, DMA_UNMAP_WRONG_DIR, dev, e,
          fmt::format("device driver frees DMA memory with different direction [device "
                      "address=0x{:016x}] [size={} bytes] [mapped with {}] [unmapped with {}]",
                      addr, size, kDirNames[map_dir], kDirNames[dir]));
  if (map_type == dma_debug_single && !k.mem.get(e, dma_entry::map_err_checked))
    error(k, DMA_MAP_ERR_UNCHECKED, dev, e,
          fmt::format("device driver failed to check map error [device address=0x{:016x}] "
                      "[size={} bytes] [mapped as {}]",
                      addr, size, kTypeNames[map_type]));
  free_entry(k, e);
}

// check_sync().
void check_sync(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size, dma_data_direction dir,
                bool to_cpu) {
  const LAddr e = find_entry(k, dev, addr, true);
  if (!e) {
    error(k, DMA_SYNC_NOT_MAPPED, dev, 0,
          fmt::format("device driver tries to sync DMA memory it has not allocated [device "
                      "address=0x{:016x}] [size={} bytes]",
                      addr, size));
    return;
  }
  const PAddr start = k.mem.get(e, dma_entry::dev_addr);
  const std::uint64_t map_size = k.mem.get(e, dma_entry::size);
  if (addr + size > start + map_size)
    error(k, DMA_SYNC_OUT_OF_RANGE, dev, e,
          fmt::format("device driver syncs DMA memory outside allocated range [device "
                      "address=0x{:016x}] [allocation size={} bytes] [sync offset+size={}]",
                      addr, map_size, addr - start + size));
  const auto map_dir = static_cast<unsigned>(k.mem.get(e, dma_entry::direction));
  if (map_dir == DMA_BIDIRECTIONAL) return;
  std::string what;
  if (dir != map_dir)
    what = "syncs DMA memory with different direction";
  else if (to_cpu && map_dir == DMA_TO_DEVICE)
    what = "syncs device read-only DMA memory for cpu";
  else if (!to_cpu && map_dir == DMA_FROM_DEVICE)
    what = "syncs device write-only DMA memory to device";
  if (what.empty()) return;
  error(k, DMA_SYNC_WRONG_DIR, dev, e,
        fmt::format("device driver {} [device address=0x{:016x}] [size={} bytes] [mapped with "
                    "{}] [synced with {}]",
                    what, addr, size, kDirNames[map_dir], kDirNames[dir]));
}

// dma_direct_map_page(): the bus address, or DMA_MAPPING_ERROR when the device's mask
// does not reach the whole buffer (dma_capable), with dev_WARN_ONCE's line.
PAddr map_phys(Kernel& k, LAddr dev, PAddr phys, std::uint64_t size, const char* caller) {
  const std::uint64_t mask = k.mem.get(dev, device::dma_mask);
  if (size && phys + size - 1 <= mask) return phys;  // phys_to_dma(): no offset on x86
  dma_debug_api_error(
      k, DMA_MAP_OVERFLOW, dev_name(k, dev),
      fmt::format("DMA addr 0x{:016x}+{} overflow (mask {:x}, bus limit 0).", phys, size, mask),
      sprint_symbol(k, kallsyms_call_site(k, caller)));
  return DMA_MAPPING_ERROR;
}

}  // namespace

void dma_debug_mappings_init(Kernel& k) {
  list::init(k.mem, G() + dma_api_globals::entries);
  k.mem.set(G(), dma_api_globals::nr_entries, 0);
}
std::uint64_t dma_debug_nr_mappings(Kernel& k) {
  return k.mem.get(G(), dma_api_globals::nr_entries);
}

PAddr dma_map_single(Kernel& k, LAddr dev, LAddr ptr, std::uint64_t size, dma_data_direction dir,
                     const char* caller) {
  RoutineScope r(k, Routine::dma);
  const PAddr addr = map_phys(k, dev, page::__pa(ptr), size, caller);
  // debug_dma_map_page(): a failed mapping is not recorded.
  if (addr != DMA_MAPPING_ERROR) add_entry(k, dev, addr, size, dma_debug_single, dir, 0, caller);
  return addr;
}

void dma_unmap_single(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size,
                      dma_data_direction dir) {
  RoutineScope r(k, Routine::dma);
  check_unmap(k, dev, addr, size, dma_debug_single, dir, 0);
}

int dma_mapping_error(Kernel& k, LAddr dev, PAddr addr) {
  // debug_dma_mapping_error(): the entry (if any) is marked MAP_ERR_CHECKED.
  if (const LAddr e = find_entry(k, dev, addr, false)) k.mem.set(e, dma_entry::map_err_checked, 1);
  return addr == DMA_MAPPING_ERROR;
}

void dma_sync_single_for_cpu(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size,
                             dma_data_direction dir) {
  RoutineScope r(k, Routine::dma);
  check_sync(k, dev, addr, size, dir, true);
}
void dma_sync_single_for_device(Kernel& k, LAddr dev, PAddr addr, std::uint64_t size,
                                dma_data_direction dir) {
  RoutineScope r(k, Routine::dma);
  check_sync(k, dev, addr, size, dir, false);
}

void sg_init_table(Kernel& k, LAddr sgl, unsigned nents) {
  k.mem.zero(sgl, std::uint64_t{nents} * scatterlist::kSize);
  if (nents) {  // sg_mark_end()
    const LAddr last = sgl + (nents - 1) * scatterlist::kSize;
    k.mem.set(last, scatterlist::page_link, scatterlist::SG_END);
  }
}

void sg_set_buf(Kernel& k, LAddr sg, LAddr buf, std::uint32_t length) {
  // sg_set_page(sg, virt_to_page(buf), length, offset_in_page(buf)), the end mark kept.
  const std::uint64_t end = k.mem.get(sg, scatterlist::page_link) & scatterlist::SG_END;
  k.mem.set(sg, scatterlist::page_link, page::virt_to_page(buf) | end);
  k.mem.set(sg, scatterlist::offset, static_cast<std::uint32_t>(buf & (PAGE_SIZE - 1)));
  k.mem.set(sg, scatterlist::length, length);
}

int dma_map_sg(Kernel& k, LAddr dev, LAddr sgl, unsigned nents, dma_data_direction dir,
               const char* caller) {
  RoutineScope r(k, Routine::dma);
  // dma_direct_map_sg(): each entry on its own; on a failure the ones before are
  // unmapped and 0 is returned.
  for (unsigned i = 0; i < nents; ++i) {
    const LAddr sg = sgl + i * scatterlist::kSize;
    const LAddr pg = k.mem.get(sg, scatterlist::page_link) & ~LAddr{3};
    const PAddr phys = (page::page_to_pfn(pg) << PAGE_SHIFT) + k.mem.get(sg, scatterlist::offset);
    const std::uint32_t len = k.mem.get(sg, scatterlist::length);
    const PAddr addr = map_phys(k, dev, phys, len, caller);
    if (addr == DMA_MAPPING_ERROR) {
      for (unsigned j = 0; j < i; ++j) {
        const LAddr done = sgl + j * scatterlist::kSize;
        free_entry(k, find_entry(k, dev, k.mem.get(done, scatterlist::dma_address), false));
      }
      return 0;
    }
    k.mem.set(sg, scatterlist::dma_address, addr);
    k.mem.set(sg, scatterlist::dma_length, len);
    add_entry(k, dev, addr, len, dma_debug_sg, dir, nents, caller);  // debug_dma_map_sg
  }
  return static_cast<int>(nents);
}

void dma_unmap_sg(Kernel& k, LAddr dev, LAddr sgl, unsigned nents, dma_data_direction dir) {
  RoutineScope r(k, Routine::dma);
  // debug_dma_unmap_sg(): the entries mapped, checked against the nents given now.
  const LAddr first = find_entry(k, dev, k.mem.get(sgl, scatterlist::dma_address), false);
  const unsigned mapped = first ? k.mem.get(first, dma_entry::sg_call_ents) : nents;
  for (unsigned i = 0; i < nents && i < mapped; ++i) {
    const LAddr sg = sgl + i * scatterlist::kSize;
    check_unmap(k, dev, k.mem.get(sg, scatterlist::dma_address),
                k.mem.get(sg, scatterlist::dma_length), dma_debug_sg, dir, nents);
  }
}

}  // namespace mmvp::sw
