// The core's string instructions, REP STOS and REP MOVS (SDM Vol. 2B), as the fast-string
// operation of Vol. 1 7.3.9.3 runs them: a page's part at a time, whole lines at a time.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hw/cpu/cpu_module.h"

namespace mmvp {
namespace {

void check_string(const char* what, LAddr la, unsigned width, std::uint64_t count) {
  if (width != 1 && width != 2 && width != 4 && width != 8)
    throw CpuHalt(fmt::format("{} of elements of {} bytes (1, 2, 4 or 8)", what, width));
  if (la % width)
    throw CpuHalt(
        fmt::format("{} at {:#x}: elements not aligned to their {} bytes", what, la, width));
  // RCX holds the count; more than a canonical address space is no string software has.
  if (count > (1ULL << 57) / width) throw CpuHalt(fmt::format("{} of {} elements", what, count));
}

// Bytes from `at` to the end of its 4 KB page.
std::uint64_t page_room(LAddr at) {
  return 4096 - (at & 4095);
}

// n bytes at host filled with the element pattern (elements are aligned, so every one
// lies within a page part).
void fill_elements(std::uint8_t* host, std::uint64_t n, const std::uint8_t* pattern,
                   unsigned width) {
  if (width == 1)
    std::memset(host, pattern[0], n);
  else
    for (std::uint64_t i = 0; i < n; i += width) std::memcpy(host + i, pattern, width);
}

}  // namespace

Picos CpuCore::string_lines(PAddr pa, std::uint64_t bytes, bool write, bool throughput) {
  // Each line as one access of the hierarchy; the core waits for what a line costs
  // beyond a first-level hit (no overlap of misses is modelled, as for single
  // accesses), and a line the first level holds costs the string's throughput.
  const unsigned line = caches_.line_bytes();
  const Picos hidden = caches_.first_level_hit(Requester::data);
  const Picos per_line = throughput ? (line / cfg_.string_bytes_per_cycle) * cfg_.cycle : 0;
  Picos cost = 0;
  for (PAddr l = pa & ~PAddr{line - 1}; l < pa + bytes; l += line) {
    // Whole lines of the destination are written without a read for ownership.
    const bool whole = write && l >= pa && l + line <= pa + bytes;
    const Picos latency = whole ? caches_.write_whole_line(l, local_ + cost)
                                : caches_.access(l, line, Requester::data, write, local_ + cost);
    cost += per_line + stall_beyond(latency, hidden);
  }
  return cost;
}

void CpuCore::string_element_on_bus(PAddr pa, void* data, unsigned width, bool write) {
  // Uncacheable memory (a PCD page, a device): every element is a transaction.
  local_ += access_physical(pa, data, width, Requester::data, write, true, local_);
}

std::uint64_t CpuCore::string_start(std::uint64_t count, unsigned width, bool loads) {
  check_irqs();
  ++stats_.string_ops;
  stats_.stores += count;
  if (loads) stats_.loads += count;
  stats_.string_bytes += count * width;
  local_ += cfg_.string_startup_cycles * cfg_.cycle;
  return count * width;
}

void CpuCore::rep_stos(LAddr la, std::uint64_t value, unsigned width, std::uint64_t count) {
  check_string("REP STOS", la, width, count);
  if (fast_forward_) return functional_string(la, 0, value, width, count * width, false);
  const std::uint64_t bytes = string_start(count, width, false);
  std::uint8_t pattern[8];
  std::memcpy(pattern, &value, 8);
  for (std::uint64_t done = 0; done < bytes;) {
    const LAddr at = la + done;
    const std::uint64_t n = std::min(bytes - done, page_room(at));
    const Picos start = probes_ ? now() : 0;
    const TranslateResult r = translate_checked(at, AccessKind::write);
    std::uint8_t* host = r.uncacheable ? nullptr : dmi_host(r.pa, true);
    if (host) {
      fill_elements(host, n, pattern, width);
      ++stats_.dmi_accesses;
      local_ += string_lines(r.pa, n, true, true);
    } else {
      for (std::uint64_t i = 0; i < n; i += width)
        string_element_on_bus(r.pa + i, pattern, width, true);
    }
    if (probes_) probes_->access(at, r.pa, AccessKind::write, start, now());
    done += n;
    maybe_sync();
  }
}

void CpuCore::rep_movs(LAddr dst, LAddr src, unsigned width, std::uint64_t count) {
  check_string("REP MOVS", dst, width, count);
  check_string("REP MOVS", src, width, count);
  if (fast_forward_) return functional_string(dst, src, 0, width, count * width, true);
  const std::uint64_t bytes = string_start(count, width, true);
  for (std::uint64_t done = 0; done < bytes;) {
    const std::uint64_t n = std::min({bytes - done, page_room(src + done), page_room(dst + done)});
    const Picos start = probes_ ? now() : 0;
    const TranslateResult from = translate_checked(src + done, AccessKind::read);
    const TranslateResult to = translate_checked(dst + done, AccessKind::write);
    const std::uint8_t* in = from.uncacheable ? nullptr : dmi_host(from.pa, false);
    std::uint8_t* out = to.uncacheable ? nullptr : dmi_host(to.pa, true);
    if (in && out) {
      std::memmove(out, in, n);
      stats_.dmi_accesses += 2;
      local_ += string_lines(from.pa, n, false, false);
      local_ += string_lines(to.pa, n, true, true);
    } else {
      // Uncacheable on one side or both: the cacheable side, if any, still costs its
      // lines.
      if (in) local_ += string_lines(from.pa, n, false, false);
      if (out) local_ += string_lines(to.pa, n, true, true);
      std::uint64_t element = 0;
      for (std::uint64_t i = 0; i < n; i += width) {
        if (in)
          std::memcpy(&element, in + i, width);
        else
          string_element_on_bus(from.pa + i, &element, width, false);
        if (out)
          std::memcpy(out + i, &element, width);
        else
          string_element_on_bus(to.pa + i, &element, width, true);
      }
    }
    if (probes_) probes_->access(dst + done, to.pa, AccessKind::write, start, now());
    done += n;
    maybe_sync();
  }
}

void CpuCore::functional_string(LAddr dst, LAddr src, std::uint64_t value, unsigned width,
                                std::uint64_t bytes, bool movs) {
  std::uint8_t pattern[8];
  std::memcpy(pattern, &value, 8);
  for (std::uint64_t done = 0; done < bytes;) {
    std::uint64_t n = std::min(bytes - done, page_room(dst + done));
    if (movs) n = std::min(n, page_room(src + done));
    std::uint8_t* out = functional_host(dst + done, AccessKind::write);
    if (movs)
      std::memmove(out, functional_host(src + done, AccessKind::read), n);
    else
      fill_elements(out, n, pattern, width);
    done += n;
  }
}

}  // namespace mmvp
