// libFuzzer target: the valgrind lackey text reader on arbitrary bytes. It must accept
// or reject with InputError, never crash, hang or hand out a record the replay refuses.
#include <cstdint>
#include <memory>
#include <string>

#include "tb/fuzz/trace_records.h"
#include "tb/trace/lackey.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmvp;
  fuzz::expect_only_input_errors([&] {
    trace::LackeyTraceSource src(trace::open_memory_input(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.trace"));
    fuzz::read_all_records(src, nullptr);
  });
  return 0;
}
