#include "hw/dma/i8237_module.h"

#include <cstring>

#include "hw/bus/target_checks.h"
#include "hw/common/debug.h"
#include "hw/common/sc_time.h"

namespace mmvp {

I8237Config I8237Config::from_params(const Params& p) {
  I8237Config c;
  c.cycle = p.u64("dma.cycle_ns") * 1000;
  c.io_latency = p.u64("dma.io_latency_ns") * 1000;
  return c;
}

I8237Module::I8237Module(sc_core::sc_module_name name, const I8237Config& cfg)
    : sc_module(name), io_socket("io_socket"), mem_socket("mem_socket"), cfg_(cfg) {
  io_socket.register_b_transport(this, &I8237Module::b_transport);
  io_socket.register_transport_dbg(this, &I8237Module::transport_dbg);
  // The controller holds no DMI pointers, so DMI invalidations need no callback.
  SC_THREAD(run);
}

void I8237Module::set_dreq(unsigned channel, bool level) {
  dma_.set_dreq(channel, level);
  if (level) wake_.notify(sc_core::SC_ZERO_TIME);
}

void I8237Module::set_isa_irq(unsigned line, bool level, Picos at) {
  line &= 15;
  bool was = (irq_lines_ >> line) & 1;
  irq_lines_ =
      static_cast<std::uint16_t>(level ? irq_lines_ | 1u << line : irq_lines_ & ~(1u << line));
  if (vcd_) vcd_->change(sig_irq_, irq_lines_, at);
  if (level && !was) {
    ++stats_.irqs;
    if (irq_sink_) irq_sink_(0x20 + line);
  }
}

void I8237Module::run() {
  for (;;) {
    if (dma_.pending() < 0) {
      sc_core::wait(wake_);
      continue;
    }
    // S0: HRQ raised, the 8237A idles until HLDA -- one DMA clock (a quarter of a
    // transfer's S1-S4). Priority is resolved when the bus is granted.
    sc_core::wait(ps_time(cfg_.cycle / 4));
    int ch = dma_.pending();
    if (ch < 0) continue;
    unsigned c = static_cast<unsigned>(ch);
    // Block mode: once granted, the channel keeps the bus until TC (8237A datasheet,
    // Block Transfer Mode); demand and single modes re-arbitrate after every cycle
    // (a card that drops DREQ on DACK makes them alike).
    bool block = dma_.chip(c).channel(c).service_mode() == DmaMode::block;
    bool tc = false;
    do {
      tc = cycle(c);
    } while (block && !tc && dma_.chip(c).enabled() && !dma_.chip(c).masked(c & 3));
  }
}

bool I8237Module::memory(std::uint32_t addr, unsigned width, bool write, std::uint16_t& data,
                         sc_core::sc_time& delay) {
  if (snoop_sink_) snoop_sink_(addr, width, write);
  trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  trans_.set_address(addr);
  trans_.set_data_ptr(reinterpret_cast<unsigned char*>(&data));  // little-endian host
  trans_.set_data_length(width);
  trans_.set_streaming_width(width);
  trans_.set_byte_enable_ptr(nullptr);
  trans_.set_dmi_allowed(false);
  trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  mem_socket->b_transport(trans_, delay);
  if (trans_.is_response_error()) {
    ++stats_.bus_errors;
    return false;
  }
  return true;
}

bool I8237Module::cycle(unsigned channel) {
  Picos start = to_ps(sc_core::sc_time_stamp());
  IsaDma::BusCycle b = dma_.transfer(channel);
  if (vcd_) {
    vcd_->change(sig_[channel].address, b.bus_address, start);
    vcd_->change(sig_[channel].active, 1, start);
  }
  std::uint16_t data = b.width == 2 ? 0xFFFF : 0xFF;  // an undriven ISA data bus
  DmaPeer* owner = nullptr;
  auto dack = [&](DmaTransfer t) {
    for (DmaPeer* p : peers_) {
      if (p->dack(channel, t, data)) {
        owner = p;
        return;
      }
    }
    ++stats_.unclaimed_dacks;
  };
  // DACK goes out at S1 and the card drops DREQ; the data moves in S2-S4 and EOP
  // comes with the last state of the terminal-count cycle.
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (b.transfer == DmaTransfer::write) {
    dack(DmaTransfer::write);  // the card drives the data, the controller writes memory
    memory(b.bus_address, b.width, true, data, delay);
  } else if (b.transfer == DmaTransfer::read) {
    memory(b.bus_address, b.width, false, data, delay);
    dack(DmaTransfer::read);  // the controller reads memory, the card latches the data
  } else {
    dack(DmaTransfer::verify);  // verify (and the illegal mode 11): addresses only
  }
  if (b.transfer == DmaTransfer::write || b.transfer == DmaTransfer::read) {
    ++stats_.transfers;
    stats_.bytes += b.width;
    stats_.channel_bytes[channel] += b.width;
  } else {
    ++stats_.verify_cycles;
  }
  DPRINTF_AT(Dma, start, name(), "channel {}: {} {} byte(s) at {:#08x}{}", channel,
             b.transfer == DmaTransfer::write  ? "device->memory"
             : b.transfer == DmaTransfer::read ? "memory->device"
                                               : "verify",
             b.width, b.bus_address, b.tc ? ", terminal count" : "");
  sc_core::wait(delay + ps_time(cfg_.cycle));
  if (b.tc) {
    ++stats_.tc;
    stats_.autoinit_reloads += b.reloaded;
    if (owner) owner->eop(channel);
  }
  if (vcd_) {
    Picos end = to_ps(sc_core::sc_time_stamp());
    vcd_->change(sig_[channel].active, 0, end);
    probe_channels(end, channel, channel);
  }
  return b.tc;
}

void I8237Module::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  std::uint64_t port = t.get_address();
  unsigned n = t.get_data_length();
  // The I/O space is 64 KB; accesses of 1 to 4 byte cycles, every port one of ours.
  t.set_response_status(simple_target_check(t, 0x10000, n <= 4));
  for (unsigned i = 0; t.is_response_ok() && i < n; ++i) {
    if (!IsaDma::claims(static_cast<std::uint16_t>(port + i)))
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }
  if (!t.is_response_ok()) {
    ++stats_.io_errors;
    return;
  }
  // The ISA bus splits a wider access into byte cycles at consecutive ports.
  unsigned char* d = t.get_data_ptr();
  for (unsigned i = 0; i < n; ++i) {
    std::uint16_t p = static_cast<std::uint16_t>(port + i);
    if (t.is_read()) {
      d[i] = dma_.io_read(p);
      ++stats_.io_reads;
    } else {
      DPRINTF_AT(Dma, to_ps(sc_core::sc_time_stamp() + delay), name(), "port {:#04x} <- {:#04x}", p,
                 d[i]);
      dma_.io_write(p, d[i]);
      ++stats_.io_writes;
    }
    delay += ps_time(cfg_.io_latency);
  }
  if (t.is_write()) wake_.notify(delay);  // an unmask or request may start a channel
  if (vcd_) probe_channels(to_ps(sc_core::sc_time_stamp() + delay), 0, 7);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned I8237Module::transport_dbg(tlm::tlm_generic_payload& t) {
  // Debug access has no side effects: address/count reads would toggle the flip-flop
  // and status reads would clear TC, so only the page registers answer.
  std::uint64_t port = t.get_address();
  unsigned n = t.get_data_length();
  if (!t.is_read()) return 0;
  unsigned done = 0;
  for (; done < n; ++done) {
    std::uint64_t p = port + done;
    if (p < 0x80 || p >= 0x90) break;
    t.get_data_ptr()[done] = dma_.io_read(static_cast<std::uint16_t>(p));
  }
  return done;
}

void I8237Module::probe_channels(Picos at, unsigned first, unsigned last) {
  for (unsigned ch = first; ch <= last; ++ch) {
    const I8237& chip = dma_.chip(ch);
    vcd_->change(sig_[ch].address, dma_.bus_address(ch), at);
    vcd_->change(sig_[ch].count, chip.channel(ch).count, at);
    vcd_->change(sig_[ch].tc, (chip.peek_status() >> (ch & 3)) & 1, at);
  }
}

void I8237Module::attach_vcd(VcdWriter& vcd) {
  vcd_ = &vcd;
  std::string me = name();
  for (unsigned ch = 0; ch < 8; ++ch) {
    const std::string c = "ch" + std::to_string(ch) + "_";
    sig_[ch].address = vcd.add(me, c + "address", 24);  // the 24-bit bus address
    sig_[ch].count = vcd.add(me, c + "count", 16);      // current count (N-1 .. 0xFFFF)
    sig_[ch].active = vcd.add(me, c + "active", 1);     // the channel owns the bus
    sig_[ch].tc = vcd.add(me, c + "tc", 1);             // status TC bit (cleared on read)
  }
  sig_irq_ = vcd.add(me, "irq", 16);  // ISA IRQ lines 15-0
}

void I8237Module::reset_stats() {
  stats_ = Stats{};
}

void I8237Module::report(StatsReport& r, const std::string& prefix) const {
  r.add(prefix + ".bytes", stats_.bytes, "bytes moved between memory and ISA cards");
  r.add(prefix + ".transfers", stats_.transfers,
        "DMA bus cycles with a memory access (one byte on DMA1, one word on DMA2)");
  r.add(prefix + ".verify_cycles", stats_.verify_cycles, "verify-mode cycles (no memory access)");
  r.add(prefix + ".tc", stats_.tc, "terminal counts reached");
  r.add(prefix + ".autoinit_reloads", stats_.autoinit_reloads,
        "auto-initialise reloads of base address and count");
  r.add(prefix + ".bus_errors", stats_.bus_errors,
        "DMA memory accesses answered with a TLM error (no DRAM at the 24-bit address)");
  r.add(prefix + ".unclaimed_dacks", stats_.unclaimed_dacks,
        "DMA cycles no card answered (software requests, or no card on the channel)");
  r.add(prefix + ".io_reads", stats_.io_reads, "controller and page-register port reads");
  r.add(prefix + ".io_writes", stats_.io_writes, "controller and page-register port writes");
  r.add(prefix + ".io_errors", stats_.io_errors, "port accesses answered with a TLM error");
  r.add(prefix + ".irqs", stats_.irqs, "ISA IRQ rising edges delivered to the core");
  for (unsigned ch = 0; ch < 8; ++ch) {
    if (ch == 4) continue;  // the cascade moves no data of its own
    r.add(prefix + ".ch" + std::to_string(ch) + ".bytes", stats_.channel_bytes[ch],
          "bytes moved on this channel");
  }
}

}  // namespace mmvp
