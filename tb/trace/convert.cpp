#include "tb/trace/convert.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "hw/common/types.h"
#include "tb/trace/binary_trace.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::trace {

namespace {

constexpr int kZstdLevel = 3;
constexpr std::size_t kBatchRecords = 1 << 16;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A newly created (or truncated) file written with write(2).
class FileSink final : public ByteSink {
 public:
  explicit FileSink(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) fail("cannot create");
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(const char* data, std::size_t size) override {
    while (size > 0) {
      ssize_t n = ::write(fd_, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("write error");
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  void close() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("write error");
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw InputError(path_ + ": " + what + ": " + std::strerror(errno));
  }
  std::string path_;
  int fd_ = -1;
};

// Compresses everything written into a zstd frame, passed on to the file.
class ZstdSink final : public ByteSink {
 public:
  explicit ZstdSink(FileSink& file, const std::string& name)
      : file_(file), name_(name), context_(ZSTD_createCCtx()), out_buf_(ZSTD_CStreamOutSize()) {
    if (context_ == nullptr) throw InputError(name_ + ": cannot create a zstd encoder");
    check(ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, kZstdLevel));
  }
  ~ZstdSink() override { ZSTD_freeCCtx(context_); }
  void write(const char* data, std::size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) compress(in, ZSTD_e_continue);
  }
  // Ends the frame; nothing may be written afterwards.
  void finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (compress(in, ZSTD_e_end) != 0) {
    }
  }

 private:
  std::size_t compress(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_buf_.data(), out_buf_.size(), 0};
    std::size_t remaining = check(ZSTD_compressStream2(context_, &out, &in, mode));
    file_.write(out_buf_.data(), out.pos);
    return remaining;
  }
  std::size_t check(std::size_t ret) const {
    if (ZSTD_isError(ret)) throw InputError(name_ + ": zstd error: " + ZSTD_getErrorName(ret));
    return ret;
  }
  FileSink& file_;
  std::string name_;
  ZSTD_CCtx* context_;
  std::vector<char> out_buf_;
};

std::uint64_t write_records(sw::AccessSource& source, ByteSink& sink) {
  BinaryTraceWriter writer(sink);
  std::vector<sw::MemAccess> batch(kBatchRecords);
  while (std::size_t n = source.read(batch.data(), batch.size())) writer.write(batch.data(), n);
  writer.flush();
  return writer.records_written();
}

}  // namespace

std::uint64_t write_binary_trace(sw::AccessSource& source, const std::string& path) {
  const std::string temp_path = path + ".tmp." + std::to_string(::getpid());
  try {
    FileSink file(temp_path);
    std::uint64_t records = 0;
    if (ends_with(path, ".zst")) {
      ZstdSink zstd(file, temp_path);
      records = write_records(source, zstd);
      zstd.finish();
    } else {
      records = write_records(source, file);
    }
    file.close();
    if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
      throw InputError(path + ": cannot rename " + temp_path + ": " + std::strerror(errno));
    }
    return records;
  } catch (...) {
    std::remove(temp_path.c_str());
    throw;
  }
}

std::uint64_t convert_trace(const std::string& in, const std::string& out) {
  std::unique_ptr<sw::AccessSource> source = open_trace(in);
  return write_binary_trace(*source, out);
}

}  // namespace mmvp::trace
