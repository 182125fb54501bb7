#include "tb/trace/convert.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "hw/common/output_file.h"
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

// The output file (hw/common/output_file.h: a temporary renamed into place, or a
// special file written in place).
class FileSink final : public ByteSink {
 public:
  explicit FileSink(const std::string& path) : out_(path) {}
  void write(const char* data, std::size_t size) override { out_.write({data, size}); }
  void commit() { out_.commit(); }

 private:
  OutputFile out_;
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
  writer.write_abi(source.abi());
  std::vector<sw::MemAccess> batch(kBatchRecords);
  while (std::size_t n = source.read(batch.data(), batch.size()))
    writer.write(batch.data(), n, source);
  writer.flush();
  return writer.records_written();
}

}  // namespace

std::uint64_t write_binary_trace(sw::AccessSource& source, const std::string& path) {
  FileSink file(path);
  std::uint64_t records = 0;
  if (ends_with(path, ".zst")) {
    ZstdSink zstd(file, path);
    records = write_records(source, zstd);
    zstd.finish();
  } else {
    records = write_records(source, file);
  }
  file.commit();
  return records;
}

std::uint64_t convert_trace(const std::string& in, const std::string& out) {
  std::unique_ptr<sw::AccessSource> source = open_trace(in);
  return write_binary_trace(*source, out);
}

}  // namespace mmvp::trace
