// Opening a memory trace of any supported format as a sw::AccessSource. The format is
// detected from the content, not the file name:
//   - zstd (magic 28 B5 2F FD) or xz (magic FD 37 7A 58 5A 00) compression is
//     decompressed as a stream, then the decompressed content is detected;
//   - the mmvp binary format (magic "MMVTRC01", see binary_trace.h);
//   - anything else is read as a valgrind lackey text trace (see lackey.h).
#pragma once
#include <memory>
#include <string>

#include "sw/kernel/workload.h"
#include "tb/trace/compressed_input.h"

namespace mmvp::trace {

enum class TraceFormat { lackey, binary };

// Opens the file at path ("-" for standard input). Throws mmvp::InputError if it
// cannot be opened or (later, from read()) if it is malformed.
std::unique_ptr<sw::AccessSource> open_trace(const std::string& path);

// The same for an already opened input, possibly compressed (e.g. open_memory_input).
std::unique_ptr<sw::AccessSource> open_trace_stream(std::unique_ptr<ByteInput> input);

// The format of a decompressed input, from its first bytes (peeked, not consumed).
TraceFormat detect_trace_format(ByteInput& decompressed);

}  // namespace mmvp::trace
