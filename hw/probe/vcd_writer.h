// Probe signals written to a Value Change Dump (IEEE 1364 VCD) file, or to GTKWave's
// compressed FST format when the path ends in ".fst" (hw/probe/fst_output.h).
//
// Blocks register signals by dotted scope and name; value changes carry their own
// simulated time, so producers running ahead of the SystemC kernel (temporal
// decoupling) can still record exact times. Changes are buffered (hw/probe/change_buffer.h)
// and written in time order once no producer can emit anything older (flush_until).
// The output has no date or version stamp, so identical runs produce identical bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/common/output_file.h"
#include "hw/common/types.h"
#include "hw/probe/change_buffer.h"
#include "hw/probe/wave_window.h"

namespace mmvp {

class FstOutput;

class VcdWriter {
 public:
  using Signal = std::uint32_t;

  // Opens `path` for writing (hw/common/output_file.h: a temporary renamed into place on
  // close(), or a special file written in place).
  explicit VcdWriter(std::string path);
  ~VcdWriter();
  VcdWriter(const VcdWriter&) = delete;
  VcdWriter& operator=(const VcdWriter&) = delete;

  // Declares a signal before the first change; scope "mmu.dtlb", name "hit".
  Signal add(const std::string& scope, const std::string& name, unsigned width,
             std::uint64_t initial = 0);
  // Records a change at simulated time t (picoseconds).
  void change(Signal s, std::uint64_t value, Picos t) {
    if (!selected_[s]) return;
    if (window_.started())
      pending_.push(t, value, s);
    else
      before_.push_back({t, value, s});  // before the window: no order needed yet
  }
  // No producer will emit a change before t any more: what is buffered before t may be
  // written. The work waits until enough has been buffered (each write sorts what it
  // takes, and lock-step calls this at every sync).
  void flush_until(Picos t) {
    if (t > safe_) safe_ = t;
    if (pending_.size() >= kBatch || before_.size() >= kBatch) write_before(safe_);
  }
  // Which signals are written (default: all): `patterns` are groups (cpu, mmu, cache,
  // dram, dma, rtl) or globs on the dotted name ("top.cpu.mmu.*"). Signals added later
  // that match none are declared nowhere and their changes dropped. ConfigError for an
  // empty list entry.
  void select_signals(const std::vector<std::string>& patterns);
  // The part of the run written (default: all of it); set before the first change.
  void set_window(WaveWindow w) { window_ = std::move(w); }
  // An event the window may start or stop at (the core's probes and milestones).
  void event(WaveEvent kind, std::uint64_t value, Picos t) {
    const bool waiting = !window_.started();
    window_.event(kind, value, t);
    if (waiting && window_.started()) start_window();
  }
  // After close(): whether the window's start ever came (false: the dump is empty).
  bool window_started() const { return window_.started(); }
  // Whether a change at t falls inside the window (companion writers follow it).
  bool in_window(Picos t) const {
    return window_.started() && t >= window_.start() && t < window_.stop();
  }
  const std::string& window_from() const { return window_.from().text; }
  // Writes everything and renames the file into place, then closes the companion files
  // registered with on_close (an RTL block's own VCD), so their errors surface here.
  void close(Picos end_time);
  void on_close(std::function<void()> closer) { closers_.push_back(std::move(closer)); }

  std::size_t signal_count() const { return signals_.size(); }
  const std::string& path() const { return path_; }

 private:
  using Change = ChangeBuffer::Change;
  struct Decl {
    std::string scope, name, code;
    unsigned width;
    std::uint64_t initial;
    bool selected;
    std::uint32_t fst_handle = 0;
  };
  static constexpr std::size_t kBatch = 4096;  // changes buffered before a write
  // Writes every buffered change strictly before t.
  void write_before(Picos t);
  // Before the window: keeps each signal's latest value of the changes before t (the
  // dump opens with them).
  void keep_state_before(Picos t);
  // The window's start came: the changes before it become state, the rest go to
  // pending_ in emission order.
  void start_window();
  void write_header(Picos at);
  // Writes the buffered text to the file once it is large (or all of it).
  void drain(bool all);
  void write_value(const Decl& d, std::uint64_t v);
  // Writes the changes of one timestamp (all at begin->t, in emission order).
  void write_time(const Change* begin, const Change* end);
  void stamp(Picos t);    // a new simulation time
  void declare_scopes();  // $scope/$var, or the FST hierarchy

  std::string path_;
  OutputFile file_;
  std::string out_;                 // buffered text, written to file_ in blocks
  std::unique_ptr<FstOutput> fst_;  // FST instead of VCD text
  std::vector<Decl> signals_;
  std::vector<std::uint64_t> last_;     // each signal's value as last written (or state)
  std::vector<Picos> state_time_;       // before the window: the time of last_'s value
  std::vector<std::uint8_t> selected_;  // per signal: written (select_signals)
  ChangeBuffer pending_;
  // Before the window starts, changes are only appended here (no grouping by time):
  // all that counts of them is each signal's latest value.
  std::vector<Change> before_;
  std::vector<Change> ready_;  // flush_until's buffer
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> latest_;  // write_time: per signal, its last change or kNone
  std::vector<Signal> touched_;        // write_time: the signals changed at this time
  std::vector<std::function<void()>> closers_;
  WaveWindow window_;
  std::vector<std::string> selection_;  // globs; empty: every signal
  std::uint32_t codes_ = 0;             // identifier codes handed out
  bool header_written_ = false;
  bool closed_ = false;
  Picos written_time_ = 0;
  Picos safe_ = 0;  // flush_until's latest bound
  bool any_time_ = false;
};

}  // namespace mmvp
