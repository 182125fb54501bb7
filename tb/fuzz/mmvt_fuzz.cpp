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

struct Decoded {
  std::vector<mmvp::sw::MemAccess> records;
  std::vector<mmvp::sw::SyscallRecord> calls;
  mmvp::sw::ProcessAbi abi = mmvp::sw::ProcessAbi::x86_64;
};

Decoded decode(std::string bytes) {
  using namespace mmvp;
  trace::BinaryTraceSource src(trace::open_memory_input(std::move(bytes), "fuzz.mmvt"));
  Decoded d;
  d.abi = src.abi();
  fuzz::read_all_records(src, &d.records, &d.calls);
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmvp;
  Decoded first;
  bool complete = false;
  fuzz::expect_only_input_errors([&] {
    first = decode(std::string(trace::kBinaryTraceMagic, sizeof trace::kBinaryTraceMagic) +
                   std::string(reinterpret_cast<const char*>(data), size));
    complete = true;
  });
  if (!complete) return 0;
  trace::StringSink sink;
  {
    trace::BinaryTraceWriter writer(sink);
    writer.write_abi(first.abi);
    for (const sw::MemAccess& a : first.records) {
      if (a.type == sw::AccessType::syscall)
        writer.write_syscall(first.calls[a.addr]);
      else
        writer.write(a);
    }
    writer.flush();
  }
  const Decoded again = decode(sink.bytes);
  const auto& records = first.records;
  FUZZ_CHECK(again.abi == first.abi);
  FUZZ_CHECK(again.records.size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    FUZZ_CHECK(again.records[i].addr == records[i].addr);
    FUZZ_CHECK(again.records[i].size == records[i].size);
    FUZZ_CHECK(again.records[i].type == records[i].type);
  }
  FUZZ_CHECK(again.calls.size() == first.calls.size());
  for (std::size_t i = 0; i < first.calls.size(); ++i) {
    const auto &x = first.calls[i], &y = again.calls[i];
    FUZZ_CHECK(x.nr == y.nr && x.result == y.result && x.path == y.path);
    for (unsigned j = 0; j < 6; ++j) FUZZ_CHECK(x.arg[j] == y.arg[j]);
  }
  return 0;
}
