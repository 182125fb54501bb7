#include "tb/trace/compressed_input.h"

#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "hw/common/types.h"

namespace mmvp::trace {

std::size_t ByteInput::read(char* buf, std::size_t size) {
  if (size == 0) return 0;
  if (peeked_pos_ < peeked_.size()) {
    std::size_t n = std::min(size, peeked_.size() - peeked_pos_);
    std::memcpy(buf, peeked_.data() + peeked_pos_, n);
    peeked_pos_ += n;
    if (peeked_pos_ == peeked_.size()) {
      peeked_.clear();
      peeked_pos_ = 0;
    }
    return n;
  }
  return read_some(buf, size);
}

std::string_view ByteInput::peek(std::size_t size) {
  if (peeked_pos_ > 0) {
    peeked_.erase(0, peeked_pos_);
    peeked_pos_ = 0;
  }
  while (peeked_.size() < size) {
    std::size_t have = peeked_.size();
    peeked_.resize(size);
    std::size_t n = read_some(peeked_.data() + have, size - have);
    peeked_.resize(have + n);
    if (n == 0) break;
  }
  return std::string_view(peeked_).substr(0, size);
}

Compression detect_compression(std::string_view first_bytes) {
  static constexpr char kZstdMagic[] = "\x28\xB5\x2F\xFD";
  static constexpr char kXzMagic[] = "\xFD\x37\x7A\x58\x5A\x00";
  if (first_bytes.substr(0, 4) == std::string_view(kZstdMagic, 4)) return Compression::zstd;
  if (first_bytes.substr(0, 6) == std::string_view(kXzMagic, 6)) return Compression::xz;
  return Compression::none;
}

namespace {

class FileInput final : public ByteInput {
 public:
  explicit FileInput(const std::string& path) : ByteInput(path) {
    owns_fd_ = path != "-";
    fd_ = owns_fd_ ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (fd_ < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  }
  ~FileInput() override {
    if (owns_fd_) ::close(fd_);
  }

 protected:
  std::size_t read_some(char* buf, std::size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) throw InputError(name() + ": read error: " + std::strerror(errno));
    }
  }

 private:
  int fd_ = -1;
  bool owns_fd_ = true;
};

class MemoryInput final : public ByteInput {
 public:
  MemoryInput(std::string bytes, std::string name)
      : ByteInput(std::move(name)), bytes_(std::move(bytes)) {}

 protected:
  std::size_t read_some(char* buf, std::size_t size) override {
    std::size_t n = std::min(size, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};

class ZstdInput final : public ByteInput {
 public:
  explicit ZstdInput(std::unique_ptr<ByteInput> source)
      : ByteInput(source->name()),
        source_(std::move(source)),
        stream_(ZSTD_createDStream()),
        in_buf_(ZSTD_DStreamInSize()) {
    if (stream_ == nullptr) throw InputError(name() + ": cannot create a zstd decoder");
  }
  ~ZstdInput() override { ZSTD_freeDStream(stream_); }

 protected:
  std::size_t read_some(char* buf, std::size_t size) override {
    ZSTD_outBuffer out{buf, size, 0};
    while (out.pos < out.size) {
      if (in_.pos == in_.size && !source_eof_) {
        in_.src = in_buf_.data();
        in_.size = source_->read(in_buf_.data(), in_buf_.size());
        in_.pos = 0;
        source_eof_ = in_.size == 0;
      }
      if (in_.pos == in_.size && !flush_pending_) break;  // end of the compressed data
      std::size_t ret = ZSTD_decompressStream(stream_, &out, &in_);
      if (ZSTD_isError(ret)) {
        throw InputError(name() + ": corrupt zstd data (" + ZSTD_getErrorName(ret) + ")");
      }
      last_ret_ = ret;
      // A full output buffer may leave decoded bytes inside the decoder.
      flush_pending_ = out.pos == out.size && ret != 0;
    }
    // At the end of the input, a nonzero hint means the last frame is incomplete.
    if (source_eof_ && in_.pos == in_.size && !flush_pending_ && last_ret_ != 0) {
      throw InputError(name() + ": truncated zstd stream");
    }
    return out.pos;
  }

 private:
  std::unique_ptr<ByteInput> source_;
  ZSTD_DStream* stream_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool source_eof_ = false;
  bool flush_pending_ = false;
  std::size_t last_ret_ = 1;  // no frame decoded yet
};

std::string lzma_problem(lzma_ret ret) {
  switch (ret) {
    case LZMA_MEM_ERROR:
      return "out of memory";
    case LZMA_MEMLIMIT_ERROR:
      return "memory limit reached";
    case LZMA_FORMAT_ERROR:
      return "not in the xz format";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options";
    case LZMA_DATA_ERROR:
      return "data is corrupt";
    case LZMA_BUF_ERROR:
      return "truncated input";
    default:
      return "liblzma error " + std::to_string(static_cast<int>(ret));
  }
}

class XzInput final : public ByteInput {
 public:
  explicit XzInput(std::unique_ptr<ByteInput> source)
      : ByteInput(source->name()), source_(std::move(source)), in_buf_(1 << 16) {
    lzma_ret ret = lzma_stream_decoder(&stream_, UINT64_MAX, LZMA_CONCATENATED);
    if (ret != LZMA_OK) {
      throw InputError(name() + ": cannot create an xz decoder (" + lzma_problem(ret) + ")");
    }
  }
  ~XzInput() override { lzma_end(&stream_); }

 protected:
  std::size_t read_some(char* buf, std::size_t size) override {
    if (finished_) return 0;
    stream_.next_out = reinterpret_cast<std::uint8_t*>(buf);
    stream_.avail_out = size;
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !source_eof_) {
        std::size_t n = source_->read(in_buf_.data(), in_buf_.size());
        stream_.next_in = reinterpret_cast<const std::uint8_t*>(in_buf_.data());
        stream_.avail_in = n;
        source_eof_ = n == 0;
      }
      lzma_ret ret = lzma_code(&stream_, source_eof_ ? LZMA_FINISH : LZMA_RUN);
      if (ret == LZMA_STREAM_END) {
        finished_ = true;
        break;
      }
      if (ret != LZMA_OK)
        throw InputError(name() + ": corrupt xz data (" + lzma_problem(ret) + ")");
    }
    return size - stream_.avail_out;
  }

 private:
  std::unique_ptr<ByteInput> source_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
  std::vector<char> in_buf_;
  bool source_eof_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<ByteInput> open_file_input(const std::string& path) {
  return std::make_unique<FileInput>(path);
}

std::unique_ptr<ByteInput> open_memory_input(std::string bytes, std::string name) {
  return std::make_unique<MemoryInput>(std::move(bytes), std::move(name));
}

std::unique_ptr<ByteInput> open_decompressed(std::unique_ptr<ByteInput> raw) {
  switch (detect_compression(raw->peek(6))) {
    case Compression::zstd:
      return std::make_unique<ZstdInput>(std::move(raw));
    case Compression::xz:
      return std::make_unique<XzInput>(std::move(raw));
    case Compression::none:
      break;
  }
  return raw;
}

std::unique_ptr<ByteInput> open_input(const std::string& path) {
  return open_decompressed(open_file_input(path));
}

}  // namespace mmvp::trace
