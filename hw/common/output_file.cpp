#include "hw/common/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "hw/common/types.h"

namespace mmvp {
namespace fs = std::filesystem;

namespace {

bool is_descriptor_path(const fs::path& p) {
  const std::string s = p.lexically_normal().string();
  return s.rfind("/dev/fd/", 0) == 0 || s.rfind("/dev/std", 0) == 0 ||
         (s.rfind("/proc/", 0) == 0 && s.find("/fd/") != std::string::npos);
}

// Follows the chain of symbolic links `path` starts (a dangling link's target is where
// the file will be made). `descriptor` is set when a step names an open file
// descriptor (/dev/stdout -> /proc/self/fd/1, /dev/fd/3): the descriptor may be a
// file the shell redirected into, which must be written through, not renamed over.
fs::path follow_links(fs::path path, bool& descriptor) {
  descriptor = is_descriptor_path(path);
  for (int hops = 0; hops < 40 && !descriptor; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(path, ec)) break;
    const fs::path link = fs::read_symlink(path, ec);
    if (ec) break;
    path = link.is_absolute() ? link : path.parent_path() / link;
    descriptor = is_descriptor_path(path);
  }
  return path;
}

}  // namespace

OutputFile::OutputFile(std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)) {
  if (path_.empty()) fail(ENOENT);
  bool descriptor = false;
  const fs::path followed = follow_links(path_, descriptor);
  if (descriptor) {
    in_place_ = true;
    target_ = path_;
  } else {
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(followed, ec);  // links in the directories
    target_ = ec ? followed.string() : resolved.string();
    struct stat st {};
    if (::stat(target_.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) fail(EISDIR);
      in_place_ = !S_ISREG(st.st_mode);
    }
  }
  if (in_place_) {
    writing_ = target_;
    // Append: never truncate what a redirected descriptor already holds.
    file_ = std::fopen(target_.c_str(), "ab");
  } else {
    writing_ = target_ + ".tmp." + std::to_string(::getpid());
    file_ = std::fopen(writing_.c_str(), "wb");
  }
  if (!file_) fail(errno);
}

OutputFile::~OutputFile() {
  if (committed_) return;
  if (file_) std::fclose(file_);
  if (!in_place_) std::remove(writing_.c_str());
}

void OutputFile::fail(int error) const {
  throw ConfigError((what_.empty() ? "" : what_ + ": ") + "cannot write " + path_ + ": " +
                    std::strerror(error));
}

void OutputFile::write(std::string_view bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    fail(errno ? errno : EIO);
}

void OutputFile::commit() {
  if (committed_) return;
  errno = 0;
  const bool flushed = std::fflush(file_) == 0 && !std::ferror(file_);
  const int error = errno ? errno : EIO;
  errno = 0;
  const bool closed = std::fclose(file_) == 0;
  const int close_error = errno ? errno : EIO;
  file_ = nullptr;
  committed_ = true;
  if (!flushed || !closed) {
    if (!in_place_) std::remove(writing_.c_str());
    fail(!flushed ? error : close_error);
  }
  if (!in_place_ && std::rename(writing_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    std::remove(writing_.c_str());
    fail(e);
  }
}

void write_output_file(const std::string& path, std::string_view text, const std::string& what) {
  OutputFile out(path, what);
  out.write(text);
  out.commit();
}

void make_output_directory(const std::string& dir, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    const int e = ec ? ec.value() : ENOTDIR;
    throw ConfigError((what.empty() ? "" : what + ": ") + "cannot write " + dir + ": " +
                      std::strerror(e));
  }
}

}  // namespace mmvp
