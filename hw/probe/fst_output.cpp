#include "hw/probe/fst_output.h"

#include <fstapi.h>

#include "hw/common/types.h"

namespace mmvp {

FstOutput::FstOutput(const std::string& path, const std::string& what)
    : ctx_(fstWriterCreate(path.c_str(), 1)) {
  if (!ctx_) throw ConfigError(what + ": cannot write " + path);
  fstWriterSetTimescale(ctx_, -12);  // 1 ps, as the VCD's $timescale
  fstWriterSetPackType(ctx_, FST_WR_PT_LZ4);
  // Blocks are compressed and written by a second thread, in order: the same bytes.
  fstWriterSetParallelMode(ctx_, 1);
  fstWriterSetDate(ctx_, "");  // no wall-clock date: identical runs, identical bytes
  fstWriterSetVersion(ctx_, "mmvp probes");
}

FstOutput::~FstOutput() {
  close();
}

void FstOutput::scope(const std::string& name) {
  fstWriterSetScope(ctx_, FST_ST_VCD_MODULE, name.c_str(), nullptr);
}

void FstOutput::upscope() {
  fstWriterSetUpscope(ctx_);
}

std::uint32_t FstOutput::var(const std::string& name, unsigned width) {
  return fstWriterCreateVar(ctx_, FST_VT_VCD_WIRE, FST_VD_IMPLICIT, width, name.c_str(), 0);
}

void FstOutput::time(std::uint64_t picos) {
  fstWriterEmitTimeChange(ctx_, picos);
}

void FstOutput::value(std::uint32_t handle, unsigned width, std::uint64_t v) {
  fstWriterEmitValueChange64(ctx_, handle, width, v);
  // A block every kBlockChanges changes rather than fstapi's 128 MB: its buffers stay
  // in the host's caches, and the second thread compresses one while the next fills.
  if (++changes_ % kBlockChanges == 0) fstWriterFlushContext(ctx_);
}

void FstOutput::close() {
  if (ctx_) fstWriterClose(ctx_);
  ctx_ = nullptr;
}

}  // namespace mmvp
