// Trace inputs: lackey text, the binary format, zstd/xz streams, conversion.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw/common/types.h"
#include "tb/trace/access_check.h"
#include "tb/trace/binary_trace.h"
#include "tb/trace/compressed_input.h"
#include "tb/trace/convert.h"
#include "tb/trace/lackey.h"
#include "tb/trace/trace_reader.h"

// For EXPECT_EQ on records (found by argument-dependent lookup).
namespace mmvp::sw {
bool operator==(const MemAccess& a, const MemAccess& b) {
  return a.addr == b.addr && a.size == b.size && a.type == b.type;
}
std::ostream& operator<<(std::ostream& os, const MemAccess& a) {
  return os << "{" << static_cast<int>(a.type) << " 0x" << std::hex << a.addr << std::dec << ","
            << a.size << "}";
}

}  // namespace mmvp::sw

namespace mmvp::trace {
namespace {

namespace fs = std::filesystem;
using sw::AccessType;
using sw::MemAccess;

std::vector<MemAccess> read_all(sw::AccessSource& source, std::size_t batch = 1000) {
  std::vector<MemAccess> records;
  std::vector<MemAccess> buf(batch);
  while (std::size_t n = source.read(buf.data(), buf.size())) {
    records.insert(records.end(), buf.begin(), buf.begin() + n);
  }
  return records;
}

std::vector<MemAccess> read_text(const std::string& text, const std::string& name = "t.txt") {
  auto source = open_trace_stream(open_memory_input(text, name));
  return read_all(*source);
}

// The InputError message of reading text as a trace ("" if it parses).
std::string error_of(const std::string& text, const std::string& name = "trace.txt") {
  try {
    read_text(text, name);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string encode(const std::vector<MemAccess>& records) {
  StringSink sink;
  BinaryTraceWriter writer(sink);
  writer.write(records.data(), records.size());
  writer.flush();
  return sink.bytes;
}

const std::string kLackeyText =
    "==4426== Lackey, an example Valgrind tool\n"
    "==4426== Command: /bin/true\n"
    "==4426== \n"
    "I  0401ab70,3\n"
    " S 1fff000628,8\n"
    " L 0421a5e0,4\n"
    " M 7ff000398,16\n"
    "\n"
    "I  ffffffffffffffff,1\n"
    "==4426== Exit code:       0\n";

const std::vector<MemAccess> kLackeyRecords = {
    {0x0401ab70, 3, AccessType::instr},         {0x1fff000628, 8, AccessType::store},
    {0x0421a5e0, 4, AccessType::load},          {0x7ff000398, 16, AccessType::modify},
    {0xffffffffffffffff, 1, AccessType::instr},
};

// A per-test directory for files, removed afterwards.
class TraceFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("mmvp_trace_" + std::string(info->test_suite_name()) +
                                             "_" + info->name() + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write_file(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  static std::string file_bytes(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }
  void run(const std::string& command) const {
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::vector<MemAccess> read_file(const std::string& file) const {
    auto source = open_trace(file);
    return read_all(*source);
  }
  // A few hundred kB of lackey text: enough for several compressed blocks.
  std::string large_lackey_text(std::vector<MemAccess>* records) const {
    std::mt19937_64 rng(7);
    std::string text = "==1== Lackey\n";
    char line[64];
    for (int i = 0; i < 40000; ++i) {
      MemAccess a{rng() >> 16, static_cast<std::uint32_t>(1 + rng() % 32),
                  static_cast<AccessType>(rng() % 4)};
      static const char* const kPrefix[] = {"I  ", " L ", " S ", " M "};
      std::snprintf(line, sizeof line, "%s%08llx,%u\n", kPrefix[static_cast<int>(a.type)],
                    static_cast<unsigned long long>(a.addr), a.size);
      text += line;
      records->push_back(a);
    }
    return text;
  }
  fs::path dir_;
};

TEST(TraceLackey, ParsesEveryKindAndSkipsValgrindLines) {
  EXPECT_EQ(read_text(kLackeyText), kLackeyRecords);
}

TEST(TraceLackey, SmallBatchesGiveTheSameRecords) {
  auto source = open_trace_stream(open_memory_input(kLackeyText, "t.txt"));
  EXPECT_EQ(read_all(*source, 1), kLackeyRecords);
}

TEST(TraceLackey, AcceptsUppercaseHexCrLfAndNoFinalNewline) {
  std::vector<MemAccess> expected = {{0xABCDEF, 2, AccessType::load},
                                     {0x10, 65536u, AccessType::store}};
  EXPECT_EQ(read_text(" L 00ABCDEF,2\r\n\r\n S 10,65536"), expected);
}

TEST(TraceLackey, EmptyAndHeaderOnlyInputsGiveNoRecords) {
  EXPECT_TRUE(read_text("").empty());
  EXPECT_TRUE(read_text("==1== Lackey\n\n==1== Exit code: 0\n").empty());
}

TEST(TraceLackey, MalformedLinesAreReportedWithFileAndLine) {
  const std::string head = "==1== x\nI  1000,4\n";  // line 3 is the bad one
  struct Case {
    std::string line;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"X 12,4", "trace.txt:3: expected 'I  addr,size' or ' L addr,size' (or S, M), got 'X 12,4'"},
      {" X 12,4", "trace.txt:3: expected ' L addr,size', ' S addr,size' or ' M addr,size'"},
      {"I 0400d7d4,8", "trace.txt:3: expected 'I  addr,size', got 'I 0400d7d4,8'"},
      {" L  1000,4", "trace.txt:3: expected a hexadecimal address"},
      {" L 0x1000,4", "trace.txt:3: expected ',' after the address"},
      {" L 1000;4", "trace.txt:3: expected ',' after the address"},
      {" L 1000,", "trace.txt:3: expected a decimal size"},
      {" L 1000,4 ", "trace.txt:3: unexpected text after the size"},
      {" S 1000,0", "trace.txt:3: size 0, got ' S 1000,0'"},
      {" L 10000000000000000,4", "trace.txt:3: address does not fit in 64 bits"},
      {" L 1000,4294967296", "trace.txt:3: size does not fit in 32 bits"},
      {" L 1000,65537", "trace.txt:3: size larger than the 65536-byte limit of one access"},
      {"I  0401ab70,4294967295", "trace.txt:3: size larger than the 65536-byte limit"},
      {" M ffffffffffffffff,2", "trace.txt:3: access wraps around the end of the address space"},
      {"= not valgrind", "trace.txt:3: expected 'I  addr,size'"},
      {"  ", "trace.txt:3: expected ' L addr,size'"},
  };
  for (const Case& c : cases) {
    std::string error = error_of(head + c.line + "\nI  2000,4\n");
    EXPECT_NE(error.find(c.problem), std::string::npos) << "line '" << c.line << "': " << error;
    // The same without a final newline.
    error = error_of(head + c.line);
    EXPECT_NE(error.find(c.problem), std::string::npos) << "line '" << c.line << "': " << error;
  }
}

// The longest line accepted is 1,048,576 bytes before its '\n'; valgrind's "==" lines
// are skipped whatever their length.
TEST(TraceLackey, LongestLineIsAcceptedAndLongCommentsAreSkipped) {
  const std::size_t limit = std::size_t{1} << 20;
  const std::string suffix = "1000,4";
  const std::string longest = " L " + std::string(limit - 3 - suffix.size(), '0') + suffix;
  ASSERT_EQ(longest.size(), limit);
  const std::vector<MemAccess> one = {{0x1000, 4, AccessType::load}};
  EXPECT_EQ(read_text(longest + "\n"), one);
  EXPECT_EQ(read_text(longest), one);  // no final newline
  EXPECT_EQ(read_text("I  10,1\n" + longest + "\n").size(), 2u);
  EXPECT_EQ(
      error_of("I  10,1\n0" + longest + "\n"),
      "trace.txt:2: line longer than 1048576 bytes, got '0 L " + std::string(56, '0') + "...'");
  const std::string comment = "==1== " + std::string(3 * limit, 'x');
  EXPECT_EQ(read_text(comment + "\n L 1000,4\n"), one);
  EXPECT_EQ(read_text(" L 1000,4\n" + comment), one);
  EXPECT_EQ(error_of(comment + "\nbad\n"),
            "trace.txt:2: expected 'I  addr,size' or ' L addr,size' (or S, M), got 'bad'");
}

// Bytes of a bad line outside printable ASCII reach the message as \xNN.
TEST(TraceLackey, ErrorsEscapeControlBytes) {
  const std::string error = error_of(" L 7ff0\x1b[31m\f,8\n");
  EXPECT_EQ(error, "trace.txt:1: expected ',' after the address, got ' L 7ff0\\x1b[31m\\x0c,8'");
  EXPECT_EQ(error_of(" L 10,4\xff\n"),
            "trace.txt:1: unexpected text after the size, got ' L 10,4\\xff'");
}

TEST(TraceLackey, LineNumbersCountAcrossBlocks) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += i % 2 ? " L 7ff000398,8\n" : "==9== message\n";
  EXPECT_EQ(read_text(text).size(), 100000u);
  EXPECT_EQ(error_of(text + " L 12,4\nbad\n"),
            "trace.txt:200002: expected 'I  addr,size' or ' L "
            "addr,size' (or S, M), got 'bad'");
}

std::vector<MemAccess> random_records(std::size_t count) {
  std::mt19937_64 rng(42);
  std::vector<MemAccess> records;
  std::uint64_t pc = 0x401000;
  std::uint64_t data = 0x7ff000000;
  for (std::size_t i = 0; i < count; ++i) {
    auto type = static_cast<AccessType>(rng() % 4);
    std::uint64_t& base = type == AccessType::instr ? pc : data;
    switch (rng() % 4) {
      case 0:
        base = rng();
        break;  // large jump anywhere
      case 1:
        base -= rng() % 4096;
        break;  // small step back
      default:
        base += rng() % 16;
        break;  // sequential
    }
    std::uint32_t size = rng() % 3 ? 1 + rng() % 63 : 64 + rng() % (kMaxAccessBytes - 63);
    if (i % 1000 == 999) size = kMaxAccessBytes;
    if (base + (size - 1) < base) base = UINT64_MAX - (size - 1);  // no wrap
    records.push_back({base, size, type});
  }
  records.push_back({0, 1, AccessType::load});
  records.push_back({UINT64_MAX, 1, AccessType::load});
  records.push_back({0, 63, AccessType::store});
  records.push_back({UINT64_MAX - 63, 64, AccessType::store});
  return records;
}

TEST(TraceBinary, RandomRecordsRoundTrip) {
  std::vector<MemAccess> records = random_records(100000);
  std::string bytes = encode(records);
  EXPECT_EQ(bytes.substr(0, 8), "MMVTRC01");
  auto source = open_trace_stream(open_memory_input(bytes, "r.mmvt"));
  EXPECT_EQ(read_all(*source), records);
  auto in_small_batches = open_trace_stream(open_memory_input(bytes, "r.mmvt"));
  EXPECT_EQ(read_all(*in_small_batches, 7), records);
}

TEST(TraceBinary, SequentialCodeTakesTwoBytesARecord) {
  std::vector<MemAccess> records;
  for (std::uint64_t pc = 0x401000; pc < 0x401000 + 4000; pc += 4) {
    records.push_back({pc, 4, AccessType::instr});
    records.push_back({0x7ff000398, 8, AccessType::load});
  }
  // 2 bytes per instruction, 2 per load (delta 0) after the first ones.
  EXPECT_LE(encode(records).size(), 8 + 4 * records.size() / 2 + 10);
}

TEST(TraceBinary, MagicOnlyGivesNoRecords) {
  EXPECT_TRUE(read_text("MMVTRC01", "e.mmvt").empty());
}

TEST(TraceBinary, TruncatedRecordIsReported) {
  std::vector<MemAccess> records = {{0x401000, 4, AccessType::instr},
                                    {0x7ff000398, 100, AccessType::load}};
  std::string first = encode({records[0]});
  std::string both = encode(records);
  for (std::size_t cut = first.size() + 1; cut < both.size(); ++cut) {
    EXPECT_EQ(error_of(both.substr(0, cut), "t.mmvt"),
              "t.mmvt: truncated record at byte " + std::to_string(first.size()));
  }
}

TEST(TraceBinary, OverlongVarintIsReported) {
  std::string bytes = std::string("MMVTRC01") + "\x41" + std::string(11, '\xff');
  EXPECT_EQ(error_of(bytes, "v.mmvt"),
            "v.mmvt: corrupt record at byte 8 (address delta varint too long)");
}

// The .mmvt reader applies the lackey reader's checks (tb/trace/access_check.h).
TEST(TraceBinary, RejectsWhatTheLackeyReaderRejects) {
  // One load at 0xffffffffffffffff of 2 bytes: header (load, inline size 2), zigzag delta -1.
  const std::string wraps = std::string("MMVTRC01") + "\x42" + "\x01";
  EXPECT_EQ(error_of(wraps, "w.mmvt"),
            "w.mmvt: corrupt record at byte 8 (access wraps around the end of the address space)");
  EXPECT_NE(error_of(" L ffffffffffffffff,2\n").find("wraps around"), std::string::npos);
  // Size 65537 as a varint (0x81 0x80 0x04), then delta 0.
  const std::string big = std::string("MMVTRC01") + std::string("\x40\x81\x80\x04\x00", 5);
  EXPECT_EQ(
      error_of(big, "b.mmvt"),
      "b.mmvt: corrupt record at byte 8 (size larger than the 65536-byte limit of one access)");
  const std::string zero = std::string("MMVTRC01") + std::string("\x40\x00\x00", 3);
  EXPECT_EQ(error_of(zero, "z.mmvt"), "z.mmvt: corrupt record at byte 8 (size 0)");
  EXPECT_EQ(read_text(encode({{UINT64_MAX - 1, 2, AccessType::load}}), "ok.mmvt").size(), 1u);
}

TEST_F(TraceFiles, ConvertLackeyToBinaryKeepsEveryRecord) {
  std::string text = write_file("in.txt", kLackeyText);
  EXPECT_EQ(convert_trace(text, path("out.mmvt")), kLackeyRecords.size());
  EXPECT_EQ(file_bytes(path("out.mmvt")).substr(0, 8), "MMVTRC01");
  EXPECT_EQ(read_file(path("out.mmvt")), kLackeyRecords);
  EXPECT_FALSE(fs::exists(path("out.mmvt.tmp." + std::to_string(getpid()))));
}

TEST_F(TraceFiles, ConvertToZstWritesCompressedBinary) {
  std::vector<MemAccess> records;
  std::string text = write_file("in.txt", large_lackey_text(&records));
  EXPECT_EQ(convert_trace(text, path("out.mmvt.zst")), records.size());
  EXPECT_EQ(detect_compression(file_bytes(path("out.mmvt.zst"))), Compression::zstd);
  EXPECT_EQ(read_file(path("out.mmvt.zst")), records);
  run("zstd -q -d -f " + path("out.mmvt.zst") + " -o " + path("plain.mmvt"));
  EXPECT_EQ(read_file(path("plain.mmvt")), records);
}

TEST_F(TraceFiles, ReadsZstdAndXzCompressedLackey) {
  std::vector<MemAccess> records;
  std::string text = write_file("t.txt", large_lackey_text(&records));
  run("zstd -q -f " + text + " -o " + path("t.zst"));
  run("xz -q -c " + text + " > " + path("t.xz"));
  run("cat " + path("t.zst") + " " + path("t.zst") + " > " + path("twice.zst"));
  EXPECT_EQ(read_file(path("t.zst")), records);
  EXPECT_EQ(read_file(path("t.xz")), records);
  std::vector<MemAccess> twice = records;
  twice.insert(twice.end(), records.begin(), records.end());
  EXPECT_EQ(read_file(path("twice.zst")), twice);  // concatenated frames
}

// The InputError message of reading file, or "" if it reads.
std::string read_error(const std::string& file) {
  try {
    auto source = open_trace(file);
    read_all(*source);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_F(TraceFiles, TruncatedZstdIsReported) {
  std::vector<MemAccess> records;
  std::string text = write_file("t.txt", large_lackey_text(&records));
  run("zstd -q -f " + text + " -o " + path("t.zst"));
  std::string zst = file_bytes(path("t.zst"));
  for (std::size_t cut : {std::size_t{6}, zst.size() / 2, zst.size() - 1}) {
    std::string file = write_file("cut.zst", zst.substr(0, cut));
    EXPECT_EQ(read_error(file), file + ": truncated zstd stream") << "cut at " << cut;
  }
  std::string corrupt = zst;
  for (std::size_t i = zst.size() / 2; i < zst.size() / 2 + 64; ++i) corrupt[i] ^= 0x5a;
  std::string file = write_file("corrupt.zst", corrupt);
  EXPECT_NE(read_error(file).find(file + ": corrupt zstd data ("), std::string::npos);
}

TEST_F(TraceFiles, TruncatedOrCorruptXzIsReported) {
  std::vector<MemAccess> records;
  std::string text = write_file("t.txt", large_lackey_text(&records));
  run("xz -q -c " + text + " > " + path("t.xz"));
  std::string xz = file_bytes(path("t.xz"));
  for (std::size_t cut : {std::size_t{6}, std::size_t{20}, xz.size() / 2, xz.size() - 1}) {
    std::string file = write_file("cut.xz", xz.substr(0, cut));
    EXPECT_EQ(read_error(file).rfind(file + ": corrupt xz data (", 0), 0u) << "cut at " << cut;
  }
  std::string corrupt = xz;
  for (std::size_t i = xz.size() / 2; i < xz.size() / 2 + 64; ++i) corrupt[i] ^= 0x5a;
  std::string file = write_file("corrupt.xz", corrupt);
  EXPECT_EQ(read_error(file).rfind(file + ": corrupt xz data (", 0), 0u);
}

TEST_F(TraceFiles, EmptyFileGivesNoRecords) {
  EXPECT_TRUE(read_file(write_file("empty.txt", "")).empty());
}

TEST_F(TraceFiles, MissingFileIsReported) {
  EXPECT_EQ(read_error(path("missing.txt")).rfind(path("missing.txt") + ": cannot open", 0), 0u);
}

TEST_F(TraceFiles, FailedConvertLeavesExistingOutputUntouched) {
  std::string out = write_file("out.mmvt", "precious");
  std::string bad = write_file("bad.txt", kLackeyText + "garbage\n");
  EXPECT_THROW(convert_trace(bad, out), InputError);
  EXPECT_THROW(convert_trace(path("missing.txt"), out), InputError);
  EXPECT_EQ(file_bytes(out), "precious");
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find("out.mmvt.tmp"), std::string::npos);
  }
  std::string zst_out = write_file("out.mmvt.zst", "precious");
  EXPECT_THROW(convert_trace(bad, zst_out), InputError);
  EXPECT_EQ(file_bytes(zst_out), "precious");
}

// The sample traces shipped in traces/ (found from this file's path).
std::string sample_path(const std::string& name) {
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "traces" / name).string();
}

TEST(TraceSamples, SampleTracesParse) {
  auto plain = open_trace(sample_path("sample-lackey.txt"));
  std::vector<MemAccess> records = read_all(*plain);
  EXPECT_GT(records.size(), 2900u);
  EXPECT_EQ(records.front().type, AccessType::instr);
  auto compressed = open_trace(sample_path("sample-lackey.txt.zst"));
  EXPECT_GT(read_all(*compressed, 65536).size(), 100000u);
}

}  // namespace
}  // namespace mmvp::trace
