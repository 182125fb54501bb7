// Output files: regular files replaced only when complete, special files written in
// place, symbolic links followed, write errors reported (hw/common/output_file.h).
#include "hw/common/output_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hw/common/escape.h"
#include "hw/common/types.h"

namespace mmvp {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("mmvp_output_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string contents(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Every entry of the directory (a leftover temporary shows up here).
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, NewAndExistingRegularFilesGetTheWholeText) {
  write_output_file(path("a.json"), "first\n");
  EXPECT_EQ(contents(path("a.json")), "first\n");
  write_output_file(path("a.json"), "second\n");
  EXPECT_EQ(contents(path("a.json")), "second\n");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(OutputFileTest, AnUncommittedFileLeavesTheOldOneAsItWas) {
  write_output_file(path("a.json"), "old\n");
  {
    OutputFile out(path("a.json"));
    out.write("half of the new");
  }  // the run failed before commit()
  EXPECT_EQ(contents(path("a.json")), "old\n");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(OutputFileTest, ASymbolicLinkIsFollowedNotReplaced) {
  write_output_file(path("real.json"), "old\n");
  fs::create_symlink("real.json", path("link.json"));
  write_output_file(path("link.json"), "new\n");
  EXPECT_TRUE(fs::is_symlink(path("link.json")));
  EXPECT_EQ(contents(path("real.json")), "new\n");
  // A dangling link creates its target.
  fs::create_symlink("later.json", path("dangling.json"));
  write_output_file(path("dangling.json"), "made\n");
  EXPECT_TRUE(fs::is_symlink(path("dangling.json")));
  EXPECT_EQ(contents(path("later.json")), "made\n");
}

TEST_F(OutputFileTest, AFifoIsWrittenInPlace) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0644), 0);
  std::string got;
  std::thread reader([&] { got = contents(path("fifo")); });
  write_output_file(path("fifo"), "through the pipe\n");
  reader.join();
  EXPECT_EQ(got, "through the pipe\n");
  struct stat st {};
  ASSERT_EQ(::stat(path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(OutputFileTest, DevicesAreWrittenInPlaceAndTheirErrorsReported) {
  write_output_file("/dev/null", "gone\n");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  if (::access("/dev/full", W_OK) == 0) {
    try {
      write_output_file("/dev/full", std::string(1 << 16, 'x'), "--stats-json");
      FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
      EXPECT_STREQ(e.what(), "--stats-json: cannot write /dev/full: No space left on device");
    }
    ASSERT_EQ(::stat("/dev/full", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
  }
}

TEST_F(OutputFileTest, ADirectoryOrMissingParentIsAConfigError) {
  try {
    write_output_file(dir_.string(), "x", "--vcd");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--vcd: cannot write " + dir_.string() + ": Is a directory");
  }
  try {
    write_output_file(path("no/such/dir/a.json"), "x");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write " + path("no/such/dir/a.json") + ": No such file or directory");
  }
}

TEST_F(OutputFileTest, OutputDirectoriesAreMadeOrReported) {
  make_output_directory(path("a/b/c"), "--proc");
  EXPECT_TRUE(fs::is_directory(path("a/b/c")));
  write_output_file(path("plain"), "x");
  try {
    make_output_directory(path("plain/sub"), "--proc");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--proc: cannot write " + path("plain/sub") + ": Not a directory");
  }
}

TEST(EscapeBytes, EveryByteOutsidePrintableAsciiIsEscaped) {
  EXPECT_EQ(escape_bytes("plain text ~!"), "plain text ~!");
  EXPECT_EQ(escape_bytes("a\x1b[31mb\fc\nd\x7f\xff"), "a\\x1b[31mb\\x0cc\\x0ad\\x7f\\xff");
  EXPECT_EQ(escape_bytes(std::string("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(escape_bytes(escape_bytes("\t")), "\\x09");
}

}  // namespace
}  // namespace mmvp
