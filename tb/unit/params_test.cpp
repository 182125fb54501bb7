// The parameter registry, sizes, presets and JSON configs.
#include "hw/common/params.h"

#include <gtest/gtest.h>

#include <sstream>

#include "hw/common/stats.h"

namespace mmvp {
namespace {

Params sample() {
  Params p;
  p.declare({"a.entries", ParamType::integer, "64", "entries", 1, 4096});
  p.declare({"a.size", ParamType::size, "1G", "capacity"});
  p.declare({"a.on", ParamType::boolean, "false", "switch"});
  p.declare({"a.policy", ParamType::choice, "lru", "policy", 0, 0, {"lru", "plru", "random"}});
  return p;
}

TEST(ParseSize, AcceptsUnitsAndHex) {
  std::uint64_t v = 0;
  ASSERT_TRUE(parse_size("4096", v));
  EXPECT_EQ(v, 4096u);
  ASSERT_TRUE(parse_size("0x1000", v));
  EXPECT_EQ(v, 4096u);
  ASSERT_TRUE(parse_size("64G", v));
  EXPECT_EQ(v, 64ULL << 30);
  ASSERT_TRUE(parse_size("2MB", v));
  EXPECT_EQ(v, 2ULL << 20);
  EXPECT_FALSE(parse_size("", v));
  EXPECT_FALSE(parse_size("12Q", v));
  EXPECT_FALSE(parse_size("-4", v));
  EXPECT_FALSE(parse_size("99999999999P", v));
  EXPECT_EQ(format_size(64ULL << 30), "64G");
  EXPECT_EQ(format_size(1000), "1000");
}

TEST(Params, DefaultsAndSet) {
  Params p = sample();
  EXPECT_EQ(p.u64("a.entries"), 64u);
  EXPECT_EQ(p.u64("a.size"), 1ULL << 30);
  p.set_assignment("a.entries=128");
  p.set("a.on", "true");
  p.set("a.policy", "plru");
  EXPECT_EQ(p.u64("a.entries"), 128u);
  EXPECT_TRUE(p.flag("a.on"));
  EXPECT_EQ(p.str("a.policy"), "plru");
}

TEST(Params, ErrorsNameTheParameter) {
  Params p = sample();
  auto msg = [&](auto f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(msg([&] { p.set("a.entries", "0"); }).rfind("a.entries:", 0), 0u);
  EXPECT_EQ(msg([&] { p.set("a.entries", "5000"); }).rfind("a.entries:", 0), 0u);
  EXPECT_EQ(msg([&] { p.set("a.entries", "4K"); }).rfind("a.entries:", 0), 0u);
  EXPECT_EQ(msg([&] { p.set("a.on", "maybe"); }).rfind("a.on:", 0), 0u);
  EXPECT_EQ(msg([&] { p.set("a.policy", "fifo"); }).rfind("a.policy:", 0), 0u);
  EXPECT_NE(msg([&] { p.set("nope", "1"); }).find("unknown parameter 'nope'"), std::string::npos);
  EXPECT_NE(msg([&] { p.set_assignment("a.entries"); }).find("name=value"), std::string::npos);
}

TEST(Params, JsonFlatAndNested) {
  Params p = sample();
  p.load_json_text(R"({"a.entries": 32, "a": {"on": true, "policy": "random", "size": "2G"}})",
                   "cfg.json");
  EXPECT_EQ(p.u64("a.entries"), 32u);
  EXPECT_TRUE(p.flag("a.on"));
  EXPECT_EQ(p.str("a.policy"), "random");
  EXPECT_EQ(p.u64("a.size"), 2ULL << 30);
  EXPECT_THROW(p.load_json_text("{bad json", "cfg.json"), ConfigError);
  EXPECT_THROW(p.load_json_text("[1,2]", "cfg.json"), ConfigError);
  try {
    p.load_json_text(R"({"a": {"entries": -1}})", "cfg.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: a.entries"), std::string::npos);
  }
}

// Found by tb/fuzz/config_fuzz: nlohmann's out_of_range for a number beyond a double
// escaped as a raw library exception (exit 1) instead of a ConfigError (exit 2).
TEST(Params, JsonNumberTooLargeIsAConfigError) {
  Params p = sample();
  try {
    p.load_json_text(R"({"a.entries": 1e414})", "cfg.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "cfg.json: invalid JSON: number overflow parsing '1e414'");
  }
}

TEST(Params, Presets) {
  Params::add_preset({"test-preset", "for tests", {{"a.entries", "8"}, {"a.policy", "plru"}}});
  Params p = sample();
  p.apply_preset("test-preset");
  EXPECT_EQ(p.u64("a.entries"), 8u);
  EXPECT_THROW(p.apply_preset("no-such-preset"), ConfigError);
  p.load_json_text(R"({"a.entries": 16, "preset": "test-preset"})", "x");
  EXPECT_EQ(p.u64("a.entries"), 16u);  // the preset applies first, then the file's values
}

TEST(StatsReport, TextAndNestedJson) {
  StatsReport r;
  r.add("mmu.dtlb.hits", 10, "hits");
  r.add("mmu.dtlb.misses", 2, "misses");
  r.add_ratio("mmu.dtlb.miss_rate", 2, 12, "rate");
  r.add_text("workload.0.name", "x.trace", "name");
  std::ostringstream text, json;
  r.write_text(text);
  r.write_json(json);
  EXPECT_NE(text.str().find("mmu.dtlb.hits"), std::string::npos);
  EXPECT_NE(json.str().find("\"dtlb\": {"), std::string::npos);
  EXPECT_NE(json.str().find("\"misses\": 2"), std::string::npos);
  EXPECT_EQ(r.u64("mmu.dtlb.hits"), 10u);
  EXPECT_THROW(r.u64("mmu.dtlb.miss_rate"), std::out_of_range);
}

}  // namespace
}  // namespace mmvp
