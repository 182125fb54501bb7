// Sparse backing store for DRAM: 4 KB frames allocated on first write, reads of a
// never-written frame return zeros without allocating. This lets a 64 GB (or larger)
// DRAM run on a host with far less memory: only touched frames cost host memory.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "hw/common/types.h"

namespace mmvp {

class SparseMemory {
 public:
  static constexpr unsigned kFrameShift = 12;
  static constexpr std::uint64_t kFrameBytes = 1ULL << kFrameShift;

  explicit SparseMemory(std::uint64_t capacity_bytes);

  std::uint64_t capacity() const { return capacity_; }
  // Offsets are relative to the start of DRAM; callers check the range.
  void read(std::uint64_t offset, void* dst, std::uint64_t len) const;
  void write(std::uint64_t offset, const void* src, std::uint64_t len);

  // The frame's storage, allocated if absent (for a writer or a DMI grant).
  std::uint8_t* frame_for_write(std::uint64_t frame);
  // The frame's storage, or a shared zero frame if never written (read-only).
  const std::uint8_t* frame_for_read(std::uint64_t frame) const;
  bool allocated(std::uint64_t frame) const { return frames_.count(frame) != 0; }

  std::uint64_t frames_allocated() const { return frames_.size(); }
  // Host bytes used by frame storage (not counting the index).
  std::uint64_t host_bytes() const { return frames_.size() * kFrameBytes; }

 private:
  std::uint64_t capacity_;
  std::unordered_map<std::uint64_t, std::unique_ptr<std::uint8_t[]>> frames_;
};

}  // namespace mmvp
