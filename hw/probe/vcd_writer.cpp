#include "hw/probe/vcd_writer.h"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "hw/probe/fst_output.h"

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

bool is_fst(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".fst") == 0;
}

// The globs a --wave-signals group stands for.
const std::pair<const char*, std::vector<const char*>> kGroups[] = {
    {"cpu",
     {"top.cpu.cr3", "top.cpu.cpl", "top.cpu.access", "top.cpu.linear_addr", "top.cpu.phys_addr",
      "top.cpu.exception", "top.cpu.irq", "top.cpu.routine"}},
    {"mmu", {"top.cpu.mmu.*"}},
    {"cache", {"top.cpu.cache.*"}},
    {"dram", {"top.dram.*"}},
    {"dma", {"top.dma.*", "top.isa.*"}},
    {"rtl", {"*.rtl.*"}},
};

}  // namespace

void VcdWriter::select_signals(const std::vector<std::string>& patterns) {
  if (!signals_.empty()) throw std::logic_error("select_signals after the first signal");
  for (const std::string& p : patterns) {
    if (p.empty()) throw ConfigError("--wave-signals: an empty entry");
    bool group = false;
    for (const auto& [name, globs] : kGroups) {
      if (p != name) continue;
      selection_.insert(selection_.end(), globs.begin(), globs.end());
      group = true;
    }
    if (!group) selection_.push_back(p);
  }
}

VcdWriter::VcdWriter(std::string path) : path_(std::move(path)), file_(path_, "--wave") {
  if (!is_fst(path_)) return;
  // fstapi writes the file itself, with seeks: into the OutputFile's temporary, which
  // commit() renames over the target.
  if (file_.in_place())
    throw ConfigError("--wave: an FST file must be a regular file, not " + path_);
  fst_ = std::make_unique<FstOutput>(file_.writing_path(), "--wave");
}

VcdWriter::~VcdWriter() = default;  // without close(): the old file stays as it was

void VcdWriter::drain(bool all) {
  if (fst_) return;
  if (out_.size() >= (1u << 20) || (all && !out_.empty())) {
    file_.write(out_);
    out_.clear();
  }
}

VcdWriter::Signal VcdWriter::add(const std::string& scope, const std::string& name, unsigned width,
                                 std::uint64_t initial) {
  if (header_written_) throw std::logic_error("VCD signal added after the first change");
  auto id = static_cast<Signal>(signals_.size());
  const std::string full = scope + "." + name;
  bool selected = selection_.empty();
  for (const std::string& glob : selection_)
    selected = selected || fnmatch(glob.c_str(), full.c_str(), 0) == 0;
  // Codes only for the signals written, so the dump's codes stay short and dense.
  signals_.push_back({scope, name, selected ? id_code(codes_++) : "", width, initial, selected});
  last_.push_back(initial);
  latest_.push_back(kNone);
  state_time_.push_back(0);
  pending_.resize(signals_.size());
  selected_.push_back(selected ? 1 : 0);
  return id;
}

void VcdWriter::stamp(Picos t) {
  if (fst_) {
    fst_->time(t);
    return;
  }
  char buf[24];
  buf[0] = '#';
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 1, t).ptr;
  *end++ = '\n';
  out_.append(buf, static_cast<std::size_t>(end - buf));
}

void VcdWriter::write_value(const Decl& d, std::uint64_t v) {
  if (fst_) {
    fst_->value(d.fst_handle, d.width, v);
    return;
  }
  // One append per change: the value, the identifier code, a newline.
  char buf[80];
  std::size_t n = 0;
  const auto finish = [&] {
    std::memcpy(buf + n, d.code.data(), d.code.size());
    n += d.code.size();
    buf[n++] = '\n';
    out_.append(buf, n);
  };
  if (d.width == 1) {
    buf[n++] = v & 1 ? '1' : '0';
    finish();
    return;
  }
  // 'b', the bits from the highest set one down, a space: eight characters per byte
  // from a table.
  static const auto kBits = [] {
    std::array<std::array<char, 8>, 256> bits{};
    for (unsigned b = 0; b < 256; ++b)
      for (unsigned i = 0; i < 8; ++i) bits[b][i] = (b >> (7 - i)) & 1 ? '1' : '0';
    return bits;
  }();
  buf[n++] = 'b';
  const unsigned top = v ? 63u - static_cast<unsigned>(__builtin_clzll(v)) : 0u;
  const unsigned lead = top % 8 + 1;  // bits of the highest byte written
  for (int byte = static_cast<int>(top / 8); byte >= 0; --byte) {
    const auto& chars = kBits[(v >> (8 * byte)) & 0xff];
    const unsigned skip = byte == static_cast<int>(top / 8) ? 8 - lead : 0;
    std::memcpy(buf + n, chars.data() + skip, 8 - skip);
    n += 8 - skip;
  }
  buf[n++] = ' ';
  finish();
}

void VcdWriter::declare_scopes() {
  // Group signals by scope, scopes nested along the dots, in declaration order.
  std::vector<std::string> open;
  std::vector<std::size_t> order(signals_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return signals_[a].scope < signals_[b].scope;
  });
  auto upscope = [&] {
    if (fst_)
      fst_->upscope();
    else
      out_ += "$upscope $end\n";
    open.pop_back();
  };
  for (std::size_t i : order) {
    Decl& d = signals_[i];
    if (!d.selected) continue;
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
    while (open.size() > common) upscope();
    for (std::size_t k = common; k < parts.size(); ++k) {
      if (fst_)
        fst_->scope(parts[k]);
      else
        out_ += "$scope module " + parts[k] + " $end\n";
      open.push_back(parts[k]);
    }
    if (fst_) {
      d.fst_handle = fst_->var(d.name, d.width);
      continue;
    }
    out_ += "$var wire " + std::to_string(d.width) + ' ' + d.code + ' ' + d.name;
    if (d.width > 1) out_ += " [" + std::to_string(d.width - 1) + ":0]";
    out_ += " $end\n";
  }
  while (!open.empty()) upscope();
}

void VcdWriter::write_header(Picos at) {
  header_written_ = true;
  if (!fst_) out_ += "$comment mmvp probes $end\n$timescale 1ps $end\n";
  declare_scopes();
  // The values at the window's start: the initial ones, or the state changes before
  // the start left.
  if (!fst_)
    out_ += "$enddefinitions $end\n#" + std::to_string(at) + "\n$dumpvars\n";
  else
    stamp(at);
  for (std::size_t i = 0; i < signals_.size(); ++i)
    if (signals_[i].selected) write_value(signals_[i], last_[i]);
  if (!fst_) out_ += "$end\n";
  written_time_ = at;
  any_time_ = at != 0 || fst_ != nullptr;
}

void VcdWriter::keep_state_before(Picos t) {
  std::size_t kept = 0;
  for (const Change& c : before_) {
    if (c.t >= t) {
      before_[kept++] = c;
    } else if (c.t >= state_time_[c.s]) {  // a later change at one time wins
      state_time_[c.s] = c.t;
      last_[c.s] = c.v;
    }
  }
  before_.resize(kept);
}

void VcdWriter::start_window() {
  keep_state_before(window_.start());
  for (const Change& c : before_) pending_.push(c.t, c.v, c.s);
  before_.clear();
}

void VcdWriter::write_before(Picos t) {
  if (!window_.started()) {
    keep_state_before(t);
    return;
  }
  if (pending_.empty()) return;
  // Changes before the window's start only set the state the dump opens with.
  const auto keep_state = [this](Picos at, std::uint64_t v, Signal s) {
    if (at < state_time_[s]) return;
    state_time_[s] = at;
    last_[s] = v;
  };
  // The changes before t, by time (ready_ is reused from one batch to the next).
  std::vector<Change>& ready = ready_;
  pending_.take_before(t, ready);
  if (ready.empty()) return;
  std::size_t i = 0;
  while (i < ready.size()) {
    std::size_t j = i;
    while (j < ready.size() && ready[j].t == ready[i].t) ++j;
    const Picos at = ready[i].t;
    if (at < window_.start()) {
      for (std::size_t k = i; k < j; ++k) keep_state(at, ready[k].v, ready[k].s);
      i = j;
      continue;
    }
    if (at >= window_.stop()) break;  // after the window (ready is sorted)
    if (!header_written_) write_header(window_.start());
    write_time(ready.data() + i, ready.data() + j);
    i = j;
  }
  drain(false);
}

void VcdWriter::write_time(const Change* begin, const Change* end) {
  // Within one timestamp only the last value of each signal is visible, and signals
  // come out in declaration order (so the bytes do not depend on emission order).
  touched_.clear();
  for (const Change* c = begin; c != end; ++c) {
    if (latest_[c->s] == kNone) touched_.push_back(c->s);
    latest_[c->s] = static_cast<std::uint32_t>(c - begin);
  }
  if (touched_.size() > 1) std::sort(touched_.begin(), touched_.end());
  bool stamped = false;
  for (const Signal s : touched_) {
    const std::uint64_t v = begin[latest_[s]].v;
    latest_[s] = kNone;
    if (last_[s] == v) continue;
    const Picos at = begin->t;
    if (!stamped && !(any_time_ && at == written_time_) && at != 0) {
      stamp(at);
      written_time_ = at;
      any_time_ = true;
    }
    stamped = true;
    last_[s] = v;
    write_value(signals_[s], v);
  }
}

void VcdWriter::close(Picos end_time) {
  if (closed_) return;
  write_before(UINT64_MAX);
  const Picos end = std::min(end_time, window_.stop());
  if (!header_written_) write_header(window_.started() ? std::min(window_.start(), end) : end);
  if (end > written_time_) stamp(end);
  drain(true);
  closed_ = true;
  if (fst_) fst_->close();
  file_.commit();
  for (auto& close_companion : closers_) close_companion();
}

}  // namespace mmvp
