#include "hw/probe/wave_window.h"

#include <cerrno>
#include <cstdlib>

#include "hw/common/params.h"

namespace mmvp {
namespace {

bool parse_number(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || s[0] == '-') return false;
  out = v;
  return true;
}

}  // namespace

WavePoint WavePoint::parse(const std::string& text, const std::string& option,
                           std::uint32_t (*resolve_routine)(const std::string& name)) {
  WavePoint p;
  p.text = text;
  auto bad = [&](const std::string& why) {
    return ConfigError(option + ": " + why +
                       " (a time such as 40us, boot-end, workload:N, "
                       "cr3:ADDR or routine:NAME): '" +
                       text + "'");
  };
  const std::size_t colon = text.find(':');
  const std::string head = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (!text.empty() && text[0] == '+') {
    Picos d = 0;
    if (!parse_time(text.substr(1), d) || d == 0) throw bad("not a duration after '+'");
    p.kind = WaveEvent::after;
    p.value = d;
  } else if (text == "boot-end") {
    p.kind = WaveEvent::boot_end;
  } else if (head == "workload" && colon != std::string::npos) {
    p.kind = WaveEvent::workload;
    if (!parse_number(arg, p.value) || p.value == 0) throw bad("N counts from 1");
  } else if (head == "cr3" && colon != std::string::npos) {
    p.kind = WaveEvent::cr3;
    if (!parse_number(arg, p.value)) throw bad("not an address");
  } else if (head == "routine" && colon != std::string::npos) {
    p.kind = WaveEvent::routine;
    const std::uint32_t id = resolve_routine ? resolve_routine(arg) : 0;
    if (id == 0) throw bad("no kernel routine named '" + arg + "'");
    p.value = id;
  } else {
    Picos t = 0;
    if (!parse_time(text, t)) throw bad("not a time or an event");
    p.kind = WaveEvent::time;
    p.value = t;
  }
  return p;
}

WaveWindow::WaveWindow(WavePoint from, WavePoint to) : from_(std::move(from)), to_(std::move(to)) {
  has_to_ = !to_.text.empty();
  started_ = from_.kind == WaveEvent::time;
  start_ = started_ ? from_.value : 0;
  if (has_to_ && to_.kind == WaveEvent::time) stop_ = to_.value;
  if (has_to_ && to_.kind == WaveEvent::after && started_) stop_ = start_ + to_.value;
}

void WaveWindow::event(WaveEvent kind, std::uint64_t value, Picos t) {
  if (!started_ && from_.matches(kind, value)) {
    started_ = true;
    start_ = t;
    if (has_to_ && to_.kind == WaveEvent::after) stop_ = start_ + to_.value;
    return;
  }
  if (started_ && has_to_ && stop_ == UINT64_MAX && to_.kind != WaveEvent::time &&
      to_.kind != WaveEvent::after && to_.matches(kind, value) && t >= start_)
    stop_ = t;
}

}  // namespace mmvp
