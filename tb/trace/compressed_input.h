// Block input for the trace readers: a plain file, an in-memory buffer, or a zstd/xz
// stream decompressed on the fly (a trace is never loaded whole; they can be GBs).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mmvp::trace {

// A source of bytes read in blocks. Bytes looked at with peek() are still returned by
// the following read() calls, so the format can be detected from the content.
class ByteInput {
 public:
  explicit ByteInput(std::string name) : name_(std::move(name)) {}
  virtual ~ByteInput() = default;
  ByteInput(const ByteInput&) = delete;
  ByteInput& operator=(const ByteInput&) = delete;

  // Reads up to size bytes; returns how many, 0 only at the end of the input. Throws
  // mmvp::InputError on read errors and on truncated or corrupt compressed data.
  std::size_t read(char* buf, std::size_t size);
  // The next (up to) size bytes without consuming them; shorter only at the end.
  std::string_view peek(std::size_t size);
  // The file name, for messages.
  const std::string& name() const { return name_; }

 protected:
  // Reads up to size (> 0) bytes from the underlying source; 0 means the end.
  virtual std::size_t read_some(char* buf, std::size_t size) = 0;

 private:
  std::string name_;
  std::string peeked_;
  std::size_t peeked_pos_ = 0;
};

enum class Compression { none, zstd, xz };

// Detects the compression from the first bytes (zstd magic 28 B5 2F FD, xz magic
// FD 37 7A 58 5A 00).
Compression detect_compression(std::string_view first_bytes);

// A plain file read with large read(2) calls; "-" is standard input.
std::unique_ptr<ByteInput> open_file_input(const std::string& path);
// Bytes held in memory (tests, generated traces); name is used in messages.
std::unique_ptr<ByteInput> open_memory_input(std::string bytes, std::string name);
// Wraps raw in a zstd or xz decoder if its content starts with one of their magics;
// returns raw itself otherwise.
std::unique_ptr<ByteInput> open_decompressed(std::unique_ptr<ByteInput> raw);
// open_decompressed(open_file_input(path)).
std::unique_ptr<ByteInput> open_input(const std::string& path);

}  // namespace mmvp::trace
