// Conversion of any supported trace (lackey text, binary; plain, zstd or xz) to the
// mmvp binary format (binary_trace.h).
#pragma once
#include <cstdint>
#include <string>

#include "sw/kernel/workload.h"

namespace mmvp::trace {

// Writes every record of source to path in the binary format, zstd-compressed
// (streaming, level 3) if path ends with ".zst". The file is replaced atomically: the
// data goes to path + ".tmp.<pid>", renamed to path at the end; on any error the
// temporary file is removed, an existing file at path is left untouched and the error
// is rethrown (mmvp::InputError for malformed input and for I/O errors).
// Returns the number of records written.
std::uint64_t write_binary_trace(sw::AccessSource& source, const std::string& path);

// open_trace(in), then write_binary_trace(..., out). Returns the number of records.
std::uint64_t convert_trace(const std::string& in, const std::string& out);

}  // namespace mmvp::trace
