// The waveform writers' change buffer: time order, last value per signal and time,
// nothing lost or taken early, against a reference built by sorting everything.
#include "hw/probe/change_buffer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>

namespace mmvp {
namespace {

using Key = std::pair<Picos, std::uint32_t>;  // (time, signal)

// Applies `taken` (in its order) to the values per (time, signal), checking that times
// never decrease and all are before `bound`.
void apply(const std::vector<ChangeBuffer::Change>& taken, Picos floor, Picos bound,
           std::map<Key, std::uint64_t>& seen) {
  Picos prev = floor;
  for (const auto& c : taken) {
    ASSERT_GE(c.t, prev);
    ASSERT_LT(c.t, bound);
    prev = c.t;
    seen[{c.t, c.s}] = c.v;
  }
}

TEST(ChangeBuffer, SameTimeKeepsTheLastValue) {
  ChangeBuffer b;
  b.resize(2);
  b.push(10, 1, 0);
  b.push(10, 2, 0);
  b.push(10, 7, 1);
  b.push(10, 3, 0);
  EXPECT_EQ(b.size(), 2u);
  std::vector<ChangeBuffer::Change> out;
  b.take_before(11, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].s, 0u);
  EXPECT_EQ(out[0].v, 3u);
  EXPECT_EQ(out[1].v, 7u);
  EXPECT_TRUE(b.empty());
}

TEST(ChangeBuffer, KeepsWhatIsNotYetDue) {
  ChangeBuffer b;
  b.resize(1);
  b.push(100, 1, 0);  // a pulse's falling edge, emitted before the changes in between
  b.push(50, 2, 0);
  b.push(60, 3, 0);
  std::vector<ChangeBuffer::Change> out;
  b.take_before(70, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].t, 50u);
  EXPECT_EQ(out[1].t, 60u);
  b.push(100, 4, 0);  // the same time as the kept entry: replaces it
  b.take_before(1000, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].v, 4u);
}

// Producers ahead of the flush bound by up to `lateness`, many changes at one time,
// as lock-step and temporally decoupled runs emit them.
TEST(ChangeBuffer, MatchesAFullSortOnRandomStreams) {
  for (const Picos lateness : {Picos{0}, Picos{3}, Picos{40}, Picos{5000}}) {
    std::mt19937_64 rng(lateness + 1);
    constexpr std::uint32_t kSignals = 12;
    ChangeBuffer b;
    b.resize(kSignals);
    std::map<Key, std::uint64_t> expected, seen;
    std::vector<ChangeBuffer::Change> out;
    Picos now = 0, floor = 0;
    for (int step = 0; step < 20000; ++step) {
      if (rng() % 4 == 0) now += rng() % 7;
      const Picos t = now + (lateness ? rng() % (lateness + 1) : 0);
      const auto s = static_cast<std::uint32_t>(rng() % kSignals);
      const std::uint64_t v = rng();
      b.push(t, v, s);
      expected[{t, s}] = v;   // the last emitted value at (t, s) is the visible one
      if (rng() % 50 == 0) {  // nothing older than now comes any more
        b.take_before(now, out);
        apply(out, floor, now, seen);
        floor = now;
      }
    }
    b.take_before(UINT64_MAX, out);
    apply(out, floor, UINT64_MAX, seen);
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(seen, expected) << "lateness " << lateness;
  }
}

}  // namespace
}  // namespace mmvp
