// libFuzzer target: format detection, the zstd and xz stream decoders and the reader
// behind them, on arbitrary bytes. A truncated or corrupt stream is an InputError;
// reading stops after fuzz::kMaxRecords records, so a small bomb cannot exhaust memory.
#include <cstdint>
#include <memory>
#include <string>

#include "tb/fuzz/trace_records.h"
#include "tb/trace/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmvp;
  fuzz::expect_only_input_errors([&] {
    auto src = trace::open_trace_stream(trace::open_memory_input(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.trace.zst"));
    fuzz::read_all_records(*src, nullptr);
  });
  return 0;
}
