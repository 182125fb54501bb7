// Unit tests of the debug trace flags (hw/common/debug.h) and of simulated-time parsing.
#include "hw/common/debug.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "hw/common/params.h"

namespace mmvp {
namespace {

// Captures what the debug trace writes.
class DebugTest : public ::testing::Test {
 protected:
  DebugTest() : out_(std::tmpfile()) {
    debug::reset();
    debug::set_output(out_);
    debug::set_clock([this] { return now_; });
  }
  ~DebugTest() override {
    debug::reset();
    std::fclose(out_);
  }
  std::string text() {
    std::fflush(out_);
    std::rewind(out_);
    std::string s;
    for (int c; (c = std::fgetc(out_)) != EOF;) s.push_back(static_cast<char>(c));
    return s;
  }
  std::FILE* out_;
  Picos now_ = 0;
};

TEST_F(DebugTest, OffFlagsPrintNothingAndDoNotEvaluateArguments) {
  int evaluated = 0;
  auto arg = [&] { return ++evaluated; };
  DPRINTF(Walker, "mmu.walker", "walk {}", arg());
  EXPECT_EQ(text(), "");
  EXPECT_EQ(evaluated, 0);
}

TEST_F(DebugTest, LinesCarryTimeBlockAndMessage) {
  debug::enable("Walker,Slab");
  now_ = 1234567;
  DPRINTF(Walker, "mmu.walker", "la {:#x}", 0x1000);
  DPRINTF(Slab, "slab", "alloc");
  DPRINTF(Dram, "top.dram", "not on");
  DPRINTF_AT(Slab, 99, "slab", "at {}", 99);
  EXPECT_EQ(text(),
            "       1234567: mmu.walker: la 0x1000\n"
            "       1234567: slab: alloc\n"
            "            99: slab: at 99\n");
}

TEST_F(DebugTest, NothingBeforeTheStartTime) {
  debug::enable("Tlb");
  debug::set_start(1000);
  now_ = 999;
  DPRINTF(Tlb, "mmu.dtlb", "early");
  DPRINTF_AT(Tlb, 500, "mmu.dtlb", "early too");
  now_ = 1000;
  DPRINTF(Tlb, "mmu.dtlb", "on time");
  EXPECT_EQ(text(), "          1000: mmu.dtlb: on time\n");
}

TEST_F(DebugTest, UnknownFlagIsAnErrorNamingIt) {
  try {
    debug::enable("Tlb,Cahce");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown flag 'Cahce'"), std::string::npos) << e.what();
  }
  debug::reset();
  debug::enable("All");
  for (const debug::FlagInfo& f : debug::flags()) EXPECT_TRUE(debug::on(f.flag)) << f.name;
  EXPECT_EQ(debug::flags().size(), static_cast<std::size_t>(debug::Flag::kCount));
}

TEST(ParseTime, UnitsAndErrors) {
  Picos t = 0;
  EXPECT_TRUE(parse_time("1500", t));
  EXPECT_EQ(t, 1500u);
  EXPECT_TRUE(parse_time("40ns", t));
  EXPECT_EQ(t, 40000u);
  EXPECT_TRUE(parse_time("12us", t));
  EXPECT_EQ(t, 12000000u);
  EXPECT_TRUE(parse_time("3ms", t));
  EXPECT_EQ(t, 3000000000u);
  EXPECT_TRUE(parse_time("2s", t));
  EXPECT_EQ(t, 2000000000000u);
  EXPECT_TRUE(parse_time("7ps", t));
  EXPECT_EQ(t, 7u);
  for (const char* bad : {"", "ns", "-5", "1.5us", "3 ms", "12h", "99999999999999999999s"})
    EXPECT_FALSE(parse_time(bad, t)) << bad;
}

}  // namespace
}  // namespace mmvp
