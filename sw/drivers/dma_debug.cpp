// The ISA DMA validator (see dma_debug.h). Linux's dma-debug keeps a hash of mapped
// entries and checks them at dma_unmap/sync time (kernel/dma/debug.c: check_for_stack,
// check_for_illegal_area, debug_dma_assert_idle); the ISA DMA API has no mapping
// calls, so the record is the channel's programming and the check runs at enable_dma.
#include "sw/drivers/dma_debug.h"

#include <cstdio>
#include <string>

#include "sw/drivers/isa_dma.h"
#include "sw/kernel/printk.h"
#include "sw/mm/gfp.h"
#include "sw/mm/mmzone.h"
#include "sw/mm/page.h"
#include "sw/mm/slab_internal.h"
#include "sw/mm/vmalloc.h"

namespace mmvp::sw {
namespace {

// Per channel: what the driver programmed (like struct dma_debug_entry).
namespace dma_debug_entry {
inline constexpr Field<PAddr> phys{0};               // full physical address set_dma_addr got
inline constexpr Field<std::uint32_t> count{8};      // bytes (set_dma_count)
inline constexpr Field<std::uint8_t> mode{12};       // set_dma_mode
inline constexpr Field<std::uint8_t> in_flight{13};  // pages marked PG_dma_busy
inline constexpr Field<LAddr> linear{16};            // the buffer's linear address
inline constexpr Field<std::uint64_t> head_pfn{24};  // allocation head marked too (~0: none)
inline constexpr unsigned kCallerLen = 32;
inline constexpr Embedded caller{32, kCallerLen};  // the function that set it up
inline constexpr unsigned kSize = 64;
}  // namespace dma_debug_entry

// The validator's globals after the entries.
namespace dma_debug_globals {
inline constexpr Embedded entries{0, MAX_DMA_CHANNELS* dma_debug_entry::kSize};
inline constexpr Field<std::uint32_t> fatal{entries.end()};
inline constexpr Field<std::uint64_t> checked{fatal.offset + 8};
inline constexpr ArrayField<std::uint64_t, NR_DMA_VIOLATIONS> violations{checked.offset + 8};
inline constexpr unsigned kSize = violations.offset + 8 * NR_DMA_VIOLATIONS;
}  // namespace dma_debug_globals
static_assert(dma_slot::dma_debug + dma_debug_globals::kSize <= dma_slot::dma_api,
              "dma-debug records outgrow their part of the DMA slot");

// The globals at the head of dma-debug's part of the slot.
LAddr debug_globals() {
  return dma_slot::at(dma_slot::dma_debug);
}

LAddr entry_addr(unsigned dmanr) {
  return debug_globals() + dma_debug_entry::kSize * dmanr;
}

// A violation: printed with the channel, its owner, addresses and the caller;
// counted; fatal when asked (err_printk in kernel/dma/debug.c).
void report(Kernel& k, unsigned dmanr, unsigned cls, const std::string& why) {
  LAddr e = entry_addr(dmanr);
  PAddr phys = k.mem.get(e, dma_debug_entry::phys);
  std::uint32_t count = k.mem.get(e, dma_debug_entry::count);
  std::string owner = k.mem.read_string(
      dma_slot::at(dma_slot::dma_chan_busy) + dma_chan::kSize * dmanr + dma_chan::device_id,
      dma_chan::kNameLen);
  std::string line = "DMA-API: isa_dma channel " + std::to_string(dmanr) + " (" +
                     (owner.empty() ? "unrequested" : owner) + "): " + dma_violation_name(cls) +
                     ": " + why + " [phys " + hex(phys) + "-" + hex(phys + count - 1) + " count " +
                     std::to_string(count) + " linear " +
                     hex(k.mem.get(e, dma_debug_entry::linear)) + "] set up by " +
                     k.mem.read_string(e + dma_debug_entry::caller, dma_debug_entry::kCallerLen);
  k.printk(line);
  k.mem.add(debug_globals(), dma_debug_globals::violations(cls), 1);
  if (k.mem.get(debug_globals(), dma_debug_globals::fatal)) k.panic(line);
}

// is_free_buddy_page() (mm/page_alloc.c): the frame lies in a free buddy block.
bool is_free_buddy_pfn(Kernel& k, std::uint64_t pfn) {
  for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
    LAddr head = page::pfn_to_page(pfn & ~((1ULL << order) - 1));
    if ((k.mem.get(head, page::flags) & page::PG_buddy) && k.mem.get(head, page::private_) >= order)
      return true;
  }
  return false;
}

std::uint64_t allocation_extent(Kernel& k, std::uint64_t pfn, std::uint64_t& end);

// A free frame: in a buddy block, or alone on a per-CPU list (no reference, no
// higher-order allocation covering it, where tail pages also have none).
bool is_free_pfn(Kernel& k, std::uint64_t pfn) {
  if (is_free_buddy_pfn(k, pfn)) return true;
  const LAddr pg = page::pfn_to_page(pfn);
  if (k.mem.get(pg, page::refcount) != 0 || (k.mem.get(pg, page::flags) & page::PG_reserved))
    return false;
  std::uint64_t end = 0;
  return allocation_extent(k, pfn, end) == pfn && end == pfn + 1;
}

// The allocation a frame belongs to: the head of a higher-order block (PG_head with
// its compound_order covering the frame), or the frame alone. Returns its first pfn
// and sets `end` past its last.
std::uint64_t allocation_extent(Kernel& k, std::uint64_t pfn, std::uint64_t& end) {
  for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
    std::uint64_t h = pfn & ~((1ULL << order) - 1);
    LAddr head = page::pfn_to_page(h);
    if (k.mem.get(head, page::flags) & page::PG_head) {
      std::uint64_t e = h + (1ULL << k.mem.get(head, page::compound_order));
      if (pfn < e) {
        end = e;
        return h;
      }
    }
  }
  end = pfn + 1;
  return pfn;
}

// check_for_illegal_area()-like: is [phys, phys + count) one live allocation?
// Returns the reason it is not ("" when it is) and the allocation head's pfn.
std::string contiguity_problem(Kernel& k, LAddr linear, PAddr phys, std::uint32_t count,
                               std::uint64_t& head_pfn) {
  head_pfn = ~0ULL;
  if (is_vmalloc_addr(linear)) return "vmalloc address (virtually contiguous only)";
  const std::uint64_t first = phys >> PAGE_SHIFT, last = (phys + count - 1) >> PAGE_SHIFT;
  if (last >= max_pfn(k)) return "";  // not RAM (above_16mb says the rest)
  LAddr pg = page::pfn_to_page(first);
  std::uint64_t flags = k.mem.get(pg, page::flags);
  if (flags & page::PG_slab) {
    // The object holding the address, from its slab's geometry (mm/slub.c).
    LAddr va = page::__va(phys);
    LAddr slab = virt_to_slab(k, va);
    SlabGeom g = read_geom(k, k.mem.get(slab, page::slab_cache));
    LAddr base = slab_first_object(g, slab);
    if (va < base) return "slab metadata, not an object";
    LAddr object = base + (va - base) / g.size * g.size;
    std::uint64_t usable = g.debug() ? g.object_size : g.size;
    if (va + count > object + usable)
      return "slab object of " + std::to_string(usable) + " bytes at " + hex(object) +
             " smaller than the transfer";
    return "";
  }
  if (flags & page::PG_reserved) return "";  // memblock-reserved: no allocator owns it
  if (is_free_pfn(k, first)) return "page " + hex(first) + " is free";
  std::uint64_t end = 0;
  std::uint64_t head = allocation_extent(k, first, end);
  if (head != first || end > first + 1) head_pfn = head;
  if (end > last) return "";
  if (end < max_pfn(k) && is_free_pfn(k, end)) return "page " + hex(end) + " is free";
  return "range spans unrelated allocations (pfn " + hex(end) + " is not part of pfn " + hex(head) +
         "'s)";
}

void set_busy(Kernel& k, std::uint64_t pfn, bool busy) {
  LAddr pg = page::pfn_to_page(pfn);
  std::uint64_t f = k.mem.get(pg, page::flags);
  std::uint64_t nf = busy ? f | page::PG_dma_busy : f & ~page::PG_dma_busy;
  if (nf != f) k.mem.set(pg, page::flags, nf);
}

}  // namespace

const char* dma_violation_name(unsigned cls) {
  static const char* const names[NR_DMA_VIOLATIONS] = {
      "above_16mb",       "crosses_64k",       "crosses_128k",     "not_contiguous",
      "freed_in_flight",  "map_overflow",      "unmap_not_mapped", "unmap_wrong_size",
      "unmap_wrong_type", "unmap_wrong_dir",   "sg_wrong_count",   "map_err_unchecked",
      "sync_not_mapped",  "sync_out_of_range", "sync_wrong_dir"};
  return cls < NR_DMA_VIOLATIONS ? names[cls] : "?";
}

void dma_debug_api_error(Kernel& k, unsigned cls, const std::string& device,
                         const std::string& message, const std::string& mapped_at) {
  const std::string line = "DMA-API: " + device + " " + device + ": " + message;
  k.printk(line);
  if (!mapped_at.empty()) {  // dump_entry_trace()
    k.printk("Mapped at:");
    k.printk(" " + mapped_at);
  }
  k.mem.add(debug_globals(), dma_debug_globals::violations(cls), 1);
  if (k.mem.get(debug_globals(), dma_debug_globals::fatal))
    k.panic(line + " (" + dma_violation_name(cls) + ")");
}

void dma_debug_init(Kernel& k) {
  k.mem.zero(debug_globals(), dma_debug_globals::kSize);
  for (unsigned c = 0; c < MAX_DMA_CHANNELS; ++c)
    k.mem.set(entry_addr(c), dma_debug_entry::head_pfn, ~0ULL);
}

void dma_debug_set_fatal(Kernel& k, bool fatal) {
  k.mem.set(debug_globals(), dma_debug_globals::fatal, fatal ? 1 : 0);
}
std::uint64_t dma_debug_violations(Kernel& k, unsigned cls) {
  return k.mem.get(debug_globals(), dma_debug_globals::violations(cls));
}
std::uint64_t dma_debug_checked(Kernel& k) {
  return k.mem.get(debug_globals(), dma_debug_globals::checked);
}

void dma_debug_set_addr(Kernel& k, unsigned dmanr, PAddr phys, LAddr linear, const char* caller) {
  LAddr e = entry_addr(dmanr);
  k.mem.set(e, dma_debug_entry::phys, phys);
  k.mem.set(e, dma_debug_entry::linear, linear ? linear : page::__va(phys));
  k.mem.write_string(e + dma_debug_entry::caller, caller ? caller : "?",
                     dma_debug_entry::kCallerLen);
}
void dma_debug_set_count(Kernel& k, unsigned dmanr, std::uint32_t bytes) {
  k.mem.set(entry_addr(dmanr), dma_debug_entry::count, bytes);
}
void dma_debug_set_mode(Kernel& k, unsigned dmanr, std::uint8_t mode) {
  k.mem.set(entry_addr(dmanr), dma_debug_entry::mode, mode);
}

void dma_debug_enable(Kernel& k, unsigned dmanr) {
  LAddr e = entry_addr(dmanr);
  PAddr phys = k.mem.get(e, dma_debug_entry::phys);
  std::uint32_t count = k.mem.get(e, dma_debug_entry::count);
  LAddr linear = k.mem.get(e, dma_debug_entry::linear);
  k.mem.add(debug_globals(), dma_debug_globals::checked, 1);
  if (count == 0) return;
  const PAddr last = phys + count - 1;
  if (last >= MAX_DMA_PHYS)
    report(k, dmanr, DMA_ABOVE_16MB,
           "beyond the 24-bit ISA bus: the controller would use " + hex(phys & 0xFFFFFF));
  // The 8237's address counter wraps inside the page register's 64 KB (128 KB for the
  // 16-bit controller, which counts words): the page register never increments.
  const unsigned shift = dma_channel_16bit(dmanr) ? 17 : 16;
  if ((phys >> shift) != (last >> shift))
    report(k, dmanr, dma_channel_16bit(dmanr) ? DMA_CROSSES_128K : DMA_CROSSES_64K,
           std::string("crosses a ") + (shift == 17 ? "128" : "64") + " KB boundary at " +
               hex((last >> shift) << shift));
  std::uint64_t head_pfn = ~0ULL;
  std::string why = contiguity_problem(k, linear, phys, count, head_pfn);
  if (!why.empty()) report(k, dmanr, DMA_NOT_CONTIGUOUS, why);
  // Mark the RAM the transfer uses, and the head of its allocation, so __free_pages
  // of any of it is caught.
  const std::uint64_t end_pfn = max_pfn(k);
  for (std::uint64_t pfn = phys >> PAGE_SHIFT; pfn <= (last >> PAGE_SHIFT) && pfn < end_pfn; ++pfn)
    set_busy(k, pfn, true);
  if (head_pfn != ~0ULL) set_busy(k, head_pfn, true);
  k.mem.set(e, dma_debug_entry::head_pfn, head_pfn);
  k.mem.set(e, dma_debug_entry::in_flight, 1);
}

void dma_debug_disable(Kernel& k, unsigned dmanr) {
  LAddr e = entry_addr(dmanr);
  if (!k.mem.get(e, dma_debug_entry::in_flight)) return;
  PAddr phys = k.mem.get(e, dma_debug_entry::phys);
  std::uint32_t count = k.mem.get(e, dma_debug_entry::count);
  const std::uint64_t end_pfn = max_pfn(k);
  if (count) {
    for (std::uint64_t pfn = phys >> PAGE_SHIFT;
         pfn <= ((phys + count - 1) >> PAGE_SHIFT) && pfn < end_pfn; ++pfn)
      set_busy(k, pfn, false);
  }
  std::uint64_t head_pfn = k.mem.get(e, dma_debug_entry::head_pfn);
  if (head_pfn != ~0ULL) set_busy(k, head_pfn, false);
  k.mem.set(e, dma_debug_entry::in_flight, 0);
}

std::uint64_t dma_debug_freed_in_flight(Kernel& k, LAddr page, unsigned order) {
  const std::uint64_t first = page::page_to_pfn(page), end = first + (1ULL << order);
  // The channel whose transfer uses the block (debug_dma_assert_idle()).
  unsigned chan = MAX_DMA_CHANNELS;
  for (unsigned c = 0; c < MAX_DMA_CHANNELS && chan == MAX_DMA_CHANNELS; ++c) {
    LAddr e = entry_addr(c);
    if (!k.mem.get(e, dma_debug_entry::in_flight)) continue;
    PAddr phys = k.mem.get(e, dma_debug_entry::phys);
    std::uint64_t lo = phys >> PAGE_SHIFT,
                  hi = (phys + k.mem.get(e, dma_debug_entry::count) - 1) >> PAGE_SHIFT;
    std::uint64_t head = k.mem.get(e, dma_debug_entry::head_pfn);
    if ((lo < end && hi >= first) || (head >= first && head < end)) chan = c;
  }
  // Clear the mark on every page of the block first, so a fatal report leaves a
  // consistent memmap and a non-fatal one lets the free proceed.
  for (std::uint64_t pfn = first; pfn < end; ++pfn) set_busy(k, pfn, false);
  std::string why = "__free_pages(pfn " + hex(first) + ", order " + std::to_string(order) +
                    ") while the transfer is in flight";
  if (chan < MAX_DMA_CHANNELS) {
    report(k, chan, DMA_FREED_IN_FLIGHT, why);
  } else {
    k.printk("DMA-API: isa_dma: freed_in_flight: " + why + " (no channel records it)");
    k.mem.add(debug_globals(), dma_debug_globals::violations(DMA_FREED_IN_FLIGHT), 1);
    if (k.mem.get(debug_globals(), dma_debug_globals::fatal))
      k.panic("DMA-API: freed_in_flight: " + why);
  }
  return k.mem.get(page, page::flags);
}

}  // namespace mmvp::sw
