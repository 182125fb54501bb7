// Unit tests of the sweep: grid parsing, the one-pass (all-associativity) engine
// against per-configuration simulation with the platform's Tlb classes, resuming and
// the CSV/JSON results.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw/common/params.h"
#include "hw/mmu/mmu.h"
#include "tb/sweep/all_assoc_lru.h"
#include "tb/sweep/grid.h"
#include "tb/sweep/results.h"
#include "tb/sweep/sweep_runner.h"
#include "tb/sweep/tlb_hierarchy.h"
#include "tb/sweep/workload_stream.h"
#include "tb/trace/run_params.h"

namespace mmvp::sweep {
namespace {

// ---- grids ------------------------------------------------------------------------

TEST(SweepGrid, ListsAndRanges) {
  EXPECT_EQ(expand_grid_values("1,2,3", "t"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(expand_grid_values("16..128:x2", "t"),
            (std::vector<std::string>{"16", "32", "64", "128"}));
  EXPECT_EQ(expand_grid_values("16..100:x2", "t"), (std::vector<std::string>{"16", "32", "64"}));
  EXPECT_EQ(expand_grid_values("4..16:+4", "t"), (std::vector<std::string>{"4", "8", "12", "16"}));
  EXPECT_EQ(expand_grid_values("1..3", "t"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(expand_grid_values("lru, plru,1..4:x2", "t"),
            (std::vector<std::string>{"lru", "plru", "1", "2", "4"}));
  GridAxis a = parse_grid_axis("mmu.dtlb.l1_4k.entries=16..2048:x2");
  EXPECT_EQ(a.name, "mmu.dtlb.l1_4k.entries");
  EXPECT_EQ(a.values.size(), 8u);
  EXPECT_EQ(a.values.back(), "2048");
}

TEST(SweepGrid, BadInputIsOneLineError) {
  for (const char* bad :
       {"noequals", "=1,2", "a=", "a=1,,2", "a=16..8:x2", "a=1..8:x1", "a=0..8:x2", "a=1..8:+0",
        "a=1..8:*2", "a=x..8", "a=1..8:x", "a=0..1000000:+1"}) {
    try {
      parse_grid_axis(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(SweepGrid, CrossProductAndKeys) {
  std::vector<GridAxis> axes{parse_grid_axis("a=1,2"), parse_grid_axis("b=x,y,z")};
  auto points = cross_product(axes);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].key(), "a=1;b=x");
  EXPECT_EQ(points[5].key(), "a=2;b=z");
  EXPECT_EQ(parse_config_key(points[4].key()).key(), points[4].key());
  EXPECT_EQ(*points[4].value_of("b"), "y");
  EXPECT_EQ(cross_product({}).size(), 1u);
  EXPECT_THROW(cross_product({parse_grid_axis("a=1"), parse_grid_axis("a=2")}), ConfigError);
}

// ---- the one-pass engine ------------------------------------------------------------

// A reference stream with locality: a hot set, a sliding window and random far pages.
std::vector<std::pair<std::uint64_t, bool>> random_lookups(std::size_t n, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<std::uint64_t, bool>> out;
  out.reserve(n);
  std::uint64_t code = 0x400, window = 0x10000;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned r = rng() % 100;
    if (r < 30) {
      code = 0x400 + (code - 0x400 + (rng() % 7 == 0 ? rng() % 64 : 0)) % 96;
      out.emplace_back(code, true);
    } else if (r < 70) {
      out.emplace_back(0x20000 + rng() % 24, false);
    } else if (r < 92) {
      if (rng() % 50 == 0) window += 1 + rng() % 16;
      out.emplace_back(window + rng() % 300, false);
    } else {
      out.emplace_back(0x90000 + rng() % 20000, false);
    }
  }
  return out;
}

TEST(SweepOnePass, SingleArrayMatchesTlbArrayForEveryGeometry) {
  std::vector<ArrayGeometry> geos;
  std::vector<TlbArray> arrays;
  for (unsigned entries = 1; entries <= 512; entries *= 2) {
    for (unsigned ways = 1; ways <= entries; ways *= 2) {
      geos.push_back({entries / ways, ways});
      TlbArrayConfig c;
      c.name = "t";
      c.entries = entries;
      c.ways = ways;
      arrays.emplace_back(c);
    }
  }
  AllAssociativityLru engine(geos);
  std::vector<std::uint64_t> hits(geos.size(), 0);
  for (const auto& [vpn, fetch] : random_lookups(60000, 7)) {
    (void)fetch;
    engine.access(vpn);
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      const bool hit = arrays[i].lookup(vpn << 12, PageSize::size_4k) != nullptr;
      if (!hit) {
        Translation t;
        t.vpn = vpn;
        arrays[i].insert(t);
      }
      ASSERT_EQ(engine.last_hit(i), hit) << "geometry " << i;
      hits[i] += hit;
    }
  }
  for (std::size_t i = 0; i < geos.size(); ++i) EXPECT_EQ(engine.hits(i), hits[i]) << i;
}

MmuConfig mmu_config(const ConfigPoint& point) {
  Params p = all_params();
  for (const auto& [k, v] : point.settings) p.set(k, v);
  return MmuConfig::from_params(p);
}

// Checks OnePassHierarchy against ReferenceHierarchy for every point of the grid.
void expect_one_pass_exact(const std::vector<std::string>& grid,
                           const std::vector<std::pair<std::uint64_t, bool>>& lookups,
                           PageSize user_pages = PageSize::size_4k) {
  std::vector<GridAxis> axes;
  for (const auto& g : grid) axes.push_back(parse_grid_axis(g));
  std::vector<UserTlbArrays> arrays;
  std::vector<ReferenceHierarchy> refs;
  std::vector<std::string> keys;
  for (const ConfigPoint& point : cross_product(axes)) {
    MmuConfig cfg;
    try {
      cfg = mmu_config(point);
    } catch (const ConfigError&) {
      continue;  // e.g. 16 entries in 32 ways
    }
    arrays.push_back(user_tlb_arrays(cfg, user_pages));
    refs.emplace_back(cfg, user_pages);
    keys.push_back(point.key());
  }
  ASSERT_GT(refs.size(), 1u);
  OnePassHierarchy one_pass(arrays);
  const unsigned shift = page_shift(user_pages) - 12;
  for (const auto& [vpn, fetch] : lookups) {
    one_pass.access(vpn >> shift, fetch);
    for (auto& r : refs) r.access(vpn, fetch);
  }
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const TlbCounts a = one_pass.counts(i), b = refs[i].counts();
    EXPECT_EQ(a.dtlb, b.dtlb) << keys[i];
    EXPECT_EQ(a.itlb, b.itlb) << keys[i];
    EXPECT_EQ(a.stlb, b.stlb) << keys[i];
    EXPECT_EQ(a.walks, b.walks) << keys[i];
  }
}

TEST(SweepOnePass, DtlbGridMatchesPerConfigurationSimulation) {
  expect_one_pass_exact({"mmu.dtlb.l1_4k.entries=16..512:x2", "mmu.dtlb.l1_4k.ways=1,2,4,8,0"},
                        random_lookups(40000, 1));
}

TEST(SweepOnePass, StlbGridMatchesPerConfigurationSimulation) {
  expect_one_pass_exact({"mmu.stlb.l2_4k.entries=32..1024:x2", "mmu.stlb.l2_4k.ways=1,4,16"},
                        random_lookups(40000, 2));
}

TEST(SweepOnePass, AllLevelsAtOnceMatchPerConfigurationSimulation) {
  expect_one_pass_exact(
      {"mmu.dtlb.l1_4k.entries=0,16,64", "mmu.dtlb.l1_4k.ways=2,0", "mmu.itlb.l1_4k.entries=8,32",
       "mmu.stlb.l2_4k.entries=0,64,256", "mmu.stlb.l2_4k.ways=4,8"},
      random_lookups(30000, 3));
}

TEST(SweepOnePass, RejectsOtherPolicies) {
  ConfigPoint p = parse_config_key("mmu.dtlb.l1_4k.policy=plru");
  EXPECT_FALSE(OnePassHierarchy::eligible(user_tlb_arrays(mmu_config(p))));
  EXPECT_TRUE(OnePassHierarchy::eligible(user_tlb_arrays(mmu_config(ConfigPoint{}))));
}

// The sample traces, as `mmvp trace` expands them.
std::vector<std::pair<std::uint64_t, bool>> trace_lookups(const std::string& file,
                                                          std::uint64_t max_records) {
  std::vector<std::pair<std::uint64_t, bool>> out;
  // The sample traces shipped in traces/ (found from this file's path).
  const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  WorkloadSpec w = trace_workload((root / "traces" / file).string());
  auto src = w.open();
  for_each_lookup(*src, max_records,
                  [&](std::uint64_t vpn, bool fetch) { out.emplace_back(vpn, fetch); });
  return out;
}

TEST(SweepOnePass, SampleTracesMatchPerConfigurationSimulation) {
  expect_one_pass_exact({"mmu.dtlb.l1_4k.entries=4..64:x2", "mmu.dtlb.l1_4k.ways=1,2,0",
                         "mmu.stlb.l2_4k.entries=16,64", "mmu.stlb.l2_4k.ways=4"},
                        trace_lookups("sample-lackey.txt", 0));
  expect_one_pass_exact({"mmu.dtlb.l1_4k.entries=8..256:x2", "mmu.dtlb.l1_4k.ways=1,4,0",
                         "mmu.itlb.l1_4k.entries=16,64"},
                        trace_lookups("sample-lackey.txt.zst", 150000));
}

// kernel.user_page_size=2m: the 2 MB arrays and the shared 4K/2M STLB sized on a real
// trace, one pass against per-configuration simulation with 2 MB translations.
TEST(SweepOnePass, TwoMegabytePagesMatchPerConfigurationSimulation) {
  expect_one_pass_exact(
      {"mmu.dtlb.l1_2m.entries=1,2,4,8,32", "mmu.dtlb.l1_2m.ways=1,0",
       "mmu.stlb.l2_4k.entries=4,16", "mmu.stlb.l2_4k.ways=4", "mmu.itlb.l1_2m.entries=1,8"},
      trace_lookups("sample-lackey.txt.zst", 200000), PageSize::size_2m);
  // A random stream over 64 MB, so that small arrays miss.
  std::vector<std::pair<std::uint64_t, bool>> wide;
  for (const auto& [vpn, fetch] : random_lookups(30000, 9)) wide.emplace_back(vpn * 131, fetch);
  expect_one_pass_exact({"mmu.dtlb.l1_2m.entries=2..32:x2", "mmu.dtlb.l1_2m.ways=1,2,0"}, wide,
                        PageSize::size_2m);
}

TEST(SweepOnePass, FracturedLevelsAreLeftToThePerConfigurationEngine) {
  // No ITLB array for 2 MB pages: the 4 KB ITLB array holds them in pieces.
  ConfigPoint p = parse_config_key("mmu.itlb.l1_2m.entries=0");
  const UserTlbArrays a = user_tlb_arrays(mmu_config(p), PageSize::size_2m);
  EXPECT_TRUE(a.fractured);
  EXPECT_FALSE(OnePassHierarchy::eligible(a));
  EXPECT_TRUE(
      OnePassHierarchy::eligible(user_tlb_arrays(mmu_config(ConfigPoint{}), PageSize::size_2m)));
}

TEST(SweepStream, CountsRecordsAsTheCoreDoes) {
  // I; L; M (two lookups); an 8-byte store straddling two pages (two lookups).
  class Fixed : public sw::AccessSource {
   public:
    std::size_t read(sw::MemAccess* out, std::size_t max) override {
      const sw::MemAccess recs[] = {{0x400000, 4, sw::AccessType::instr},
                                    {0x10000, 8, sw::AccessType::load},
                                    {0x20000, 4, sw::AccessType::modify},
                                    {0x30ffc, 8, sw::AccessType::store}};
      std::size_t n = 0;
      while (n < max && next_ < 4) out[n++] = recs[next_++];
      return n;
    }
    std::string name() const override { return "fixed"; }
    std::size_t next_ = 0;
  } src;
  std::vector<std::pair<std::uint64_t, bool>> seen;
  RecordCounts c =
      for_each_lookup(src, 0, [&](std::uint64_t v, bool f) { seen.emplace_back(v, f); });
  EXPECT_EQ(c.records, 4u);
  EXPECT_EQ(c.instructions, 1u);
  EXPECT_EQ(c.modifies, 1u);
  EXPECT_EQ(c.data_lookups, 5u);
  EXPECT_EQ(c.fetch_lookups, 1u);
  const std::vector<std::pair<std::uint64_t, bool>> want{
      {0x400, true}, {0x10, false}, {0x20, false}, {0x20, false}, {0x30, false}, {0x31, false}};
  EXPECT_EQ(seen, want);
}

// ---- results and resuming -------------------------------------------------------------

SweepRow sample_row(const std::string& config, bool timed) {
  SweepRow r;
  r.workload = "a,\"quoted\" trace";
  r.base = "--set x=1";
  r.config = config;
  r.engine = timed ? "platform" : "one-pass";
  r.records = 100;
  r.instructions = timed ? 40 : 0;
  r.counts.dtlb = {60, 50, 10};
  r.counts.itlb = {40, 39, 1};
  r.counts.stlb = {11, 5, 6};
  r.counts.walks = 6;
  r.dtlb_reach_kib = 256;
  r.timed = timed;
  r.avg_translation_cycles = 2.5;
  r.translation_cycles = 250;
  r.walk_cycles = 120;
  r.cycles = 1000;
  return r;
}

TEST(SweepResults, CsvRoundTripsAndJsonHasEveryRow) {
  std::vector<SweepRow> rows{sample_row("a=1;b=x", false), sample_row("a=2;c=y", true)};
  const std::string csv = rows_to_csv(rows);
  EXPECT_EQ(csv.substr(0, csv.find('\n')).substr(0, 31), "workload,base,config,a,b,c,engi");
  EXPECT_NE(csv.find(",0.166667,,"), std::string::npos);  // DTLB miss rate; no MPKI without I
  std::vector<SweepRow> back = rows_from_csv(csv, "t.csv");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].key(), rows[0].key());
  EXPECT_EQ(back[1].counts, rows[1].counts);
  EXPECT_FALSE(back[0].timed);
  EXPECT_TRUE(back[1].timed);
  EXPECT_EQ(back[1].cycles, 1000u);
  EXPECT_EQ(rows_to_csv(back), csv);
  const std::string json = rows_to_json(rows);
  EXPECT_NE(json.find("\"dtlb_mpki\": 250"), std::string::npos);
  EXPECT_NE(json.find("\"c\": \"y\""), std::string::npos);
  EXPECT_THROW(rows_from_csv("workload,base,config\nx,y\n", "t.csv"), InputError);
  EXPECT_THROW(rows_from_csv("not,a,sweep\n", "t.csv"), InputError);
}

Params runner_params() {
  return all_params();
}

TEST(SweepRunner, ResumesWithoutRecomputingAndWritesAtomically) {
  const std::string dir = testing::TempDir() + "/sweep_resume";
  std::filesystem::create_directories(dir);
  SweepSettings s;
  s.workloads.push_back(scenario_workload("synthetic:accesses=3000,pages=64"));
  s.axes = {parse_grid_axis("mmu.dtlb.l1_4k.entries=8..64:x2"),
            parse_grid_axis("mmu.dtlb.l1_4k.ways=2,3,0"),
            parse_grid_axis("mmu.dtlb.l1_4k.policy=lru,random")};
  s.base = runner_params();
  s.out_prefix = dir + "/r";
  std::remove((s.out_prefix + ".csv").c_str());
  std::ostringstream err;
  SweepSummary first = run_sweep(s, err);
  EXPECT_EQ(first.skipped, 8u);  // 3 ways: 4 sizes x 2 policies
  EXPECT_EQ(first.computed, 16u);
  EXPECT_EQ(first.resumed, 0u);
  for (const SweepRow& r : first.rows)
    EXPECT_EQ(r.engine, r.config.find("random") == std::string::npos ? "one-pass" : "per-config");
  std::ifstream in(s.out_prefix + ".csv");
  std::stringstream csv;
  csv << in.rdbuf();
  EXPECT_EQ(rows_from_csv(csv.str(), "r.csv").size(), 16u);
  EXPECT_FALSE(std::filesystem::exists(s.out_prefix + ".csv.tmp." + std::to_string(::getpid())));

  // Keep 10 rows: the sweep computes only the 6 others, to the same values.
  std::vector<SweepRow> kept(first.rows.begin(), first.rows.begin() + 10);
  write_results(s.out_prefix, kept);
  SweepSummary second = run_sweep(s, err);
  EXPECT_EQ(second.resumed, 10u);
  EXPECT_EQ(second.computed, 6u);
  EXPECT_EQ(rows_to_csv(second.rows), rows_to_csv(first.rows));
  SweepSummary third = run_sweep(s, err);
  EXPECT_EQ(third.computed, 0u);
  EXPECT_EQ(third.resumed, 16u);
}

// mmvp sweep --area: each row carries the RTL area of its array's geometry (none when
// the table lacks it), in the CSV and JSON, kept across a resume.
TEST(SweepRunner, JoinsTheRtlAreaOfEachRowsArray) {
  const std::string dir = testing::TempDir() + "/sweep_area";
  std::filesystem::create_directories(dir);
  const std::string area = dir + "/area.csv";
  std::ofstream(area) << "entries,ways,policy,cells,flip_flops\n16,4,lru,6725,1511\n"
                         "32,4,lru,12920,2855\n16,4,plru,6404,1491\n";
  SweepSettings s;
  s.workloads.push_back(scenario_workload("synthetic:accesses=2000,pages=64"));
  s.axes = {parse_grid_axis("mmu.dtlb.l1_4k.entries=16,32,64"),
            parse_grid_axis("mmu.dtlb.l1_4k.ways=4"),
            parse_grid_axis("mmu.dtlb.l1_4k.policy=lru,plru")};
  s.base = runner_params();
  s.area = RtlAreaTable::read(area, "mmu.dtlb.l1_4k");
  s.out_prefix = dir + "/r";
  std::remove((s.out_prefix + ".csv").c_str());
  std::ostringstream err;
  SweepSummary sum = run_sweep(s, err);
  ASSERT_EQ(sum.rows.size(), 6u);
  std::map<std::string, std::optional<AreaFigure>> by;
  for (const SweepRow& r : sum.rows) by[r.config] = r.rtl_area;
  const std::string k = "mmu.dtlb.l1_4k.entries=";
  auto key = [&](int e, const char* pol) {
    return k + std::to_string(e) + ";mmu.dtlb.l1_4k.ways=4;mmu.dtlb.l1_4k.policy=" + pol;
  };
  ASSERT_TRUE(by.at(key(16, "lru")).has_value());
  EXPECT_EQ(by.at(key(16, "lru"))->flip_flops, 1511u);
  EXPECT_EQ(by.at(key(32, "lru"))->cells, 12920u);
  EXPECT_EQ(by.at(key(16, "plru"))->flip_flops, 1491u);
  EXPECT_FALSE(by.at(key(64, "lru")).has_value());
  EXPECT_FALSE(by.at(key(32, "plru")).has_value());
  const std::string csv = rows_to_csv(sum.rows);
  EXPECT_NE(csv.find(",6725,1511,"), std::string::npos);
  EXPECT_NE(rows_to_json(sum.rows).find("\"rtl_flip_flops\": 2855"), std::string::npos);
  // Resumed rows keep their area (read back from the CSV).
  SweepSettings again = s;
  again.area.reset();
  SweepSummary resumed = run_sweep(again, err);
  EXPECT_EQ(resumed.resumed, 6u);
  EXPECT_EQ(rows_to_csv(resumed.rows), csv);
  // Bad tables and arrays are one-line errors.
  std::ofstream(dir + "/bad.csv") << "entries,ways,policy,cells,flip_flops\n16,4,lru,many,1\n";
  EXPECT_THROW(RtlAreaTable::read(dir + "/bad.csv", "mmu.dtlb.l1_4k"), InputError);
  EXPECT_THROW(RtlAreaTable::read(dir + "/none.csv", "mmu.dtlb.l1_4k"), InputError);
  EXPECT_THROW(RtlAreaTable::read(area, "dtlb"), ConfigError);
}

TEST(SweepRunner, BadGridIsAConfigError) {
  SweepSettings s;
  s.workloads.push_back(scenario_workload("synthetic:accesses=100"));
  s.base = runner_params();
  s.axes = {parse_grid_axis("mmu.dtlb.l1_4k.entries=1..4:+1"),
            parse_grid_axis("no.such.parameter=1")};
  std::ostringstream err;
  EXPECT_THROW(run_sweep(s, err), ConfigError);
  s.axes = {parse_grid_axis("mmu.dtlb.l1_4k.entries=3,5")};  // never a power-of-two set count
  EXPECT_THROW(run_sweep(s, err), ConfigError);
  EXPECT_THROW(scenario_workload("synthetic:pages=0"), ConfigError);
  EXPECT_THROW(scenario_workload("other"), ConfigError);
}

}  // namespace
}  // namespace mmvp::sweep
