// The platform: CPU core (with its MMU), the memory router, the I/O-port router and
// DRAM, elaborated from parameters. It also plays firmware: it builds the e820 map
// and leaves it in guest memory (boot_params.h) before the core starts.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "hw/bus/router_module.h"
#include "hw/common/params.h"
#include "hw/common/stats.h"
#include "hw/cpu/cpu_module.h"
#include "hw/dma/i8237_module.h"
#include "hw/dma/isa_device_module.h"
#include "hw/mem/dram_module.h"
#include "hw/platform/platform_params.h"
#include "hw/probe/vcd_writer.h"
#include "hw/timer/hpet_module.h"

namespace mmvp {

class Platform : public sc_core::sc_module {
 public:
  Platform(sc_core::sc_module_name name, const Params& params);
  ~Platform() override;

  CpuCore& cpu() { return *cpu_; }
  Router& membus() { return *membus_; }
  Router& iobus() { return *iobus_; }
  Dram& dram() { return *dram_; }
  HpetModule& hpet() { return *hpet_; }
  // The ISA DMA controllers (ports 0x00-0x0F, 0x80-0x8F, 0xC0-0xDF; a second initiator
  // on the memory bus) and the pattern card (ports 0x300-0x307).
  I8237Module& dma() { return *dma_; }
  IsaDeviceModule& isa() { return *isa_; }
  // The HPET's register block, in the MMIO hole (its usual PC address).
  static constexpr std::uint64_t kHpetBase = 0xFED00000;
  const AddressMap& address_map() const { return map_; }

  // Writes probes to `path` (call before run()).
  // Probe waveforms into path; `signals` selects them (VcdWriter::select_signals).
  void enable_vcd(const std::string& path, const std::vector<std::string>& signals = {});
  VcdWriter* vcd() { return vcd_.get(); }  // null without enable_vcd
  // Runs the program on the core to completion; rethrows the program's error.
  void run(CpuCore::Program program);
  // Statistics now: after run(), or from inside the program (a mid-run snapshot).
  void report(StatsReport& r) const;
  std::uint64_t now_ns() const { return cpu_->now() / 1000; }
  // Host wall-clock seconds since the last statistics reset (or the start) to the end.
  double host_seconds() const { return host_seconds_; }
  double host_total_seconds() const { return host_total_seconds_; }

 private:
  void write_boot_params();

  AddressMap map_;
  std::unique_ptr<CpuCore> cpu_;
  std::unique_ptr<Router> membus_;
  std::unique_ptr<Router> iobus_;
  std::unique_ptr<Dram> dram_;
  std::unique_ptr<HpetModule> hpet_;
  std::unique_ptr<I8237Module> dma_;
  std::unique_ptr<IsaDeviceModule> isa_;
  std::unique_ptr<VcdWriter> vcd_;
  double host_seconds_ = 0;
  double host_total_seconds_ = 0;
  std::chrono::steady_clock::time_point host_epoch_, host_start_;
};

}  // namespace mmvp
