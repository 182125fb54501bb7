#include "hw/mem/sparse_memory.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "hw/common/params.h"
#include "hw/common/types.h"

namespace mmvp {
namespace {

// Host address space that the host kernel backs only when touched.
void* reserve(std::uint64_t bytes, std::uint64_t capacity) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw ConfigError(fmt::format(
        "mem.capacity: this host cannot reserve {} of address space for a DRAM of {}: {}",
        format_size(bytes), format_size(capacity), std::strerror(errno)));
  return p;
}

}  // namespace

SparseMemory::SparseMemory(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {
  const std::uint64_t frames = (capacity_ + kFrameBytes - 1) >> kFrameShift;
  bitmap_bytes_ = ((frames + 63) / 64) * 8;
  base_ = static_cast<std::uint8_t*>(reserve(frames << kFrameShift, capacity_));
  // Transparent huge pages where the host offers them: a big guest's struct pages are
  // written densely, and a host page fault per 4 KB of them is most of a boot's cost in
  // a virtual machine. A hint only: failure changes nothing.
  ::madvise(base_, frames << kFrameShift, MADV_HUGEPAGE);
  try {
    written_ = static_cast<std::uint64_t*>(reserve(bitmap_bytes_, capacity_));
  } catch (...) {
    ::munmap(base_, frames << kFrameShift);
    throw;
  }
}

SparseMemory::~SparseMemory() {
  ::munmap(base_, ((capacity_ + kFrameBytes - 1) >> kFrameShift) << kFrameShift);
  ::munmap(written_, bitmap_bytes_);
}

void SparseMemory::read(std::uint64_t offset, void* dst, std::uint64_t len) const {
  std::memcpy(dst, base_ + offset, len);
}

void SparseMemory::write(std::uint64_t offset, const void* src, std::uint64_t len) {
  if (len == 0) return;
  mark_written(offset >> kFrameShift, ((offset + len - 1) >> kFrameShift) + 1);
  std::memcpy(base_ + offset, src, len);
}

}  // namespace mmvp
