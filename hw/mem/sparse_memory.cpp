#include "hw/mem/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace mmvp {
namespace {
alignas(64) const std::uint8_t kZeroFrame[SparseMemory::kFrameBytes] = {};
}

SparseMemory::SparseMemory(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

const std::uint8_t* SparseMemory::frame_for_read(std::uint64_t frame) const {
  auto it = frames_.find(frame);
  return it == frames_.end() ? kZeroFrame : it->second.get();
}

std::uint8_t* SparseMemory::frame_for_write(std::uint64_t frame) {
  auto& slot = frames_[frame];
  if (!slot) slot.reset(new std::uint8_t[kFrameBytes]());  // zero-filled
  return slot.get();
}

void SparseMemory::read(std::uint64_t offset, void* dst, std::uint64_t len) const {
  auto* out = static_cast<std::uint8_t*>(dst);
  while (len > 0) {
    std::uint64_t in_frame = offset & (kFrameBytes - 1);
    std::uint64_t n = std::min(len, kFrameBytes - in_frame);
    std::memcpy(out, frame_for_read(offset >> kFrameShift) + in_frame, n);
    out += n;
    offset += n;
    len -= n;
  }
}

void SparseMemory::write(std::uint64_t offset, const void* src, std::uint64_t len) {
  const auto* in = static_cast<const std::uint8_t*>(src);
  while (len > 0) {
    std::uint64_t in_frame = offset & (kFrameBytes - 1);
    std::uint64_t n = std::min(len, kFrameBytes - in_frame);
    std::memcpy(frame_for_write(offset >> kFrameShift) + in_frame, in, n);
    in += n;
    offset += n;
    len -= n;
  }
}

}  // namespace mmvp
