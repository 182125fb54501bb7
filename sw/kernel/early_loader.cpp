#include "sw/kernel/early_loader.h"

#include <cstdio>

namespace mmvp::sw {
namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// Kernel mappings: present, writable, global, not executable (data).
constexpr std::uint64_t kKernelData = pte::P | pte::RW | pte::G | pte::XD;
// Intermediate tables allow everything; the leaf decides (SDM 4.6: rights combine).
constexpr std::uint64_t kTableFlags = pte::P | pte::RW | pte::US;
// The bump allocator starts above the legacy first megabyte.
constexpr PAddr kFirstFreeFrame = 0x100000;

}  // namespace

std::uint64_t EarlyLoader::state(Field f) {
  return read_phys(kStatePage + 8 * f);
}
void EarlyLoader::set_state(Field f, std::uint64_t v) {
  write_phys(kStatePage + 8 * f, v);
}

LAddr EarlyLoader::phys_to_virt(PAddr pa) {
  // Before paging, linear == physical; after, physical memory is reached through the
  // direct map (Linux's __va()). The flag itself sits at a fixed physical address.
  bool paging = (cpu_.read_cr(0) & cr0::PG) != 0;
  return paging ? PAGE_OFFSET + pa : pa;
}

std::uint64_t EarlyLoader::read_phys(PAddr pa) {
  return cpu_.load(phys_to_virt(pa), 8);
}
void EarlyLoader::write_phys(PAddr pa, std::uint64_t v) {
  cpu_.store(phys_to_virt(pa), 8, v);
}

bool EarlyLoader::next_region() {
  // Advance to the next usable e820 RAM range at or above kFirstFreeFrame.
  const PAddr bp = boot::kBootParamsPhys;
  unsigned count = static_cast<unsigned>(cpu_.load(phys_to_virt(bp + boot::kE820EntriesOffset), 1));
  for (unsigned i = static_cast<unsigned>(state(kRegionIndex)); i < count; ++i) {
    PAddr e = bp + boot::kE820TableOffset + i * boot::kE820EntryBytes;
    std::uint64_t addr = read_phys(e);
    std::uint64_t size = read_phys(e + 8);
    auto type = static_cast<std::uint32_t>(cpu_.load(phys_to_virt(e + 16), 4));
    std::uint64_t start =
        std::max<std::uint64_t>((addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), kFirstFreeFrame);
    std::uint64_t end = (addr + size) & ~(PAGE_SIZE - 1);
    if (type != boot::E820_RAM || start >= end) continue;
    set_state(kRegionIndex, i + 1);
    set_state(kNextFrame, start);
    set_state(kRegionEnd, end);
    return true;
  }
  set_state(kRegionIndex, count);
  return false;
}

PAddr EarlyLoader::alloc_frame() {
  PAddr next = state(kNextFrame);
  if (next >= state(kRegionEnd)) {
    if (!next_region()) throw OutOfMemory("early loader: out of physical memory");
    next = state(kNextFrame);
  }
  set_state(kNextFrame, next + PAGE_SIZE);
  set_state(kFramesUsed, state(kFramesUsed) + 1);
  // Frames are handed out once and never reused, and DRAM reads zero until written,
  // so a new frame needs no clearing.
  return next;
}

PAddr EarlyLoader::table_slot(LAddr va, unsigned level) {
  PAddr table = (cpu_.read_cr(0) & cr0::PG) ? current_address_space() : state(kPml4);
  for (unsigned l = 4; l > level; --l) {
    PAddr slot = table + 8 * ((va >> (12 + 9 * (l - 1))) & 511);
    std::uint64_t e = read_phys(slot);
    if (!(e & pte::P)) {
      PAddr t = alloc_frame();
      e = t | kTableFlags;
      write_phys(slot, e);
    } else if (e & pte::PS) {
      throw std::logic_error("early loader: mapping inside a large page at " + hex(va));
    }
    table = e & pte::ADDR_MASK;
  }
  return table + 8 * ((va >> (12 + 9 * (level - 1))) & 511);
}

void EarlyLoader::map_range(LAddr va, PAddr pa, std::uint64_t size, std::uint64_t flags) {
  while (size > 0) {
    // Largest page that both addresses are aligned to and the range covers.
    unsigned level = 1;
    std::uint64_t bytes = PAGE_SIZE;
    if (((va | pa) & (PUD_SIZE - 1)) == 0 && size >= PUD_SIZE) {
      level = 3;
      bytes = PUD_SIZE;
    } else if (((va | pa) & (PMD_SIZE - 1)) == 0 && size >= PMD_SIZE) {
      level = 2;
      bytes = PMD_SIZE;
    }
    std::uint64_t e = pa | flags | (level > 1 ? pte::PS : 0);
    write_phys(table_slot(va, level), e);
    va += bytes;
    pa += bytes;
    size -= bytes;
  }
}

void EarlyLoader::boot() {
  if (cpu_.read_cr(0) & cr0::PG) throw std::logic_error("early loader: paging already on");
  // Loader state starts empty; the e820 walk begins at entry 0.
  for (unsigned f = kPml4; f <= kPagingOn; ++f) set_state(static_cast<Field>(f), 0);
  next_region();
  set_state(kPml4, alloc_frame());

  // Direct map of every RAM range (and the whole first megabyte, as Linux maps it).
  const PAddr bp = boot::kBootParamsPhys;
  unsigned count = static_cast<unsigned>(cpu_.load(bp + boot::kE820EntriesOffset, 1));
  std::uint64_t ram = 0;
  map_range(PAGE_OFFSET, 0, 0x100000, kKernelData);
  for (unsigned i = 0; i < count; ++i) {
    PAddr e = bp + boot::kE820TableOffset + i * boot::kE820EntryBytes;
    std::uint64_t addr = read_phys(e), size = read_phys(e + 8);
    if (static_cast<std::uint32_t>(cpu_.load(e + 16, 4)) != boot::E820_RAM) continue;
    ram += size;
    std::uint64_t start = std::max<std::uint64_t>(addr, 0x100000);
    if (addr + size > start)
      map_range(PAGE_OFFSET + start, start, addr + size - start, kKernelData);
  }
  set_state(kRamBytes, ram);

  // Enter IA-32e mode with 4-level paging (SDM Vol. 3A 9.8.5).
  cpu_.write_cr(4, cr4::PAE | cr4::PGE | cr4::SMEP | cr4::SMAP);
  cpu_.wrmsr(msr::EFER, efer::LME | efer::NXE);
  cpu_.write_cr(3, state(kPml4));
  cpu_.write_cr(0, cr0::PE | cr0::WP | cr0::PG);
  set_state(kPagingOn, 1);

  cpu_.set_exception_handler(vec::PF, [this](const ExceptionInfo& info) { on_page_fault(info); });
}

PAddr EarlyLoader::new_address_space() {
  PAddr pml4 = alloc_frame();
  PAddr kernel = state(kPml4);
  for (unsigned i = 256; i < 512; ++i) {
    std::uint64_t e = read_phys(kernel + 8 * i);
    if (e) write_phys(pml4 + 8 * i, e);
  }
  return pml4;
}

void EarlyLoader::map_user_page(LAddr va) {
  PAddr frame = alloc_frame();
  write_phys(table_slot(va & ~(PAGE_SIZE - 1), 1), frame | pte::P | pte::RW | pte::US);
}

void EarlyLoader::on_page_fault(const ExceptionInfo& info) {
  LAddr va = info.address;
  // Demand paging: a not-present fault on a user address gets a page. Anything else
  // (a protection violation, a kernel address) ends the process.
  if (!(info.error_code & pf::P) && va < TASK_SIZE_MAX) {
    map_user_page(va);
    return;
  }
  const char* what = (info.error_code & pf::RSVD) ? "reserved bit set in a paging entry"
                     : (info.error_code & pf::P)  ? "protection violation"
                                                  : "access to an unmapped kernel address";
  throw ProcessKilled(std::string("page fault at ") + hex(va) + ": " + what + " (error code " +
                      hex(info.error_code) + ")");
}

void EarlyLoader::flush_tlb_all() {
  std::uint64_t c4 = cpu_.read_cr(4);
  cpu_.write_cr(4, c4 & ~cr4::PGE);
  cpu_.write_cr(4, c4);
}

std::uint64_t EarlyLoader::frames_used() {
  return state(kFramesUsed);
}
std::uint64_t EarlyLoader::ram_bytes() {
  return state(kRamBytes);
}

}  // namespace mmvp::sw
