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

// --wave-from at an event: the dump opens at the event with the state the earlier
// changes left, and holds nothing before it; --wave-to stops it.
TEST(VcdWriter, WindowOpensAtItsEventWithTheStateThen) {
  std::string path = ::testing::TempDir() + "/w.vcd";
  {
    VcdWriter w(path);
    WavePoint from = WavePoint::parse("workload:2", "--wave-from", nullptr);
    WavePoint to = WavePoint::parse("cr3:0x5000", "--wave-to", nullptr);
    w.set_window(WaveWindow(from, to));
    auto level = w.add("cpu", "level", 4);
    auto hit = w.add("cpu", "hit", 1);
    w.change(level, 3, 100);               // before the window: state only
    w.event(WaveEvent::workload, 1, 150);  // not the awaited workload
    w.change(hit, 1, 180);
    w.event(WaveEvent::workload, 2, 200);
    w.flush_until(200);
    w.change(hit, 0, 250);
    w.event(WaveEvent::cr3, 0x5000, 300);
    w.change(level, 1, 350);  // after the window
    w.close(400);
  }
  const std::string v = slurp(path);
  EXPECT_NE(v.find("#200\n$dumpvars\nb11 !\n1\"\n$end\n#250\n0\"\n#300\n"), std::string::npos) << v;
  EXPECT_EQ(v.find("#100"), std::string::npos) << v;
  EXPECT_EQ(v.find("#350"), std::string::npos) << v;
  EXPECT_EQ(v.find("#400"), std::string::npos) << v;
}

TEST(VcdWriter, SignalSelectionByGroupAndGlob) {
  std::string path = ::testing::TempDir() + "/s.vcd";
  {
    VcdWriter w(path);
    w.select_signals({"mmu", "top.dram.bank1.*"});
    auto hit = w.add("top.cpu.mmu.dtlb", "hit", 1);
    auto cr3 = w.add("top.cpu", "cr3", 64);
    auto row = w.add("top.dram.bank1", "open_row", 16);
    auto row0 = w.add("top.dram.bank0", "open_row", 16);
    w.change(hit, 1, 10);
    w.change(cr3, 0x1000, 10);
    w.change(row, 7, 20);
    w.change(row0, 9, 20);
    w.close(30);
  }
  const std::string v = slurp(path);
  EXPECT_NE(v.find(" hit $end"), std::string::npos) << v;
  EXPECT_NE(v.find("$scope module bank1 $end"), std::string::npos) << v;
  EXPECT_EQ(v.find("cr3"), std::string::npos) << v;
  EXPECT_EQ(v.find("bank0"), std::string::npos) << v;
  EXPECT_EQ(v.find("b1001 "), std::string::npos) << v;
  EXPECT_THROW(VcdWriter(path).select_signals({""}), ConfigError);
}

TEST(WavePoint, ParsesTimesAndEventsAndRejectsTheRest) {
  auto by_name = [](const std::string& n) -> std::uint32_t { return n == "page_fault" ? 40 : 0; };
  EXPECT_EQ(WavePoint::parse("40us", "--wave-from", by_name).value, 40000000u);
  EXPECT_EQ(WavePoint::parse("boot-end", "--wave-from", by_name).kind, WaveEvent::boot_end);
  EXPECT_EQ(WavePoint::parse("workload:3", "--wave-from", by_name).value, 3u);
  EXPECT_EQ(WavePoint::parse("cr3:0x1000", "--wave-from", by_name).value, 0x1000u);
  EXPECT_EQ(WavePoint::parse("routine:page_fault", "--wave-from", by_name).value, 40u);
  EXPECT_EQ(WavePoint::parse("+2us", "--wave-to", by_name).kind, WaveEvent::after);
  WaveWindow w(WavePoint::parse("workload:1", "--wave-from", by_name),
               WavePoint::parse("+2us", "--wave-to", by_name));
  w.event(WaveEvent::workload, 1, 5000000);
  EXPECT_EQ(w.stop(), 7000000u);
  for (const char* bad :
       {"+0", "+soon", "workload:0", "workload:x", "cr3:", "routine:nope", "soon", "-5"})
    EXPECT_THROW(WavePoint::parse(bad, "--wave-from", by_name), ConfigError) << bad;
}

}  // namespace
}  // namespace mmvp
