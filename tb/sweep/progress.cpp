#include "tb/sweep/progress.h"

#include <fmt/format.h>

namespace mmvp::sweep {

Ticker::Ticker(std::mutex& mu, std::function<void()> draw) : mu_(mu), draw_(std::move(draw)) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopped_) {
      draw_();
      wake_.wait_for(lock, std::chrono::milliseconds(250));
    }
  });
}

void Ticker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ProgressMeter::ProgressMeter(std::size_t total_points, ProgressStyle style, std::ostream& out)
    : total_(total_points), style_(style), out_(out), start_(std::chrono::steady_clock::now()) {
  if (style_ == ProgressStyle::bar && total_ > 0)
    ticker_ = std::make_unique<Ticker>(mu_, [this] { draw_locked(); });
}

ProgressMeter::~ProgressMeter() {
  finish();
}

void ProgressMeter::finish() {
  if (ticker_) ticker_->stop();
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  if (style_ == ProgressStyle::bar && total_ > 0) {
    draw_locked();
    out_ << "\n";
    out_.flush();
  }
}

std::string ProgressMeter::format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  auto s = static_cast<std::uint64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string ProgressMeter::bar_text_locked() const {
  constexpr std::size_t kWidth = 30;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
  std::string eta = "--";
  if (done_ > 0 && done_ < total_)
    eta =
        format_duration(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_));
  else if (done_ == total_)
    eta = "0s";
  const double recs = static_cast<double>(records_.load(std::memory_order_relaxed));
  return fmt::format("\r[{}{}] {}/{} points {:3}%  {:.1f}M records  {} elapsed  ETA {}   ",
                     std::string(filled, '#'), std::string(kWidth - filled, '.'), done_, total_,
                     total_ ? done_ * 100 / total_ : 100, recs / 1e6, format_duration(elapsed),
                     eta);
}

void ProgressMeter::draw_locked() {
  out_ << bar_text_locked();
  out_.flush();
}

void ProgressMeter::points_done(std::size_t n, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ += n;
  if (style_ == ProgressStyle::lines) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string eta = done_ < total_ && done_ > 0
                          ? " ETA " + format_duration(elapsed / static_cast<double>(done_) *
                                                      static_cast<double>(total_ - done_))
                          : "";
    out_ << fmt::format("mmvp sweep: {}/{} {}{}\n", done_, total_, what, eta);
    out_.flush();
  } else if (style_ == ProgressStyle::bar && !stopped_) {
    draw_locked();
  }
}

void ProgressMeter::note(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (style_ == ProgressStyle::quiet) return;
  const bool redraw = style_ == ProgressStyle::bar && !stopped_ && total_ > 0;
  if (redraw) out_ << "\r\033[K";
  out_ << "mmvp sweep: " << line << "\n";
  if (redraw) draw_locked();
  out_.flush();
}

}  // namespace mmvp::sweep
