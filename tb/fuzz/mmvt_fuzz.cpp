// libFuzzer target: the .mmvt binary reader on arbitrary bytes (the magic is prepended
// so that every input reaches the record decoder). What it accepts must survive a
// round trip through BinaryTraceWriter unchanged: the writer and the reader agree on
// what a valid record is (tb/trace/access_check.h).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tb/fuzz/trace_records.h"
#include "tb/trace/binary_trace.h"

namespace {

std::vector<mmvp::sw::MemAccess> decode(std::string bytes) {
  using namespace mmvp;
  trace::BinaryTraceSource src(trace::open_memory_input(std::move(bytes), "fuzz.mmvt"));
  std::vector<sw::MemAccess> records;
  fuzz::read_all_records(src, &records);
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmvp;
  std::vector<sw::MemAccess> records;
  bool complete = false;
  fuzz::expect_only_input_errors([&] {
    records = decode(std::string(trace::kBinaryTraceMagic, sizeof trace::kBinaryTraceMagic) +
                     std::string(reinterpret_cast<const char*>(data), size));
    complete = true;
  });
  if (!complete) return 0;
  trace::StringSink sink;
  {
    trace::BinaryTraceWriter writer(sink);
    writer.write(records.data(), records.size());
    writer.flush();
  }
  const std::vector<sw::MemAccess> again = decode(sink.bytes);
  FUZZ_CHECK(again.size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    FUZZ_CHECK(again[i].addr == records[i].addr);
    FUZZ_CHECK(again[i].size == records[i].size);
    FUZZ_CHECK(again[i].type == records[i].type);
  }
  return 0;
}
