#include "tb/mmvp/trace_progress.h"

#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <system_error>

#include "tb/sweep/progress.h"
#include "tb/trace/trace_reader.h"

namespace mmvp::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  g_interrupted = 1;
}

}  // namespace

InterruptScope::InterruptScope() {
  g_interrupted = 0;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // the second Ctrl-C gets the default action
  sigaction(SIGINT, &sa, nullptr);
}

InterruptScope::~InterruptScope() {
  std::signal(SIGINT, SIG_DFL);
}

bool InterruptScope::interrupted() {
  return g_interrupted != 0;
}

// One trace's counters. Each stream opened of it gets its own file position (the
// populate pass scans the file whole before the replay reads it again).
struct TraceProgress::Workload {
  std::string path, name;
  std::uint64_t size = 0;  // bytes of the file as stored; 0 if unknown (a pipe)
  std::shared_ptr<std::atomic<std::uint64_t>> pending, scan_pos, replay_pos;
  std::atomic<std::uint64_t> scan_records{0}, records{0};
  bool scanning = false, done = false;  // guarded by the meter's mutex
};

namespace {

// The raw file's bytes as they are read (before decompression): the position the ETA
// is reckoned from.
class CountingInput final : public trace::ByteInput {
 public:
  CountingInput(std::unique_ptr<trace::ByteInput> raw,
                std::shared_ptr<std::atomic<std::uint64_t>> position)
      : ByteInput(raw->name()), raw_(std::move(raw)), position_(std::move(position)) {}

 protected:
  std::size_t read_some(char* buf, std::size_t size) override {
    const std::size_t n = raw_->read(buf, size);
    position_->fetch_add(n, std::memory_order_relaxed);
    return n;
  }

 private:
  std::unique_ptr<trace::ByteInput> raw_;
  std::shared_ptr<std::atomic<std::uint64_t>> position_;
};

// Counts a stream's records; ends it (as at the end of the trace) after a Ctrl-C.
class ProgressSource final : public sw::AccessSource {
 public:
  ProgressSource(std::unique_ptr<sw::AccessSource> s, std::atomic<std::uint64_t>& records,
                 std::function<void()> started, std::function<void()> ended)
      : s_(std::move(s)),
        records_(records),
        started_(std::move(started)),
        ended_(std::move(ended)) {}
  std::size_t read(sw::MemAccess* out, std::size_t max) override {
    if (started_) {
      started_();
      started_ = nullptr;
    }
    if (InterruptScope::interrupted()) return end();
    const std::size_t n = s_->read(out, max);
    records_.fetch_add(n, std::memory_order_relaxed);
    return n ? n : end();
  }
  std::string name() const override { return s_->name(); }
  const sw::SyscallRecord& syscall(std::uint64_t id) const override { return s_->syscall(id); }
  sw::ProcessAbi abi() const override { return s_->abi(); }

 private:
  std::size_t end() {
    if (ended_) {
      std::function<void()> once = std::move(ended_);
      ended_ = nullptr;
      once();
    }
    return 0;
  }
  std::unique_ptr<sw::AccessSource> s_;
  std::atomic<std::uint64_t>& records_;
  std::function<void()> started_, ended_;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string millions(std::uint64_t n) {
  return n >= 100000 ? fmt::format("{:.1f}M", static_cast<double>(n) / 1e6) : std::to_string(n);
}

}  // namespace

TraceProgress::TraceProgress(const std::vector<std::string>& files, TraceProgressStyle style,
                             std::ostream& out)
    : style_(style), out_(out), start_(std::chrono::steady_clock::now()), replay_start_(start_) {
  for (const std::string& f : files) {
    auto w = std::make_shared<Workload>();
    w->path = f;
    w->name = std::filesystem::path(f).filename().string();
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec)) w->size = std::filesystem::file_size(f, ec);
    if (ec) w->size = 0;
    workloads_.push_back(std::move(w));
  }
  if (style_ == TraceProgressStyle::bar && !workloads_.empty())
    ticker_ = std::make_unique<sweep::Ticker>(mu_, [this] { draw_locked(); });
}

TraceProgress::~TraceProgress() {
  finish();
}

void TraceProgress::finish() {
  if (ticker_) ticker_->stop();
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  if (ticker_) {
    out_ << "\r\033[K";  // clear the status line
    out_.flush();
  }
}

std::unique_ptr<sw::AccessSource> TraceProgress::open(std::size_t i) {
  Workload& w = *workloads_.at(i);
  auto position = std::make_shared<std::atomic<std::uint64_t>>(0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    w.pending = position;
  }
  return trace::open_trace_stream(
      std::make_unique<CountingInput>(trace::open_file_input(w.path), position));
}

std::unique_ptr<sw::AccessSource> TraceProgress::wrap(std::size_t i, bool scan,
                                                      std::unique_ptr<sw::AccessSource> stream) {
  Workload& w = *workloads_.at(i);
  {
    std::lock_guard<std::mutex> lock(mu_);
    (scan ? w.scan_pos : w.replay_pos) = std::move(w.pending);
    w.pending = nullptr;
    if (scan) w.scanning = true;
  }
  auto started = [this, scan] {
    std::lock_guard<std::mutex> lock(mu_);
    if (!scan && !replaying_) {
      replaying_ = true;
      replay_start_ = std::chrono::steady_clock::now();
    }
  };
  std::function<void()> ended;
  if (scan) ended = [this, i] { scan_ended(i); };
  return std::make_unique<ProgressSource>(std::move(stream), scan ? w.scan_records : w.records,
                                          started, ended);
}

void TraceProgress::scan_ended(std::size_t i) {
  std::lock_guard<std::mutex> lock(mu_);
  workloads_[i]->scanning = false;
}

void TraceProgress::workload_exited(std::size_t i, std::uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  Workload& w = *workloads_.at(i);
  w.done = true;
  if (style_ != TraceProgressStyle::lines) return;
  const double s = seconds_since(replaying_ ? replay_start_ : start_);
  out_ << fmt::format("mmvp trace: {}: {} records replayed{} in {:.1f} s ({} records/s)\n", w.name,
                      n, InterruptScope::interrupted() ? " (interrupted)" : "", s,
                      millions(s > 0 ? static_cast<std::uint64_t>(static_cast<double>(n) / s) : 0));
  out_.flush();
}

std::string TraceProgress::status_locked() const {
  using sweep::ProgressMeter;
  for (const auto& w : workloads_) {
    if (!w->scanning) continue;
    const std::uint64_t pos = w->scan_pos ? w->scan_pos->load(std::memory_order_relaxed) : 0;
    std::string pct =
        w->size ? fmt::format("{:3}%", std::min<std::uint64_t>(100, pos * 100 / w->size)) : "";
    return fmt::format("mmvp trace: {}: finding its pages {}  {} records  {} elapsed", w->name, pct,
                       millions(w->scan_records.load(std::memory_order_relaxed)),
                       ProgressMeter::format_duration(seconds_since(start_)));
  }
  std::uint64_t pos = 0, size = 0, records = 0;
  std::size_t running = 0;
  bool sized = true;
  for (const auto& w : workloads_) {
    records += w->records.load(std::memory_order_relaxed);
    if (!w->replay_pos) continue;
    if (!w->done) ++running;
    sized = sized && w->size;
    pos += std::min(w->size, w->replay_pos->load(std::memory_order_relaxed));
    size += w->size;
  }
  if (!replaying_) {
    return fmt::format("mmvp trace: booting, faulting the pages in  {} elapsed",
                       ProgressMeter::format_duration(seconds_since(start_)));
  }
  const double s = seconds_since(replay_start_);
  std::string where, eta;
  if (sized && size) {
    const double f = static_cast<double>(pos) / static_cast<double>(size);
    where = fmt::format("  {:3.0f}%", f * 100);
    eta = f > 0 ? "  ETA " + ProgressMeter::format_duration(s * (1 - f) / f) : "  ETA --";
  }
  return fmt::format(
      "mmvp trace: replaying {} of {}  {} records  {} records/s{}  {} elapsed{}", running,
      workloads_.size(), millions(records),
      millions(s > 0 ? static_cast<std::uint64_t>(static_cast<double>(records) / s) : 0), where,
      ProgressMeter::format_duration(seconds_since(start_)), eta);
}

void TraceProgress::draw_locked() {
  out_ << "\r\033[K" << status_locked();
  out_.flush();
}

}  // namespace mmvp::cli
