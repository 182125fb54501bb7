#include "tb/mmvp/dma_check_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "hw/platform/platform.h"
#include "sw/drivers/dma_debug.h"
#include "sw/drivers/isa_pattern.h"
#include "sw/kernel/boot.h"
#include "sw/kernel/dma_mapping.h"
#include "sw/mm/page.h"
#include "sw/mm/page_alloc.h"
#include "sw/mm/slab.h"
#include "sw/mm/vmalloc.h"
#include "tb/mmvp/options.h"
#include "tb/mmvp/replay.h"

namespace mmvp::cli {
namespace {

constexpr unsigned kChannels[] = {0, 1, 2, 3, 5, 6, 7};
constexpr unsigned kNoChannel = ~0u;
// The bad cases: ISA DMA buffers the validator must flag at enable_dma, then misuses of
// the streaming DMA API dma-debug must flag.
const std::vector<std::string> kBadCases = {"kmalloc-no-GFP_DMA",
                                            "vmalloc",
                                            "cross-64k",
                                            "cross-128k",
                                            "slab-object-too-small",
                                            "freed-in-flight",
                                            "map-unreachable",
                                            "unmap-not-mapped",
                                            "unmap-wrong-size",
                                            "unmap-wrong-type",
                                            "unmap-wrong-direction",
                                            "sg-wrong-count",
                                            "map-error-unchecked",
                                            "sync-not-mapped",
                                            "sync-out-of-range",
                                            "sync-wrong-direction"};

struct DmaCheckArgs {
  PlatformOptions platform;
  bool fatal = false;
  std::uint32_t bytes = 4096;
  std::vector<std::string> bad;  // bad cases to run (default: all)
  bool measure = false;
};

struct GoodRow {
  unsigned chan;
  bool to_memory;
  std::uint32_t bytes;
  sw::PatternResult r;
  std::uint64_t violations;  // raised by this good transfer (false alarms)
};

// A transfer through the streaming API or a pool: mapped, moved, verified, unmapped.
struct ApiRow {
  std::string name;
  bool ok = false;
  std::uint64_t violations = 0;
  std::string note;
};

struct BadRow {
  std::string name;
  unsigned chan = 0;      // the channel a transfer uses; kNoChannel for DMA API calls only
  unsigned expected = 0;  // dma_violation class
  bool run = false, flagged = false;
  std::string note;
};

struct Figures {
  bool done = false;
  std::uint64_t cycles = 0, sim_ns = 0;
  std::uint64_t loop_cycles_alone = 0, loop_cycles_with_dma = 0, loop_loads = 0;
  bool dma_outlasted_loop = false;
};

struct Outcome {
  std::vector<GoodRow> good;
  std::vector<ApiRow> api;
  std::vector<BadRow> bad;
  std::uint64_t violations[sw::NR_DMA_VIOLATIONS] = {};
  Figures fig;
  std::string panic;
};

std::uint64_t total_violations(sw::Kernel& k) {
  std::uint64_t n = 0;
  for (unsigned c = 0; c < sw::NR_DMA_VIOLATIONS; ++c) n += sw::dma_debug_violations(k, c);
  return n;
}

sw::PatternTransfer out_of(unsigned chan, LAddr buf, std::uint32_t bytes) {
  sw::PatternTransfer x;
  x.chan = chan;
  x.buf = buf;
  x.bytes = bytes;
  x.to_memory = false;  // the card only reads: a bad address corrupts nothing
  x.seed = 0x5A;
  return x;
}

// The DMA API misused as each case names, on a GFP_DMA buffer the mask reaches.
bool api_misuse(sw::Kernel& k, LAddr dev, const std::string& name) {
  using sw::DMA_FROM_DEVICE;
  using sw::DMA_TO_DEVICE;
  const LAddr buf = sw::kmalloc(k, 2048, sw::GFP_KERNEL | sw::GFP_DMA);
  bool known = true;
  if (name == "unmap-wrong-size" || name == "unmap-wrong-direction" ||
      name == "map-error-unchecked") {
    const PAddr a = sw::dma_map_single(k, dev, buf, 2048, DMA_TO_DEVICE, "dma_check_map");
    if (name != "map-error-unchecked") sw::dma_mapping_error(k, dev, a);
    sw::dma_unmap_single(k, dev, a, name == "unmap-wrong-size" ? 1024 : 2048,
                         name == "unmap-wrong-direction" ? DMA_FROM_DEVICE : DMA_TO_DEVICE);
  } else if (name == "unmap-not-mapped") {
    sw::dma_unmap_single(k, dev, sw::page::__pa(buf), 2048, DMA_TO_DEVICE);
  } else if (name == "unmap-wrong-type" || name == "sg-wrong-count") {
    // wrong type: a one-entry list unmapped as a single mapping; wrong count: two
    // entries unmapped as one (the second stays mapped, leaked as the driver's bug leaks it).
    const unsigned nents = name == "unmap-wrong-type" ? 1 : 2;
    const LAddr sgl = sw::kmalloc(k, nents * sw::scatterlist::kSize, sw::GFP_KERNEL);
    sw::sg_init_table(k, sgl, nents);
    for (unsigned i = 0; i < nents; ++i)
      sw::sg_set_buf(k, sgl + i * sw::scatterlist::kSize, buf + 1024 * i, 1024);
    sw::dma_map_sg(k, dev, sgl, nents, DMA_TO_DEVICE, "dma_check_sg");
    if (name == "unmap-wrong-type")
      sw::dma_unmap_single(k, dev, k.mem.get(sgl, sw::scatterlist::dma_address), 1024,
                           DMA_TO_DEVICE);
    else
      sw::dma_unmap_sg(k, dev, sgl, 1, DMA_TO_DEVICE);
    sw::kfree(k, sgl);
  } else if (name == "sync-not-mapped" || name == "sync-out-of-range" ||
             name == "sync-wrong-direction") {
    const PAddr a = sw::dma_map_single(k, dev, buf, 1024, DMA_FROM_DEVICE, "dma_check_map");
    sw::dma_mapping_error(k, dev, a);
    if (name == "sync-not-mapped")
      sw::dma_sync_single_for_cpu(k, dev, a + 4096, 64, DMA_FROM_DEVICE);
    if (name == "sync-out-of-range") sw::dma_sync_single_for_cpu(k, dev, a, 2048, DMA_FROM_DEVICE);
    if (name == "sync-wrong-direction") sw::dma_sync_single_for_cpu(k, dev, a, 1024, DMA_TO_DEVICE);
    sw::dma_unmap_single(k, dev, a, 1024, DMA_FROM_DEVICE);
  } else {
    known = false;
  }
  sw::kfree(k, buf);
  return known;
}

// The streaming API and a pool used right: each buffer mapped, a verified transfer,
// synced for the CPU, unmapped; no violation may be raised.
void run_api_good(sw::Kernel& k, Outcome& out) {
  const LAddr dev = sw::isa_pattern_device();
  auto transfer = [&](LAddr buf, std::uint32_t bytes, const char* caller) {
    sw::PatternTransfer x;
    x.chan = 1;
    x.buf = buf;
    x.bytes = bytes;
    x.to_memory = true;
    x.seed = 0x33;
    return sw::isa_pattern_transfer(k, x, caller).ok();
  };
  {
    ApiRow row{"dma_map_single", false, 0, ""};
    const std::uint64_t before = total_violations(k);
    const LAddr buf = sw::kmalloc(k, 2048, sw::GFP_KERNEL | sw::GFP_DMA);
    const PAddr a = sw::dma_map_single(k, dev, buf, 2048, sw::DMA_FROM_DEVICE, "dma_check_good");
    row.ok = !sw::dma_mapping_error(k, dev, a) && transfer(buf, 2048, "dma_check_good");
    sw::dma_sync_single_for_cpu(k, dev, a, 2048, sw::DMA_FROM_DEVICE);
    sw::dma_unmap_single(k, dev, a, 2048, sw::DMA_FROM_DEVICE);
    sw::kfree(k, buf);
    row.violations = total_violations(k) - before;
    row.note = fmt::format("bus address {:#x}", a);
    out.api.push_back(row);
  }
  {
    ApiRow row{"dma_map_sg (3 pages)", false, 0, ""};
    const std::uint64_t before = total_violations(k);
    const LAddr sgl = sw::kmalloc(k, 3 * sw::scatterlist::kSize, sw::GFP_KERNEL);
    sw::sg_init_table(k, sgl, 3);
    LAddr pages[3];
    for (unsigned i = 0; i < 3; ++i) {
      pages[i] = sw::__get_free_pages(k, sw::GFP_DMA, 0);
      sw::sg_set_buf(k, sgl + i * sw::scatterlist::kSize, pages[i], 4096);
    }
    row.ok = sw::dma_map_sg(k, dev, sgl, 3, sw::DMA_FROM_DEVICE, "dma_check_good") == 3;
    for (unsigned i = 0; i < 3 && row.ok; ++i) row.ok = transfer(pages[i], 4096, "dma_check_good");
    sw::dma_unmap_sg(k, dev, sgl, 3, sw::DMA_FROM_DEVICE);
    for (LAddr p : pages) sw::free_page(k, p);
    sw::kfree(k, sgl);
    row.violations = total_violations(k) - before;
    out.api.push_back(row);
  }
  {
    ApiRow row{"dma_pool (64 KB boundary)", false, 0, ""};
    const std::uint64_t before = total_violations(k);
    const LAddr pool = sw::dma_pool_create(k, "dma_check", dev, 1536, 16, 0x10000);
    row.ok = pool != 0;
    LAddr blocks[6] = {};
    PAddr dma[6] = {};
    for (unsigned i = 0; i < 6 && row.ok; ++i) {
      blocks[i] = sw::dma_pool_alloc(k, pool, sw::GFP_KERNEL, &dma[i]);
      row.ok = blocks[i] && dma[i] >> 16 == (dma[i] + 1535) >> 16 &&
               transfer(blocks[i], 1536, "dma_check_good");
    }
    for (unsigned i = 0; i < 6; ++i)
      if (blocks[i]) sw::dma_pool_free(k, pool, blocks[i], dma[i]);
    sw::dma_pool_destroy(k, pool);
    row.violations = total_violations(k) - before;
    out.api.push_back(row);
  }
}

// One bad buffer per case: set it up, run a memory -> device transfer, clean up.
void run_bad_case(sw::Kernel& k, BadRow& row) {
  const LAddr dev = sw::isa_pattern_device();
  PAddr handle = 0;
  if (row.name == "kmalloc-no-GFP_DMA") {
    LAddr obj = sw::kmalloc(k, 512, sw::GFP_KERNEL);
    row.note = fmt::format("phys {:#x}", sw::page::__pa(obj));
    sw::isa_pattern_transfer(k, out_of(row.chan, obj, 512), "dma_check_kmalloc");
    sw::kfree(k, obj);
  } else if (row.name == "vmalloc") {
    LAddr buf = sw::vmalloc(k, 8192, "dma_check");
    sw::isa_pattern_transfer(k, out_of(row.chan, buf, 4096), "dma_check_vmalloc");
    sw::vfree(k, buf);
  } else if (row.name == "cross-64k" || row.name == "cross-128k") {
    const std::uint64_t boundary = row.name == "cross-64k" ? 0x10000 : 0x20000;
    LAddr buf = sw::dma_alloc_coherent(k, dev, 2 * boundary, &handle, sw::GFP_KERNEL);
    row.note = fmt::format("phys {:#x}+512", handle + boundary - 256);
    sw::isa_pattern_transfer(k, out_of(row.chan, buf + boundary - 256, 512), "dma_check_cross");
    sw::dma_free_coherent(k, dev, 2 * boundary, buf, handle);
  } else if (row.name == "slab-object-too-small") {
    LAddr obj = sw::kmalloc(k, 64, sw::GFP_KERNEL | sw::GFP_DMA);
    sw::isa_pattern_transfer(k, out_of(row.chan, obj, 512), "dma_check_slab");
    sw::kfree(k, obj);
  } else if (row.name == "map-unreachable") {
    LAddr high = sw::__get_free_pages(k, sw::GFP_KERNEL, 0);  // above 16 MB
    const PAddr a = sw::dma_map_single(k, dev, high, 512, sw::DMA_TO_DEVICE, "dma_check_map");
    row.note = fmt::format("phys {:#x}: {}", sw::page::__pa(high),
                           sw::dma_mapping_error(k, dev, a) ? "DMA_MAPPING_ERROR" : "mapped");
    sw::free_page(k, high);
  } else if (api_misuse(k, dev, row.name)) {
  } else if (row.name == "freed-in-flight") {
    LAddr pg = sw::alloc_pages(k, sw::GFP_DMA, 1);
    sw::PatternTransfer x = out_of(row.chan, sw::page::page_to_virt(pg), 8192);
    sw::isa_pattern_start(k, x, "dma_check_free");
    sw::__free_pages(k, pg, 1);  // while the card still reads it
    sw::isa_pattern_wait(k, x);
  }
}

// A fixed loop of loads, one per 64-byte line over `bytes` (a kernel memory scan).
std::uint64_t load_loop(sw::Kernel& k, LAddr buf, std::uint64_t bytes, unsigned passes) {
  std::uint64_t c0 = k.cpu.cycles();
  for (unsigned p = 0; p < passes; ++p)
    for (std::uint64_t off = 0; off < bytes; off += 64) k.cpu.load(buf + off, 8);
  return k.cpu.cycles() - c0;
}

// Throughput of a 64 KB device -> memory transfer, and the cycles of a load loop
// alone and with that transfer running.
void measure(sw::Kernel& k, Platform& platform, Figures& f) {
  const LAddr dev = sw::isa_pattern_device();
  PAddr handle = 0;
  LAddr buf = sw::dma_alloc_coherent(k, dev, 0x10000, &handle, sw::GFP_KERNEL);
  sw::PatternTransfer x;
  x.chan = 1;
  x.buf = buf;
  x.bytes = 0x10000;
  x.seed = 1;
  std::uint64_t t0 = platform.now_ns();
  sw::PatternResult r = sw::isa_pattern_transfer(k, x, "dma_check_measure");
  f.sim_ns = platform.now_ns() - t0;
  f.cycles = r.cycles;
  // The loop: 256 KB of kernel memory (ZONE_DMA32), 4 passes.
  constexpr std::uint64_t kLoopBytes = 0x40000;
  constexpr unsigned kPasses = 4;
  LAddr scan = sw::__get_free_pages(k, sw::GFP_KERNEL, 6);
  f.loop_loads = kLoopBytes / 64 * kPasses;
  load_loop(k, scan, kLoopBytes, 1);  // warm the TLBs
  f.loop_cycles_alone = load_loop(k, scan, kLoopBytes, kPasses);
  sw::isa_pattern_start(k, x, "dma_check_measure");
  f.loop_cycles_with_dma = load_loop(k, scan, kLoopBytes, kPasses);
  f.dma_outlasted_loop = !sw::isa_pattern_done(k);
  sw::isa_pattern_wait(k, x);
  sw::free_pages(k, scan, 6);
  sw::dma_free_coherent(k, dev, 0x10000, buf, handle);
  f.done = r.ok();
}

void run_checks(sw::Kernel& k, Platform& platform, const DmaCheckArgs& a, Outcome& out) {
  if (sw::isa_pattern_probe(k) != 0) throw std::runtime_error("dma-check: no ISA DMA controller");
  const LAddr dev = sw::isa_pattern_device();
  for (unsigned chan : kChannels) {
    for (bool to_memory : {true, false}) {
      PAddr handle = 0;
      LAddr buf = sw::dma_alloc_coherent(k, dev, a.bytes, &handle, sw::GFP_KERNEL);
      if (!buf) throw std::runtime_error("dma-check: ZONE_DMA has no room for the buffers");
      std::uint64_t before = total_violations(k);
      sw::PatternTransfer x;
      x.chan = chan;
      x.buf = buf;
      x.bytes = a.bytes;
      x.to_memory = to_memory;
      x.seed = static_cast<std::uint8_t>(chan * 16 + to_memory);
      sw::PatternResult r = sw::isa_pattern_transfer(k, x, "dma_check_good");
      out.good.push_back({chan, to_memory, a.bytes, r, total_violations(k) - before});
      sw::dma_free_coherent(k, dev, a.bytes, buf, handle);
    }
  }
  run_api_good(k, out);
  if (a.measure) measure(k, platform, out.fig);
  if (a.fatal) sw::dma_debug_set_fatal(k, true);
  for (BadRow& row : out.bad) {
    if (!out.panic.empty()) break;
    bool wanted = a.bad.empty();
    for (const auto& b : a.bad) wanted |= b == row.name;
    if (!wanted) continue;
    row.run = true;
    std::uint64_t before = sw::dma_debug_violations(k, row.expected);
    try {
      run_bad_case(k, row);
    } catch (const sw::KernelPanic& e) {
      out.panic = e.what();  // --fatal: the kernel stops at the first violation
      row.flagged = out.panic.find(sw::dma_violation_name(row.expected)) != std::string::npos;
      break;
    }
    row.flagged = sw::dma_debug_violations(k, row.expected) > before;
  }
  for (unsigned c = 0; c < sw::NR_DMA_VIOLATIONS; ++c)
    out.violations[c] = sw::dma_debug_violations(k, c);
}

std::string describe(const sw::PatternResult& r) {
  if (r.ok()) return "ok";
  if (r.error) return fmt::format("FAILED (start: error {})", r.error);
  if (!r.completed) return "FAILED (no IRQ: timed out)";
  return fmt::format("FAILED (tc {} residue {} memory mismatches {} device errors {} status {:#x})",
                     r.tc, r.residue, r.mismatches, r.device_errors, r.status);
}

void run_dma_check(DmaCheckArgs a) {
  const std::vector<std::string> names = kBadCases;
  for (const auto& b : a.bad)
    if (std::find(names.begin(), names.end(), b) == names.end())
      throw ConfigError("--bad: unknown case '" + b + "'");
  Params params = a.platform.build_params();
  if (params.has("dma.violations_fatal") && params.flag("dma.violations_fatal")) a.fatal = true;
  Outcome out;
  const std::pair<unsigned, unsigned> cases[] = {{2, sw::DMA_ABOVE_16MB},
                                                 {1, sw::DMA_NOT_CONTIGUOUS},
                                                 {1, sw::DMA_CROSSES_64K},
                                                 {5, sw::DMA_CROSSES_128K},
                                                 {0, sw::DMA_NOT_CONTIGUOUS},
                                                 {3, sw::DMA_FREED_IN_FLIGHT},
                                                 {kNoChannel, sw::DMA_MAP_OVERFLOW},
                                                 {kNoChannel, sw::DMA_UNMAP_NOT_MAPPED},
                                                 {kNoChannel, sw::DMA_UNMAP_WRONG_SIZE},
                                                 {kNoChannel, sw::DMA_UNMAP_WRONG_TYPE},
                                                 {kNoChannel, sw::DMA_UNMAP_WRONG_DIR},
                                                 {kNoChannel, sw::DMA_SG_WRONG_COUNT},
                                                 {kNoChannel, sw::DMA_MAP_ERR_UNCHECKED},
                                                 {kNoChannel, sw::DMA_SYNC_NOT_MAPPED},
                                                 {kNoChannel, sw::DMA_SYNC_OUT_OF_RANGE},
                                                 {kNoChannel, sw::DMA_SYNC_WRONG_DIR}};
  static_assert(sizeof cases / sizeof cases[0] == 16);
  for (std::size_t i = 0; i < names.size(); ++i) {
    BadRow row;
    row.name = names[i];
    row.chan = cases[i].first;
    row.expected = cases[i].second;
    out.bad.push_back(row);
  }
  auto console = console_sink(a.platform.console, std::cerr);
  DebugSession debug_session(a.platform);
  Platform platform("top", params);
  enable_waveform(platform, a.platform, "");
  platform.run([&](CpuPort& cpu) {
    sw::Kernel k(cpu);
    k.console = console.sink;
    sw::start_kernel(k, plan_from_params(params).boot);  // the kernel.* parameters
    run_checks(k, platform, a, out);
  });

  unsigned good_failed = 0, bad_missed = 0;
  std::cout << fmt::format("{:>7}  {:<9} {:>6}  {}\n", "channel", "direction", "bytes", "result");
  for (const auto& g : out.good) {
    std::string res = describe(g.r);
    if (g.violations) res += fmt::format(" (false alarm: {} violations)", g.violations);
    good_failed += !g.r.ok() || g.violations;
    std::cout << fmt::format("{:>7}  {:<9} {:>6}  {}\n", g.chan,
                             g.to_memory ? "dev->mem" : "mem->dev", g.bytes, res);
  }
  std::cout << fmt::format("\n{:<27} {}\n", "DMA API (channel 1)", "result");
  for (const auto& r : out.api) {
    std::string res = r.ok ? "ok" : "FAILED";
    if (r.violations) res += fmt::format(" (false alarm: {} violations)", r.violations);
    if (!r.note.empty()) res += " (" + r.note + ")";
    good_failed += !r.ok || r.violations;
    std::cout << fmt::format("{:<27} {}\n", r.name, res);
  }
  std::cout << fmt::format("\n{:<22} {:>7}  {:<17} {}\n", "bad buffer", "channel", "expected",
                           "result");
  for (const auto& b : out.bad) {
    std::string res = !b.run      ? (out.panic.empty() ? "not run" : "not run (kernel panicked)")
                      : b.flagged ? "flagged"
                                  : "NOT FLAGGED";
    bad_missed += b.run && !b.flagged;
    if (b.run && !b.note.empty()) res += " (" + b.note + ")";
    std::cout << fmt::format("{:<22} {:>7}  {:<17} {}\n", b.name,
                             b.chan == kNoChannel ? std::string("-") : std::to_string(b.chan),
                             sw::dma_violation_name(b.expected), res);
  }
  std::cout << "\nviolations by class:\n";
  for (unsigned c = 0; c < sw::NR_DMA_VIOLATIONS; ++c)
    std::cout << fmt::format("  {:<18} {}\n", sw::dma_violation_name(c), out.violations[c]);
  if (!out.panic.empty()) std::cout << "\n" << out.panic << "\n";

  StatsReport r;
  platform.report(r);
  for (unsigned c = 0; c < sw::NR_DMA_VIOLATIONS; ++c)
    r.add(std::string("dma_check.violations.") + sw::dma_violation_name(c), out.violations[c],
          "violations the DMA validator reported in this class");
  r.add("dma_check.good_failed", good_failed, "good transfers that failed or raised a violation");
  r.add("dma_check.bad_unflagged", bad_missed, "bad buffers the validator did not flag");
  if (a.measure && out.fig.done) {
    const Figures& f = out.fig;
    const double freq_hz = static_cast<double>(params.u64("cpu.freq_mhz")) * 1e6;
    const double seconds = static_cast<double>(f.cycles) / freq_hz;
    const double bps = 65536.0 / seconds;
    const double slowdown = f.loop_cycles_alone ? static_cast<double>(f.loop_cycles_with_dma) /
                                                          static_cast<double>(f.loop_cycles_alone) -
                                                      1.0
                                                : 0.0;
    std::cout << fmt::format(
        "\nthroughput: 65536 bytes device->memory in {} cycles ({:.3f} ms simulated, {} ns "
        "including setup and check): {:.0f} bytes/s\n"
        "cpu loop of {} loads: {} cycles alone, {} cycles with the transfer running "
        "({:+.2f}%){}\n",
        f.cycles, seconds * 1e3, f.sim_ns, bps, f.loop_loads, f.loop_cycles_alone,
        f.loop_cycles_with_dma, slowdown * 100,
        f.dma_outlasted_loop ? "" : " (the transfer ended before the loop)");
    r.add_real("dma_check.bytes_per_s", bps,
               "64 KB device->memory transfer: bytes per simulated second");
    r.add("dma_check.loop_cycles_alone", f.loop_cycles_alone, "cycles of the load loop alone");
    r.add("dma_check.loop_cycles_with_dma", f.loop_cycles_with_dma,
          "cycles of the same loop with a transfer running");
  }
  emit_stats(r, a.platform);
  debug_session.finish();
  console.finish();
  if (good_failed || bad_missed)
    throw std::runtime_error(
        fmt::format("dma-check: {} good transfer(s) failed, {} bad buffer(s) not flagged",
                    good_failed, bad_missed));
}

}  // namespace

void add_dma_check_command(CLI::App& app) {
  auto a = std::make_shared<DmaCheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "dma-check",
      "boot the kernel, move verified data through every ISA DMA channel both ways, check "
      "that the DMA validator flags each kind of bad buffer");
  a->platform.add_to(*cmd);
  cmd->add_flag("--fatal", a->fatal,
                "make DMA violations fatal (a kernel panic stops the run at the first bad buffer)");
  cmd->add_option("--bytes", a->bytes, "bytes per good transfer")
      ->check(CLI::Range(2, 65536))
      ->capture_default_str();
  std::string cases;
  for (const auto& c : kBadCases) cases += (cases.empty() ? "" : ", ") + c;
  cmd->add_option("--bad", a->bad, "run only this bad case (repeatable): " + cases);
  cmd->add_flag("--measure", a->measure,
                "also measure a 64 KB transfer's throughput and the slowdown of a CPU load loop "
                "running beside it");
  cmd->callback([a] { run_dma_check(*a); });
}

}  // namespace mmvp::cli
