#include "hw/platform/platform.h"

#include <fmt/format.h>

#include <chrono>

#include "hw/common/debug.h"
#include "hw/common/sanitizer_stack.h"
#include "hw/common/sc_time.h"
#include "hw/platform/boot_params.h"

namespace mmvp {

Platform::Platform(sc_core::sc_module_name name, const Params& params) : sc_module(name) {
  // The program's end stops the simulation; that is no news worth a line of output.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  map_ = AddressMap::from_params(params);
  CpuConfig cpu_cfg = CpuConfig::from_params(params);
  MmuConfig mmu_cfg = MmuConfig::from_params(params);
  DramConfig dram_cfg;
  dram_cfg.capacity = params.u64("mem.capacity");
  dram_cfg.timing = DramTimingConfig::from_params(params);

  cpu_ =
      std::make_unique<CpuCore>("cpu", cpu_cfg, mmu_cfg, CacheHierarchyConfig::from_params(params));
  membus_ = std::make_unique<Router>("membus", false);
  iobus_ = std::make_unique<Router>("iobus", true);
  dram_ = std::make_unique<Dram>("dram", dram_cfg);
  hpet_ = std::make_unique<HpetModule>("hpet", HpetConfig::from_params(params));
  dma_ = std::make_unique<I8237Module>("dma", I8237Config::from_params(params));
  isa_ = std::make_unique<IsaDeviceModule>("isa", IsaDeviceConfig::from_params(params));

  cpu_->mem_socket.bind(membus_->target_socket);
  cpu_->io_socket.bind(iobus_->target_socket);
  membus_->initiator_socket.bind(dram_->socket);  // target 0
  membus_->initiator_socket.bind(hpet_->socket);  // target 1
  membus_->map(0, map_.low_ram_bytes, 0, 0, "dram.low");
  if (map_.high_ram_bytes)
    membus_->map(AddressMap::kHighRamBase, map_.high_ram_bytes, 0, map_.low_ram_bytes, "dram.high");
  membus_->map(kHpetBase, Hpet::kWindowBytes, 1, 0, "hpet");
  // ISA DMA: the controllers are a second initiator on the memory bus; on the I/O bus
  // they see port numbers (offset = base), the card its register offsets.
  dma_->mem_socket.bind(membus_->target_socket);
  iobus_->initiator_socket.bind(dma_->io_socket);  // target 0
  iobus_->initiator_socket.bind(isa_->io_socket);  // target 1
  iobus_->map(0x00, 0x10, 0, 0x00, "dma1");
  iobus_->map(0x80, 0x10, 0, 0x80, "dma.page");
  iobus_->map(0xC0, 0x20, 0, 0xC0, "dma2");
  iobus_->map(IsaDeviceModule::kBasePort, IsaPatternDevice::kWindowBytes, 1, 0, "isa.pattern");
  isa_->connect(*dma_);
  dma_->set_irq_sink([this](unsigned vector) { cpu_->raise_irq(vector); });
  // x86 DMA is coherent: the controller's memory accesses snoop the CPU's caches.
  dma_->set_snoop_sink(
      [this](std::uint64_t pa, unsigned bytes, bool write) { cpu_->snoop(pa, bytes, write); });
  write_boot_params();
  debug::set_clock([this] { return cpu_->now(); });  // --debug-flags lines carry core time
  cpu_->set_reset_stats_hook([this] {
    dram_->reset_stats();
    membus_->reset_stats();
    hpet_->reset_stats();
    dma_->reset_stats();
    isa_->reset_stats();
    host_epoch_ = std::chrono::steady_clock::now();
  });
}

Platform::~Platform() {
  debug::set_clock({});
}

void Platform::write_boot_params() {
  auto e820 = map_.e820();
  std::uint8_t count = static_cast<std::uint8_t>(e820.size());
  SparseMemory& m = dram_->storage();
  m.write(boot::kBootParamsPhys + boot::kE820EntriesOffset, &count, 1);
  std::uint64_t total = map_.low_ram_bytes + map_.high_ram_bytes;
  m.write(boot::kBootParamsPhys + boot::kMemBytesOffset, &total, 8);
  for (std::size_t i = 0; i < e820.size(); ++i) {
    std::uint64_t at = boot::kBootParamsPhys + boot::kE820TableOffset + i * boot::kE820EntryBytes;
    m.write(at, &e820[i].addr, 8);
    m.write(at + 8, &e820[i].size, 8);
    m.write(at + 16, &e820[i].type, 4);
  }
}

void Platform::enable_vcd(const std::string& path, const std::vector<std::string>& signals) {
  vcd_ = std::make_unique<VcdWriter>(path);
  vcd_->select_signals(signals);
  cpu_->attach_vcd(*vcd_);
  dram_->attach_vcd(*vcd_);
  dma_->attach_vcd(*vcd_);
  isa_->attach_vcd(*vcd_);
}

void Platform::run(CpuCore::Program program) {
  cpu_->set_program(std::move(program));
  auto t0 = std::chrono::steady_clock::now();
  host_epoch_ = host_start_ = t0;
  sc_core::sc_start();
  sanitizer_resync_thread_stack();  // before anything below may throw (sanitizer_stack.h)
  auto t1 = std::chrono::steady_clock::now();
  host_seconds_ = std::chrono::duration<double>(t1 - host_epoch_).count();
  host_total_seconds_ = std::chrono::duration<double>(t1 - t0).count();
  if (vcd_) vcd_->close(cpu_->end_time());
  if (cpu_->error()) std::rethrow_exception(cpu_->error());
  if (!cpu_->finished()) throw CpuHalt("simulation ended before the program finished");
}

void Platform::report(StatsReport& r) const {
  Picos end = cpu_->end_time();
  r.add("sim.time_ns", (end - cpu_->stats_epoch()) / 1000,
        "simulated time (since the last statistics reset)");
  cpu_->report(r, "cpu");
  cpu_->mmu().report(r, "mmu");
  cpu_->caches().report(r, "cache");
  dram_->report(r, "dram");
  hpet_->report(r, "hpet");
  dma_->report(r, "dma");
  isa_->report(r, "dma.device");
  r.add("membus.address_errors", membus_->address_errors(),
        "accesses to unmapped physical addresses");
  double seconds = host_seconds_, total = host_total_seconds_;
  if (!cpu_->finished()) {
    auto now = std::chrono::steady_clock::now();
    seconds = std::chrono::duration<double>(now - host_epoch_).count();
    total = std::chrono::duration<double>(now - host_start_).count();
  }
  r.add_real("host.seconds", seconds, "host wall-clock seconds since the statistics reset");
  r.add_real("host.total_seconds", total, "host wall-clock seconds of the whole simulation");
}

}  // namespace mmvp
