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

namespace mmvp::cli {
namespace {

constexpr unsigned kChannels[] = {0, 1, 2, 3, 5, 6, 7};

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

struct BadRow {
  std::string name;
  unsigned chan = 0;
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
  const std::vector<std::string> names = {
      "kmalloc-no-GFP_DMA",    "vmalloc",        "cross-64k", "cross-128k",
      "slab-object-too-small", "freed-in-flight"};
  for (const auto& b : a.bad)
    if (std::find(names.begin(), names.end(), b) == names.end())
      throw ConfigError("--bad: unknown case '" + b + "'");
  Params params = a.platform.build_params();
  if (params.has("dma.violations_fatal") && params.flag("dma.violations_fatal")) a.fatal = true;
  Outcome out;
  const std::pair<unsigned, unsigned> cases[] = {
      {2, sw::DMA_ABOVE_16MB},   {1, sw::DMA_NOT_CONTIGUOUS}, {1, sw::DMA_CROSSES_64K},
      {5, sw::DMA_CROSSES_128K}, {0, sw::DMA_NOT_CONTIGUOUS}, {3, sw::DMA_FREED_IN_FLIGHT}};
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
    sw::start_kernel(k, sw::BootOptions{});
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
  std::cout << fmt::format("\n{:<22} {:>7}  {:<15} {}\n", "bad buffer", "channel", "expected",
                           "result");
  for (const auto& b : out.bad) {
    std::string res = !b.run      ? (out.panic.empty() ? "not run" : "not run (kernel panicked)")
                      : b.flagged ? "flagged"
                                  : "NOT FLAGGED";
    bad_missed += b.run && !b.flagged;
    if (b.run && !b.note.empty()) res += " (" + b.note + ")";
    std::cout << fmt::format("{:<22} {:>7}  {:<15} {}\n", b.name, b.chan,
                             sw::dma_violation_name(b.expected), res);
  }
  std::cout << "\nviolations by class:\n";
  for (unsigned c = 0; c < sw::NR_DMA_VIOLATIONS; ++c)
    std::cout << fmt::format("  {:<16} {}\n", sw::dma_violation_name(c), out.violations[c]);
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
  cmd->add_option("--bad", a->bad,
                  "run only this bad case (repeatable): kmalloc-no-GFP_DMA, vmalloc, cross-64k, "
                  "cross-128k, slab-object-too-small, freed-in-flight");
  cmd->add_flag("--measure", a->measure,
                "also measure a 64 KB transfer's throughput and the slowdown of a CPU load loop "
                "running beside it");
  cmd->callback([a] { run_dma_check(*a); });
}

}  // namespace mmvp::cli
