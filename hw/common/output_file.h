// Output files written so that nothing already there is lost or corrupted. A target
// that is a regular file (or does not exist yet) is written to a temporary file in the
// directory of its resolved path (symbolic links followed) and renamed over it only
// when complete, so a failing run leaves the old file as it was; any other existing
// target (a device such as /dev/stdout or /dev/null, a FIFO) is written in place, never
// replaced. Every write error (ENOSPC on /dev/full, EPIPE, EIO) is a ConfigError
// "cannot write PATH: reason", which the command line turns into exit status 2.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace mmvp {

class OutputFile {
 public:
  // Opens the file; `what` (an option name, "--vcd") prefixes the error messages.
  explicit OutputFile(std::string path, std::string what = "");
  // Without commit(): the temporary is removed (the target is untouched).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  std::FILE* file() { return file_; }  // for fmt::print; errors surface at commit()
  // Flushes, checks every write, closes and renames into place. Throws ConfigError.
  void commit();

  const std::string& path() const { return path_; }
  // Where the bytes go before commit(): the temporary, or the target itself.
  const std::string& writing_path() const { return writing_; }
  bool in_place() const { return in_place_; }

 private:
  [[noreturn]] void fail(int error) const;
  std::string path_, what_, target_, writing_;
  std::FILE* file_ = nullptr;
  bool in_place_ = false;
  bool committed_ = false;
};

// The whole text as one output file.
void write_output_file(const std::string& path, std::string_view text,
                       const std::string& what = "");
// Makes sure directory `dir` exists (creating its parents); ConfigError "cannot write
// DIR: reason" otherwise.
void make_output_directory(const std::string& dir, const std::string& what = "");

}  // namespace mmvp
