// Speed of the verilated RTL TLB next to the C++ TlbArray on the same lookup stream
// (a benchmark, not a test: speed is reported, never asserted). Both see 200,000
// lookups of random pages, filling on a miss; the ratio is from one run.
//
//   build/release/hw/rtl/rtl_tlb_speed [ENTRIES WAYS]
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <vector>

#include "hw/mmu/tlb.h"
#include "hw/rtl/tlb_rtl_wrapper.h"

namespace {

using namespace mmvp;

template <typename Tlb>
std::pair<std::uint64_t, double> lookups_per_second(Tlb& tlb, const std::vector<Translation>& pages,
                                                    const std::vector<std::size_t>& stream) {
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t hits = 0;
  for (std::size_t k : stream) {
    const Translation& t = pages[k];
    if (tlb.lookup(t.vpn << 12, PageSize::size_4k))
      ++hits;
    else
      tlb.insert(t);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {hits, static_cast<double>(stream.size()) / s};
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  TlbArrayConfig c;
  c.name = "speed";
  c.entries = argc > 2 ? static_cast<unsigned>(std::atoi(argv[1])) : 64;
  c.ways = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 4;
  std::mt19937_64 rng(99);
  std::vector<Translation> pages(3 * c.entries);
  for (Translation& t : pages) {
    t.vpn = 0x400 + rng() % (8 * c.entries);
    t.pfn = rng() & 0xffffff;
    t.writable = t.user = t.dirty = true;
  }
  std::vector<std::size_t> stream(200000);
  for (std::size_t& k : stream) k = rng() % pages.size();
  TlbArray cpp(c);
  rtl::TlbRtlArray rtl(c);
  const auto [hits_cpp, cpp_rate] = lookups_per_second(cpp, pages, stream);
  const auto [hits_rtl, rtl_rate] = lookups_per_second(rtl, pages, stream);
  std::cout << c.entries << "x" << c.ways << " LRU, " << stream.size() << " lookups: C++ TlbArray "
            << static_cast<std::uint64_t>(cpp_rate) << "/s, RTL (verilated) "
            << static_cast<std::uint64_t>(rtl_rate) << "/s, C++ is " << cpp_rate / rtl_rate
            << "x faster" << (hits_cpp == hits_rtl ? "" : " (HIT COUNTS DIFFER)") << "\n";
  return hits_cpp == hits_rtl ? 0 : 1;
}
