// The payload checks every simple TLM-2.0 target here makes before it acts: a target
// that supports neither byte enables nor streaming must answer with the matching
// error response (IEEE 1666-2011 14.17), and one that cannot act on a command with
// TLM_COMMAND_ERROR_RESPONSE.
#pragma once
#include <cstdint>
#include <tlm>

namespace mmvp {

// TLM_OK_RESPONSE, or the error to answer: the access must lie inside
// [0, window_bytes) and be non-empty, carry no byte enables, not stream, satisfy the
// target's own size/alignment rule (length_ok; a burst error otherwise) and be a
// read or a write.
inline tlm::tlm_response_status simple_target_check(const tlm::tlm_generic_payload& t,
                                                    std::uint64_t window_bytes,
                                                    bool length_ok = true) {
  const std::uint64_t a = t.get_address();
  const std::uint64_t n = t.get_data_length();
  if (a >= window_bytes || n > window_bytes - a) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (t.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (n == 0 || t.get_streaming_width() < n || !length_ok) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (!t.is_read() && !t.is_write()) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

}  // namespace mmvp
