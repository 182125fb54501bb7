#include "hw/probe/vcd_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

namespace mmvp {
namespace {

// VCD identifier codes: printable ASCII 33..126, shortest first.
std::string id_code(std::uint32_t n) {
  std::string s;
  do {
    s.push_back(static_cast<char>(33 + n % 94));
    n /= 94;
  } while (n > 0);
  return s;
}

}  // namespace

VcdWriter::VcdWriter(std::string path) : path_(std::move(path)), file_(path_, "--vcd") {}

VcdWriter::~VcdWriter() = default;  // without close(): the old file stays as it was

void VcdWriter::drain(bool all) {
  if (out_.size() >= (1u << 20) || (all && !out_.empty())) {
    file_.write(out_);
    out_.clear();
  }
}

VcdWriter::Signal VcdWriter::add(const std::string& scope, const std::string& name, unsigned width,
                                 std::uint64_t initial) {
  if (header_written_) throw std::logic_error("VCD signal added after the first change");
  auto id = static_cast<Signal>(signals_.size());
  signals_.push_back({scope, name, id_code(id), width, initial});
  last_.push_back(initial);
  return id;
}

void VcdWriter::write_value(const Decl& d, std::uint64_t v) {
  if (d.width == 1) {
    out_ += v & 1 ? '1' : '0';
    out_ += d.code;
    out_ += '\n';
    return;
  }
  char buf[80];
  int n = 0;
  buf[n++] = 'b';
  int top = 63;
  while (top > 0 && !((v >> top) & 1)) --top;
  for (int i = top; i >= 0; --i) buf[n++] = ((v >> i) & 1) ? '1' : '0';
  buf[n++] = ' ';
  out_.append(buf, static_cast<std::size_t>(n));
  out_ += d.code;
  out_ += '\n';
}

void VcdWriter::write_header() {
  header_written_ = true;
  out_ += "$comment mmvp probes $end\n$timescale 1ps $end\n";
  // Group signals by scope, scopes nested along the dots, in declaration order.
  std::vector<std::string> open;
  std::vector<std::size_t> order(signals_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return signals_[a].scope < signals_[b].scope;
  });
  for (std::size_t i : order) {
    const Decl& d = signals_[i];
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= d.scope.size()) {
      std::size_t dot = d.scope.find('.', start);
      if (dot == std::string::npos) dot = d.scope.size();
      if (dot > start) parts.push_back(d.scope.substr(start, dot - start));
      start = dot + 1;
    }
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    while (open.size() > common) {
      out_ += "$upscope $end\n";
      open.pop_back();
    }
    for (std::size_t k = common; k < parts.size(); ++k) {
      out_ += "$scope module " + parts[k] + " $end\n";
      open.push_back(parts[k]);
    }
    out_ += "$var wire " + std::to_string(d.width) + ' ' + d.code + ' ' + d.name;
    if (d.width > 1) out_ += " [" + std::to_string(d.width - 1) + ":0]";
    out_ += " $end\n";
  }
  while (!open.empty()) {
    out_ += "$upscope $end\n";
    open.pop_back();
  }
  out_ += "$enddefinitions $end\n#0\n$dumpvars\n";
  for (const auto& d : signals_) write_value(d, d.initial);
  out_ += "$end\n";
}

void VcdWriter::flush_until(Picos t) {
  if (!header_written_) write_header();
  auto cut =
      std::partition(pending_.begin(), pending_.end(), [t](const Change& c) { return c.t < t; });
  std::vector<Change> ready(pending_.begin(), cut);
  pending_.erase(pending_.begin(), cut);
  std::sort(ready.begin(), ready.end(), [](const Change& a, const Change& b) {
    return a.t != b.t ? a.t < b.t : a.seq < b.seq;
  });
  // Within one timestamp only the last value of each signal is visible.
  std::size_t i = 0;
  while (i < ready.size()) {
    std::size_t j = i;
    while (j < ready.size() && ready[j].t == ready[i].t) ++j;
    std::map<Signal, std::uint64_t> final_values;
    for (std::size_t k = i; k < j; ++k) final_values[ready[k].s] = ready[k].v;
    bool stamped = false;
    for (const auto& [s, v] : final_values) {
      if (last_[s] == v) continue;
      if (!stamped && !(any_time_ && ready[i].t == written_time_) && ready[i].t != 0) {
        out_ += '#' + std::to_string(ready[i].t) + '\n';
        written_time_ = ready[i].t;
        any_time_ = true;
      }
      stamped = true;
      last_[s] = v;
      write_value(signals_[s], v);
    }
    i = j;
  }
  drain(false);
}

void VcdWriter::close(Picos end_time) {
  if (closed_) return;
  flush_until(UINT64_MAX);
  if (end_time > written_time_) out_ += '#' + std::to_string(end_time) + '\n';
  drain(true);
  closed_ = true;
  file_.commit();
  for (auto& close_companion : closers_) close_companion();
}

}  // namespace mmvp
