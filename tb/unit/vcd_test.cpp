// The VCD writer: ordering, scopes, determinism, atomic output.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hw/probe/vcd_writer.h"

namespace mmvp {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string write_sample(const std::string& path) {
  VcdWriter w(path);
  auto hit = w.add("mmu.dtlb", "hit", 1);
  auto cr3 = w.add("cpu", "cr3", 64);
  // Out of order, as two producers ahead of the kernel would emit them.
  w.change(cr3, 0x1000, 500);
  w.change(hit, 1, 100);
  w.change(hit, 0, 200);
  w.flush_until(300);  // writes 100 and 200 only
  w.change(hit, 1, 400);
  w.close(1000);
  return slurp(path);
}

TEST(VcdWriter, SortsByTimeAndNestsScopes) {
  std::string path = ::testing::TempDir() + "/a.vcd";
  std::string v = write_sample(path);
  EXPECT_NE(v.find("$timescale 1ps $end"), std::string::npos);
  EXPECT_NE(v.find("$scope module mmu $end\n$scope module dtlb $end"), std::string::npos);
  auto p100 = v.find("#100\n1!");
  auto p200 = v.find("#200\n0!");
  auto p400 = v.find("#400\n1!");
  auto p500 = v.find("#500\nb1000000000000 \"");
  ASSERT_NE(p100, std::string::npos) << v;
  ASSERT_NE(p200, std::string::npos) << v;
  ASSERT_NE(p400, std::string::npos) << v;
  ASSERT_NE(p500, std::string::npos) << v;
  EXPECT_LT(p100, p200);
  EXPECT_LT(p400, p500);
  EXPECT_NE(v.find("#1000\n"), std::string::npos);
}

TEST(VcdWriter, IdenticalInputGivesIdenticalBytes) {
  std::string a = write_sample(::testing::TempDir() + "/b1.vcd");
  std::string b = write_sample(::testing::TempDir() + "/b2.vcd");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.find("$date"), std::string::npos);
}

TEST(VcdWriter, SameTimeLastValueWinsAndUnchangedIsSkipped) {
  std::string path = ::testing::TempDir() + "/c.vcd";
  {
    VcdWriter w(path);
    auto s = w.add("x", "s", 1);
    w.change(s, 1, 10);
    w.change(s, 0, 10);  // a glitch inside one timestamp: nothing visible
    w.change(s, 0, 20);  // no change
    w.close(30);
  }
  std::string v = slurp(path);
  EXPECT_EQ(v.find("#10"), std::string::npos) << v;
  EXPECT_EQ(v.find("#20"), std::string::npos) << v;
}

TEST(VcdWriter, NothingAppearsUntilClosed) {
  std::string path = ::testing::TempDir() + "/d.vcd";
  std::remove(path.c_str());
  {
    VcdWriter w(path);
    w.add("x", "s", 1);
    w.flush_until(10);
    EXPECT_FALSE(std::ifstream(path).good());
  }
  // Destroyed without close(): the temporary file is removed, nothing left behind.
  EXPECT_FALSE(std::ifstream(path).good());
}

}  // namespace
}  // namespace mmvp
