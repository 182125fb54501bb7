// Probe signals written to a Value Change Dump (IEEE 1364 VCD) file.
//
// Blocks register signals by dotted scope and name; value changes carry their own
// simulated time, so producers running ahead of the SystemC kernel (temporal
// decoupling) can still record exact times. Changes are buffered and written in time
// order once no producer can emit anything older (flush_until). The output has no
// date or version stamp, so identical runs produce identical bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/common/output_file.h"
#include "hw/common/types.h"

namespace mmvp {

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
  void change(Signal s, std::uint64_t value, Picos t) { pending_.push_back({t, seq_++, s, value}); }
  // Writes every buffered change strictly before t.
  void flush_until(Picos t);
  // Writes everything and renames the file into place, then closes the companion files
  // registered with on_close (an RTL block's own VCD), so their errors surface here.
  void close(Picos end_time);
  void on_close(std::function<void()> closer) { closers_.push_back(std::move(closer)); }

  std::size_t signal_count() const { return signals_.size(); }
  const std::string& path() const { return path_; }

 private:
  struct Decl {
    std::string scope, name, code;
    unsigned width;
    std::uint64_t initial;
  };
  struct Change {
    Picos t;
    std::uint64_t seq;
    Signal s;
    std::uint64_t v;
  };
  void write_header();
  // Writes the buffered text to the file once it is large (or all of it).
  void drain(bool all);
  void write_value(const Decl& d, std::uint64_t v);

  std::string path_;
  OutputFile file_;
  std::string out_;  // buffered text, written to file_ in blocks
  std::vector<Decl> signals_;
  std::vector<std::uint64_t> last_;
  std::vector<Change> pending_;
  std::vector<std::function<void()>> closers_;
  std::uint64_t seq_ = 0;
  bool header_written_ = false;
  bool closed_ = false;
  Picos written_time_ = 0;
  bool any_time_ = false;
};

}  // namespace mmvp
