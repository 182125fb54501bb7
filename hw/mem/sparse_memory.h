// Sparse backing store for DRAM: the whole capacity is one reservation of host address
// space (mmap with MAP_NORESERVE), so a frame's storage is at a fixed offset and costs
// host memory only once written (the host kernel backs a page on its first write, and
// maps its shared zero page for reads of one never written). A 64 GB (or larger) DRAM
// thus runs on a host with far less memory. A bitmap records which 4 KB frames have
// been written, for the statistics and for DMI (a never-written frame is granted
// read-only).
#pragma once
#include <cstdint>

#include "hw/common/types.h"

namespace mmvp {

class SparseMemory {
 public:
  static constexpr unsigned kFrameShift = 12;
  static constexpr std::uint64_t kFrameBytes = 1ULL << kFrameShift;

  // Throws ConfigError ("mem.capacity: ...") if the host cannot reserve the space.
  explicit SparseMemory(std::uint64_t capacity_bytes);
  ~SparseMemory();
  SparseMemory(const SparseMemory&) = delete;
  SparseMemory& operator=(const SparseMemory&) = delete;

  std::uint64_t capacity() const { return capacity_; }
  // Offsets are relative to the start of DRAM; callers check the range.
  void read(std::uint64_t offset, void* dst, std::uint64_t len) const;
  void write(std::uint64_t offset, const void* src, std::uint64_t len);

  // The frame's storage, marked written (for a writer or a writable DMI grant).
  std::uint8_t* frame_for_write(std::uint64_t frame) {
    mark_written(frame, frame + 1);
    return base_ + (frame << kFrameShift);
  }
  // The frame's storage (zeros if never written), for reading only.
  const std::uint8_t* frame_for_read(std::uint64_t frame) const {
    return base_ + (frame << kFrameShift);
  }
  bool allocated(std::uint64_t frame) const { return (written_[frame >> 6] >> (frame & 63)) & 1; }

  std::uint64_t frames_allocated() const { return frames_written_; }
  // Host bytes used by frame storage (not counting the bitmap).
  std::uint64_t host_bytes() const { return frames_written_ * kFrameBytes; }

 private:
  // Marks frames [first, end) written.
  void mark_written(std::uint64_t first, std::uint64_t end) {
    for (std::uint64_t f = first; f < end; ++f) {
      std::uint64_t& word = written_[f >> 6];
      const std::uint64_t bit = 1ULL << (f & 63);
      frames_written_ += (word & bit) == 0;
      word |= bit;
    }
  }

  std::uint64_t capacity_;
  std::uint8_t* base_ = nullptr;      // capacity_ bytes of reserved host address space
  std::uint64_t* written_ = nullptr;  // one bit per frame, also reserved lazily
  std::uint64_t bitmap_bytes_ = 0;
  std::uint64_t frames_written_ = 0;
};

}  // namespace mmvp
