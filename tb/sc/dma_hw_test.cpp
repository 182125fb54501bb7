// The ISA DMA hardware on the platform: a program on the core (paging off, linear =
// physical) programs the i8237 pair and the pattern card through port I/O, exactly as
// the kernel driver will. Device-to-memory and memory-to-device on channel 1 (8-bit)
// and 5 (16-bit), the IRQ, the 64 KB wrap, lock-step interleaving with the CPU, and
// the throughput and CPU slowdown in lock-step.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "hw/dma/isa_pattern_device.h"
#include "tb/sc/sc_test_main.h"

namespace mmvp {
namespace {

using test::platform_params;

constexpr std::uint16_t kCmd = 0x300, kChannel = 0x301, kSeed = 0x302, kIrq = 0x303,
                        kStatus = 0x304, kErrLo = 0x305, kErrHi = 0x306;
constexpr std::uint8_t kModeWrite = 0x44;  // single, write-to-memory (Linux DMA_MODE_READ)
constexpr std::uint8_t kModeRead = 0x48;   // single, read-from-memory (Linux DMA_MODE_WRITE)

std::uint8_t pattern(std::uint8_t seed, std::uint64_t i) {
  return IsaPatternDevice::pattern(seed, i);
}

// The driver's side, through the core's port I/O only (Linux's asm/dma.h sequence).
struct Driver {
  CpuPort& c;
  CpuCore* core = nullptr;  // for simulated time in picoseconds
  int irqs = 0;
  std::uint8_t last_status = 0;
  Picos irq_ps = 0;  // simulated time of the last completion interrupt

  Picos now() const { return core ? core->now() : 0; }

  void outb(std::uint16_t p, std::uint8_t v) { c.out(p, 1, v); }
  std::uint8_t inb(std::uint16_t p) { return static_cast<std::uint8_t>(c.in(p, 1)); }

  void install_irq(unsigned line) {
    c.set_irq_handler(0x20 + line, [this](unsigned) {
      ++irqs;
      irq_ps = now();
      last_status = inb(kStatus);  // acknowledges the card
    });
    c.set_if(true);
  }
  // disable_dma, clear_dma_ff, set_dma_mode, set_dma_page, set_dma_addr,
  // set_dma_count, enable_dma.
  void setup(unsigned ch, std::uint8_t mode, std::uint32_t phys, std::uint32_t bytes) {
    static const std::uint16_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
    bool dma2 = ch >= 4;
    unsigned c4 = ch & 3;
    auto reg = [&](unsigned r) { return static_cast<std::uint16_t>(dma2 ? 0xC0 + 2 * r : r); };
    outb(reg(0xA), static_cast<std::uint8_t>(4 | c4));
    outb(reg(0xC), 0);
    outb(reg(0xB), static_cast<std::uint8_t>(mode | c4));
    std::uint32_t a = dma2 ? (phys >> 1) & 0xFFFF : phys & 0xFFFF;
    std::uint32_t n = (dma2 ? bytes / 2 : bytes) - 1;
    outb(page_port[ch], static_cast<std::uint8_t>(dma2 ? (phys >> 16) & 0xFE : (phys >> 16)));
    outb(reg(2 * c4), a & 0xFF);
    outb(reg(2 * c4), static_cast<std::uint8_t>(a >> 8));
    outb(reg(2 * c4 + 1), n & 0xFF);
    outb(reg(2 * c4 + 1), static_cast<std::uint8_t>(n >> 8));
    outb(reg(0xA), static_cast<std::uint8_t>(c4));
  }
  void start(unsigned ch, std::uint8_t seed, std::uint8_t cmd, unsigned line = 5) {
    outb(kChannel, static_cast<std::uint8_t>(ch));
    outb(kSeed, seed);
    outb(kIrq, static_cast<std::uint8_t>(line));
    outb(kCmd, cmd);
  }
  // Waits (IF=1) for the completion interrupt; false on timeout.
  bool wait_irq(int before, std::uint64_t max_cycles = 3000000000ULL) {
    std::uint64_t end = c.cycles() + max_cycles;
    while (irqs == before && c.cycles() < end) c.charge(2000);
    return irqs > before;
  }
  bool busy() { return (inb(kStatus) & IsaPatternDevice::STATUS_BUSY) != 0; }
  unsigned errors() { return inb(kErrLo) | inb(kErrHi) << 8; }
};

void fill(CpuPort& c, std::uint64_t at, std::uint64_t n, std::uint8_t seed) {
  for (std::uint64_t i = 0; i < n; ++i) c.store(at + i, 1, pattern(seed, i));
}
std::uint64_t mismatches(CpuPort& c, std::uint64_t at, std::uint64_t n, std::uint8_t seed) {
  std::uint64_t bad = 0;
  for (std::uint64_t i = 0; i < n; ++i) bad += c.load(at + i, 1) != pattern(seed, i);
  return bad;
}

TEST(DmaHw, Channel1DeviceToMemoryAndBack) {
  Platform platform("top", platform_params({"sim.quantum_ns=0"}));
  StatsReport r;
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    const std::uint32_t buf = 0x123000, n = 1000;
    c.store(buf + n, 1, 0xEE);  // guard byte after the buffer
    d.setup(1, kModeWrite, buf, n);
    d.start(1, 0x33, 1);
    EXPECT_TRUE(d.busy()) << "busy";
    ASSERT_TRUE(d.wait_irq(0));
    EXPECT_EQ(d.last_status, IsaPatternDevice::STATUS_DONE);
    EXPECT_EQ(mismatches(c, buf, n, 0x33), 0u);
    EXPECT_EQ(c.load(buf + n, 1), 0xEEu) << "exactly count + 1 bytes";
    EXPECT_EQ(d.inb(0x08) & 0x0F, 0x02) << "TC of channel 1";
    EXPECT_EQ(d.inb(0x08) & 0x0F, 0x00) << "cleared by the status read";
    // Back again: the card checks what the controller reads.
    d.setup(1, kModeRead, buf, n);
    d.start(1, 0x33, 2);
    ASSERT_TRUE(d.wait_irq(1));
    EXPECT_EQ(d.last_status, IsaPatternDevice::STATUS_DONE);
    EXPECT_EQ(d.errors(), 0u);
    // A corrupted byte is caught: the test can fail.
    c.store(buf + 500, 1, 0);
    d.setup(1, kModeRead, buf, n);
    d.start(1, 0x33, 2);
    ASSERT_TRUE(d.wait_irq(2));
    EXPECT_EQ(d.last_status, IsaPatternDevice::STATUS_DONE | IsaPatternDevice::STATUS_ERROR);
    EXPECT_EQ(d.errors(), 1u);
    platform.report(r);
  });
  EXPECT_EQ(r.u64("dma.bytes"), 3000u);
  EXPECT_EQ(r.u64("dma.ch1.bytes"), 3000u);
  EXPECT_EQ(r.u64("dma.tc"), 3u);
  EXPECT_EQ(r.u64("dma.irqs"), 3u);
  EXPECT_EQ(r.u64("dma.device.errors"), 1u);
  EXPECT_EQ(r.u64("dma.device.protocol_errors"), 0u);
  EXPECT_EQ(r.u64("dma.bus_errors"), 0u);
  EXPECT_EQ(r.u64("cpu.irqs"), 3u);
}

// x86 DMA is coherent: a device-to-memory transfer invalidates the lines the CPU
// cached, so its next loads miss and read the device's bytes; a memory-to-device
// transfer of lines the CPU dirtied cleans them (the data was in memory all along).
TEST(DmaHw, DeviceWritesSnoopTheCpuCaches) {
  Platform platform("top", platform_params({"sim.quantum_ns=0"}));
  const std::uint32_t buf = 0x240000, n = 4096;
  std::uint64_t hits_warm = 0, misses_after = 0, snooped = 0, cleaned = 0;
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    fill(c, buf, n, 0x11);  // dirty in the CPU's caches
    const CacheHierarchy& caches = platform.cpu().caches();
    auto l1d_misses = [&] { return caches.level(CacheLevel::l1d).stats().misses[1]; };
    const std::uint64_t m0 = l1d_misses();
    EXPECT_EQ(mismatches(c, buf, n, 0x11), 0u);
    hits_warm = l1d_misses() - m0;  // all cached: no new miss
    d.setup(1, kModeRead, buf, n);  // memory -> device: the device reads the dirty lines
    d.start(1, 0x11, 2);
    ASSERT_TRUE(d.wait_irq(0));
    EXPECT_EQ(d.errors(), 0u);
    cleaned = caches.level(CacheLevel::l1d).stats().snoop_writebacks;
    d.setup(1, kModeWrite, buf, n);  // device -> memory: overwrites them
    d.start(1, 0x22, 1);
    ASSERT_TRUE(d.wait_irq(1));
    snooped = caches.level(CacheLevel::l1d).stats().snoop_invalidations;
    const std::uint64_t m1 = l1d_misses();
    EXPECT_EQ(mismatches(c, buf, n, 0x22), 0u) << "the CPU reads the device's data";
    misses_after = l1d_misses() - m1;
  });
  EXPECT_EQ(hits_warm, 0u);
  EXPECT_EQ(cleaned, n / 64) << "every dirty line the device read was cleaned";
  EXPECT_EQ(snooped, n / 64) << "every line the device wrote left the L1D";
  EXPECT_EQ(misses_after, n / 64) << "and the CPU's next load of each line misses";
}

TEST(DmaHw, Channel5MovesWords) {
  Platform platform("top", platform_params({"sim.quantum_ns=0"}));
  StatsReport r;
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(7);
    const std::uint32_t buf = 0x345000, n = 1024;
    d.setup(5, kModeWrite, buf, n);
    d.start(5, 0x81, 1, 7);
    ASSERT_TRUE(d.wait_irq(0));
    EXPECT_EQ(mismatches(c, buf, n, 0x81), 0u);
    EXPECT_EQ(c.load(buf + n, 1), 0u);
    EXPECT_EQ(d.inb(0xD0) & 0x0F, 0x02) << "TC of channel 5 (bit 1 of DMA2)";
    fill(c, 0x3A0000, n, 0x44);
    d.setup(5, kModeRead, 0x3A0000, n);
    d.start(5, 0x44, 2, 7);
    ASSERT_TRUE(d.wait_irq(1));
    EXPECT_EQ(d.errors(), 0u);
    EXPECT_EQ(d.last_status, IsaPatternDevice::STATUS_DONE);
    platform.report(r);
  });
  EXPECT_EQ(r.u64("dma.ch5.bytes"), 2048u);
  EXPECT_EQ(r.u64("dma.transfers"), 1024u) << "one bus cycle per word";
  EXPECT_EQ(r.u64("dma.device.errors"), 0u);
}

TEST(DmaHw, AddressWrapsInsideThe64KPage) {
  Platform platform("top", platform_params({"sim.quantum_ns=0"}));
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    // 32 bytes from 0x05FFF0: the last 16 land at 0x050000, not 0x060000.
    d.setup(1, kModeWrite, 0x05FFF0, 32);
    d.start(1, 0x10, 1);
    ASSERT_TRUE(d.wait_irq(0));
    for (unsigned i = 0; i < 16; ++i) {
      EXPECT_EQ(c.load(0x05FFF0 + i, 1), pattern(0x10, i)) << i;
      EXPECT_EQ(c.load(0x050000 + i, 1), pattern(0x10, 16 + i)) << i;
      EXPECT_EQ(c.load(0x060000 + i, 1), 0u) << i;
    }
  });
}

TEST(DmaHw, LockStepInterleavesDmaWithTheCpuAndReportsThroughput) {
  Platform platform("top", platform_params({"sim.quantum_ns=0"}));
  StatsReport r;
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    const std::uint32_t buf = 0x200000, n = 4096;
    d.setup(1, kModeWrite, buf, n);
    d.start(1, 0x5C, 1);
    Picos t0 = platform.cpu().now();  // the card's pacing starts when the CMD write ends
    // The CPU polls the buffer through the DRAM (no DMI in lock-step) while the
    // controller writes it. Lock-step: at every poll the CPU sees exactly the bytes the
    // DMA has written by then -- byte k lands one period (2 us) after byte k-1, the first
    // one period after the start -- so the progress it observes never strays from the
    // time-based expectation by more than one byte. (With a 10 us quantum it lags by up
    // to five.)
    const double period_ps = 2e6;
    std::uint64_t done = 0, polls = 0, partial = 0;
    double worst = 0;
    std::uint64_t worst_at = 0;
    while (d.irqs == 0) {
      while (done < n && c.load(buf + done, 1) == pattern(0x5C, done)) ++done;
      double expected = std::min<double>(
          n, std::floor(static_cast<double>(platform.cpu().now() - t0) / period_ps));
      double dev = std::fabs(expected - static_cast<double>(done));
      if (dev > worst) {
        worst = dev;
        worst_at = done;
      }
      ++polls;
      if (done > 0 && done < n) ++partial;
      c.charge(300);
    }
    double seconds = static_cast<double>(d.irq_ps - t0) * 1e-12;
    double rate = n / seconds;
    std::printf("lock-step DMA throughput: %.0f bytes per simulated second (%u bytes in %.1f us)\n",
                rate, n, seconds * 1e6);
    std::printf("%llu polls, %llu mid-transfer, worst deviation %.0f bytes (at byte %llu)\n",
                static_cast<unsigned long long>(polls), static_cast<unsigned long long>(partial),
                worst, static_cast<unsigned long long>(worst_at));
    EXPECT_GT(partial, 1000u);
    EXPECT_LE(worst, 1.0);
    EXPECT_NEAR(rate, 500000.0, 500000.0 * 0.02);
    EXPECT_EQ(mismatches(c, buf, n, 0x5C), 0u);
    platform.report(r);
  });
  EXPECT_EQ(r.u64("dma.bytes"), 4096u);
}

// The CPU slowdown DMA causes in lock-step: a fixed loop of loads, alone and while a
// device-to-memory transfer runs (at an ISA card's pace, then at a pace no ISA card has).
void measure_slowdown(const std::string& rate) {
  Platform platform("top", platform_params({"sim.quantum_ns=0", "dma.device_bytes_per_s=" + rate}));
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    const unsigned loads = 20000;
    auto loop = [&] {
      std::uint64_t t = c.cycles();
      for (unsigned i = 0; i < loads; ++i) c.load(0x400000 + (i * 64ULL) % (1 << 20), 8);
      return c.cycles() - t;
    };
    loop();  // the loop's lines in the caches, as in both measured runs
    std::uint64_t alone = loop();
    d.setup(1, kModeWrite, 0x210000, 65536);
    d.start(1, 0x01, 1);
    c.charge(30000);  // let the transfer get going
    auto dma_bytes = [&] {
      StatsReport r;
      platform.report(r);
      return r.u64("dma.bytes");
    };
    std::uint64_t b0 = dma_bytes();
    Picos p0 = platform.cpu().now();
    std::uint64_t with_dma = loop();
    double moved = static_cast<double>(dma_bytes() - b0);
    double secs = static_cast<double>(platform.cpu().now() - p0) * 1e-12;
    EXPECT_TRUE(d.busy()) << "the transfer still ran at the end of the loop";
    std::printf(
        "rate %s B/s: %u loads: %llu cycles alone, %llu cycles with DMA (%.2f%% "
        "slower); DMA moved %.0f bytes per simulated second meanwhile\n",
        rate.c_str(), loads, static_cast<unsigned long long>(alone),
        static_cast<unsigned long long>(with_dma),
        100.0 * (static_cast<double>(with_dma) / static_cast<double>(alone) - 1), moved / secs);
    EXPECT_GE(with_dma, alone);
    d.outb(kCmd, 0);
  });
}

TEST(DmaHw, CpuSlowdownAtIsaPace) {
  measure_slowdown("500000");
}

TEST(DmaHw, CpuSlowdownAtHighPace) {
  measure_slowdown("50000000");
}

TEST(DmaHw, FastModeTransfersAndProbes) {
  std::string path = ::testing::TempDir() + "dma_hw_test.vcd";
  Platform platform("top", platform_params({}));
  platform.enable_vcd(path);
  platform.run([&](CpuPort& c) {
    Driver d{c, &platform.cpu()};
    d.install_irq(5);
    (void)c.load(0x130000, 8);  // the CPU holds a read-only zero-frame DMI pointer
    d.setup(1, kModeWrite, 0x130000, 300);
    d.start(1, 0x99, 1);
    ASSERT_TRUE(d.wait_irq(0));
    EXPECT_EQ(mismatches(c, 0x130000, 300, 0x99), 0u) << "DMA writes visible through DMI";
  });
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string vcd = ss.str();
  for (const char* s : {"$scope module dma", "ch1_address", "ch1_count", "ch1_active", "ch1_tc",
                        "irq", "$scope module isa", "busy"})
    EXPECT_NE(vcd.find(s), std::string::npos) << s;
  std::remove(path.c_str());
}

// Both I/O targets answer malformed payloads with TLM errors and count them; an
// ignore command (IEEE 1666-2011 14.17) is a command error, not a write.
TEST(DmaHw, IoTargetsAnswerTlmErrors) {
  Params p = platform_params();
  Platform platform("top", p);
  std::vector<tlm::tlm_response_status> dma, card;
  std::uint64_t dma_errors = 0, card_errors = 0, mask_after = 0;
  platform.run([&](CpuPort&) {
    auto access = [&](auto& socket, std::uint64_t addr, unsigned len, tlm::tlm_command cmd,
                      bool byte_enable) {
      std::uint32_t data = 0;  // an ignore taken as a write of 0 to 0x0F: all unmasked
      unsigned char be[4] = {0xff, 0xff, 0xff, 0xff};
      tlm::tlm_generic_payload t;
      t.set_command(cmd);
      t.set_address(addr);
      t.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
      t.set_data_length(len);
      t.set_streaming_width(len);
      if (byte_enable) {
        t.set_byte_enable_ptr(be);
        t.set_byte_enable_length(len);
      }
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket.get_base_export()->b_transport(t, delay);
      return t.get_response_status();
    };
    for (auto [addr, len, cmd, be] : {std::tuple{0x0Fu, 1u, tlm::TLM_IGNORE_COMMAND, false},
                                      std::tuple{0x0Fu, 1u, tlm::TLM_READ_COMMAND, true},
                                      std::tuple{0x0Cu, 8u, tlm::TLM_READ_COMMAND, false},
                                      std::tuple{0x20u, 1u, tlm::TLM_READ_COMMAND, false},
                                      std::tuple{0x0Fu, 0u, tlm::TLM_READ_COMMAND, false}})
      dma.push_back(access(platform.dma().io_socket, addr, len, cmd, be));
    for (auto [addr, len, cmd, be] : {std::tuple{0u, 1u, tlm::TLM_IGNORE_COMMAND, false},
                                      std::tuple{0u, 1u, tlm::TLM_READ_COMMAND, true},
                                      std::tuple{7u, 2u, tlm::TLM_READ_COMMAND, false},
                                      std::tuple{0u, 0u, tlm::TLM_READ_COMMAND, false}})
      card.push_back(access(platform.isa().io_socket, addr, len, cmd, be));
    mask_after = platform.dma().core().chip(0).mask();  // port 0x0F is write-only
    StatsReport r;
    platform.report(r);
    dma_errors = r.u64("dma.io_errors");
    card_errors = r.u64("dma.device.io_errors");
  });
  using tlm::TLM_ADDRESS_ERROR_RESPONSE, tlm::TLM_BURST_ERROR_RESPONSE;
  using tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, tlm::TLM_COMMAND_ERROR_RESPONSE;
  EXPECT_EQ(
      dma, (std::vector<tlm::tlm_response_status>{
               TLM_COMMAND_ERROR_RESPONSE, TLM_BYTE_ENABLE_ERROR_RESPONSE, TLM_BURST_ERROR_RESPONSE,
               TLM_ADDRESS_ERROR_RESPONSE, TLM_BURST_ERROR_RESPONSE}));
  EXPECT_EQ(card, (std::vector<tlm::tlm_response_status>{
                      TLM_COMMAND_ERROR_RESPONSE, TLM_BYTE_ENABLE_ERROR_RESPONSE,
                      TLM_ADDRESS_ERROR_RESPONSE, TLM_BURST_ERROR_RESPONSE}));
  EXPECT_EQ(mask_after & 0x0f, 0x0fu) << "channels start masked; the ignore wrote nothing";
  EXPECT_EQ(dma_errors, 5u);
  EXPECT_EQ(card_errors, 4u);
}

}  // namespace
}  // namespace mmvp
