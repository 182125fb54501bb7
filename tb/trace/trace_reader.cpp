#include "tb/trace/trace_reader.h"

#include "tb/trace/binary_trace.h"
#include "tb/trace/lackey.h"

namespace mmvp::trace {

TraceFormat detect_trace_format(ByteInput& decompressed) {
  return is_binary_trace(decompressed.peek(sizeof kBinaryTraceMagic)) ? TraceFormat::binary
                                                                      : TraceFormat::lackey;
}

std::unique_ptr<sw::AccessSource> open_trace_stream(std::unique_ptr<ByteInput> input) {
  std::unique_ptr<ByteInput> decompressed = open_decompressed(std::move(input));
  if (detect_trace_format(*decompressed) == TraceFormat::binary) {
    return std::make_unique<BinaryTraceSource>(std::move(decompressed));
  }
  return std::make_unique<LackeyTraceSource>(std::move(decompressed));
}

std::unique_ptr<sw::AccessSource> open_trace(const std::string& path) {
  return open_trace_stream(open_file_input(path));
}

}  // namespace mmvp::trace
