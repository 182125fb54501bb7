// Progress of a sweep on stderr: a bar with points done, records read and an ETA,
// redrawn in place when stderr is a terminal; one plain line per finished point
// otherwise; nothing when quiet. Notes (skipped points, failures) print as lines.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace mmvp::sweep {

enum class ProgressStyle { bar, lines, quiet };

// Redraws a status line: calls draw() with `mu` held, at once and then every 250 ms,
// from a thread of its own, until stop(). Shared by the sweep's and the trace's meters.
class Ticker {
 public:
  Ticker(std::mutex& mu, std::function<void()> draw);
  ~Ticker() { stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  // Ends the redrawing and joins the thread; call without `mu` held.
  void stop();

 private:
  std::mutex& mu_;
  std::function<void()> draw_;
  std::condition_variable wake_;
  bool stopped_ = false;  // guarded by mu_
  std::thread thread_;
};

class ProgressMeter {
 public:
  ProgressMeter(std::size_t total_points, ProgressStyle style, std::ostream& out);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // Thread-safe.
  void points_done(std::size_t n, const std::string& what);
  void note(const std::string& line);
  // Records read so far by every engine (shown on the bar).
  std::atomic<std::uint64_t>& records() { return records_; }
  // Clears the bar and stops redrawing.
  void finish();

  // "1h02m", "3m05s", "42s".
  static std::string format_duration(double seconds);

 private:
  void draw_locked();
  std::string bar_text_locked() const;

  const std::size_t total_;
  const ProgressStyle style_;
  std::ostream& out_;
  std::mutex mu_;
  std::size_t done_ = 0;
  bool stopped_ = false;
  std::atomic<std::uint64_t> records_{0};
  const std::chrono::steady_clock::time_point start_;
  std::unique_ptr<Ticker> ticker_;
};

}  // namespace mmvp::sweep
