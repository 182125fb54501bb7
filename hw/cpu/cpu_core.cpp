#include "hw/cpu/cpu_core.h"

#include <fmt/format.h>

#include <cstring>

#include "hw/bus/sc_time_ps.h"

namespace mmvp {
namespace {

const char* vector_name(unsigned v) {
  switch (v) {
    case vec::PF:
      return "#PF";
    case vec::GP:
      return "#GP";
    case vec::MC:
      return "#MC";
    default:
      return "exception";
  }
}

// Restores the interrupted context when a handler returns or unwinds (IRET).
struct HandlerFrame {
  PagingContext& ctx;
  bool& if_flag;
  unsigned& depth;
  unsigned saved_cpl;
  bool saved_ac, saved_if;
  HandlerFrame(PagingContext& c, bool& f, unsigned& d)
      : ctx(c), if_flag(f), depth(d), saved_cpl(c.cpl), saved_ac(c.ac), saved_if(f) {
    // Delivery through an interrupt gate: CPL 0, IF and AC cleared (SDM Vol. 3A 6.12.1).
    ctx.cpl = 0;
    ctx.ac = false;
    if_flag = false;
    ++depth;
  }
  ~HandlerFrame() {
    ctx.cpl = saved_cpl;
    ctx.ac = saved_ac;
    if_flag = saved_if;
    --depth;
  }
};

}  // namespace

CpuConfig CpuConfig::from_params(const Params& p) {
  CpuConfig c;
  c.cycle = 1000000 / p.u64("cpu.freq_mhz");
  c.quantum = p.u64("sim.quantum_ns") * 1000;
  c.maxphyaddr = static_cast<unsigned>(p.u64("mem.maxphyaddr"));
  return c;
}

void declare_cpu_params(Params& p) {
  p.declare({"cpu.freq_mhz", ParamType::integer, "3000", "core clock in MHz", 100, 10000});
  p.declare({"cpu.la57", ParamType::boolean, "false",
             "CPUID reports 5-level paging: software may set CR4.LA57"});
  p.declare({"sim.quantum_ns", ParamType::integer, "10000",
             "temporal-decoupling quantum in ns; 0 = lock-step (every access synchronises, "
             "no DMI)",
             0, 1000000000});
}

CpuCore::CpuCore(sc_core::sc_module_name name, const CpuConfig& cfg, const MmuConfig& mmu_cfg)
    : sc_module(name),
      mem_socket("mem_socket"),
      io_socket("io_socket"),
      cfg_(cfg),
      mmu_(mmu_cfg, *this) {
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::logic_error("mmvp needs a SystemC time resolution of 1 ps");
  quantum_ = cfg.quantum;
  use_dmi_ = cfg.quantum > 0;
  tlm::tlm_global_quantum::instance().set(ps_time(cfg.quantum));
  qk_.reset();
  mem_socket.register_invalidate_direct_mem_ptr(this, &CpuCore::invalidate_dmi);
  SC_THREAD(run);
}

void CpuCore::run() {
  try {
    if (program_) program_(*this);
  } catch (const sc_core::sc_unwind_exception&) {
    throw;
  } catch (...) {
    error_ = std::current_exception();
  }
  end_time_ = now_ps();
  if (local_ > 0) sync();
  finished_ = true;
  if (vcd_) vcd_->flush_until(to_ps(sc_core::sc_time_stamp()));
  sc_core::sc_stop();
}

Picos CpuCore::now_ps() const {
  return to_ps(sc_core::sc_time_stamp()) + local_;
}

void CpuCore::sync() {
  ++stats_.syncs;
  qk_.set(ps_time(local_));
  qk_.sync();
  local_ = 0;
  if (vcd_) vcd_->flush_until(to_ps(sc_core::sc_time_stamp()));
}

std::uint64_t CpuCore::cycles() const {
  return now_ps() / cfg_.cycle;
}

void CpuCore::charge(std::uint64_t cycles) {
  check_irqs();
  stats_.charged_cycles += cycles;
  advance(cycles * cfg_.cycle);
}

// ---- translation and exceptions -------------------------------------------------

PAddr CpuCore::translate(LAddr la, AccessKind k) {
  for (unsigned attempt = 0;; ++attempt) {
    translate_start_ = local_;
    walk_offset_ = 0;
    TranslateResult r = mmu_.translate(la, k, ctx_);
    local_ += r.latency;
    if (r.fault == FaultKind::none) return r.pa;
    if (attempt >= cfg_.max_fault_retries) {
      throw CpuHalt(
          fmt::format("access to {:#x} still faults after {} handler runs (error code {:#x})", la,
                      attempt, r.error_code));
    }
    ExceptionInfo info;
    info.address = la;
    info.kind = k;
    info.cpl = ctx_.cpl;
    if (r.fault == FaultKind::page_fault) {
      ++stats_.page_faults;
      cr2_ = la;  // SDM 4.7: CR2 holds the linear address that caused the fault
      info.vector = vec::PF;
      info.error_code = r.error_code;
    } else if (r.fault == FaultKind::general_protection) {
      ++stats_.gp_faults;
      info.vector = vec::GP;
    } else {
      machine_check(r.bus_error_pa, "page walk");
      continue;
    }
    deliver_exception(info);
  }
}

void CpuCore::deliver_exception(const ExceptionInfo& info) {
  const ExceptionHandler& h = info.vector < exception_handlers_.size()
                                  ? exception_handlers_[info.vector]
                                  : exception_handlers_[0];
  if (info.vector >= exception_handlers_.size() || !h) {
    throw CpuHalt(fmt::format("unhandled {} at linear address {:#x}, error code {:#x}, CPL {}",
                              vector_name(info.vector), info.address, info.error_code, info.cpl));
  }
  if (exception_depth_ >= 8)
    throw CpuHalt(fmt::format("{} nested 8 deep at {:#x}: software faults in its own handlers",
                              vector_name(info.vector), info.address));
  if (vcd_) vcd_->change(sig_.fault, info.vector, now_ps());
  {
    HandlerFrame frame(ctx_, if_, exception_depth_);
    h(info);
  }
  if (vcd_) vcd_->change(sig_.fault, 0, now_ps());
}

void CpuCore::machine_check(PAddr pa, const char* what) {
  ++stats_.machine_checks;
  ExceptionInfo info;
  info.vector = vec::MC;
  info.address = pa;
  info.cpl = ctx_.cpl;
  if (!exception_handlers_[vec::MC]) {
    throw CpuHalt(
        fmt::format("{} at physical address {:#x}: no memory or device there "
                    "(TLM_ADDRESS_ERROR_RESPONSE)",
                    what, pa));
  }
  deliver_exception(info);
}

void CpuCore::set_exception_handler(unsigned vector, ExceptionHandler h) {
  if (vector >= exception_handlers_.size()) throw CpuHalt("exception vector out of range");
  exception_handlers_[vector] = std::move(h);
}

void CpuCore::set_irq_handler(unsigned vector, IrqHandler h) {
  if (vector < 32 || vector >= irq_handlers_.size())
    throw CpuHalt(fmt::format("IRQ vector {} outside 32..255", vector));
  irq_handlers_[vector] = std::move(h);
}

void CpuCore::raise_irq(unsigned vector) {
  if (vector < 32 || vector >= irq_lines_.size()) return;
  irq_lines_[vector] = true;
  irq_pending_ = true;
}

void CpuCore::set_if(bool enabled) {
  if_ = enabled;
  check_irqs();
}

void CpuCore::deliver_irqs() {
  // Highest vector first, as the local APIC prioritises.
  while (irq_pending_ && if_) {
    unsigned v = 0;
    for (unsigned i = irq_lines_.size(); i-- > 32;) {
      if (irq_lines_[i]) {
        v = i;
        break;
      }
    }
    if (v == 0) {
      irq_pending_ = false;
      return;
    }
    irq_lines_[v] = false;
    ++stats_.irqs;
    if (!irq_handlers_[v]) throw CpuHalt(fmt::format("IRQ vector {} raised with no handler", v));
    if (vcd_) vcd_->change(sig_.irq, v, now_ps());
    {
      HandlerFrame frame(ctx_, if_, exception_depth_);
      irq_handlers_[v](v);
    }
    if (vcd_) vcd_->change(sig_.irq, 0, now_ps());
  }
}

// ---- memory accesses --------------------------------------------------------------

bool CpuCore::bus_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  t.set_byte_enable_ptr(nullptr);
  t.set_byte_enable_length(0);
  t.set_streaming_width(t.get_data_length());
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  mem_socket->b_transport(t, delay);
  return t.is_response_ok();
}

void CpuCore::access_physical(PAddr pa, void* data, unsigned size, bool write) {
  if (use_dmi_) {
    std::uint64_t frame = pa >> 12;
    DmiEntry* e = &dmi_[frame & (kDmiEntries - 1)];
    if (e->frame != frame || (write && !e->writable)) {
      // Ask the target for a pointer to this frame.
      tlm::tlm_dmi dmi;
      trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      trans_.set_address(pa);
      bool granted = mem_socket->get_direct_mem_ptr(trans_, dmi) &&
                     dmi.get_start_address() <= (frame << 12) &&
                     dmi.get_end_address() >= (frame << 12) + 4095 &&
                     (write ? dmi.is_write_allowed() : dmi.is_read_allowed());
      if (granted) {
        e->frame = frame;
        e->host = dmi.get_dmi_ptr() + ((frame << 12) - dmi.get_start_address());
        e->writable = dmi.is_write_allowed();
        dmi_read_latency_ = to_ps(dmi.get_read_latency());
        dmi_write_latency_ = to_ps(dmi.get_write_latency());
      } else {
        e = nullptr;
      }
    }
    if (e) {
      std::uint8_t* host = e->host + (pa & 4095);
      if (write) {
        if (data) std::memcpy(host, data, size);
        local_ += dmi_write_latency_;
      } else {
        if (data) std::memcpy(data, host, size);
        local_ += dmi_read_latency_;
      }
      ++stats_.dmi_accesses;
      return;
    }
  }
  ++stats_.bus_accesses;
  // A data-less access (a replayed trace record) still moves bytes on the bus: zeros
  // for a store (the trace has no values), a scratch buffer for a load.
  alignas(8) static std::uint8_t scratch[4096];
  if (!data) {
    if (write) std::memset(scratch, 0, size);
    data = scratch;
  }
  trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  trans_.set_address(pa);
  trans_.set_data_ptr(static_cast<unsigned char*>(data));
  trans_.set_data_length(size);
  sc_core::sc_time delay = ps_time(local_);
  bool ok = bus_transport(trans_, delay);
  local_ = to_ps(delay);
  if (!ok) machine_check(pa, write ? "store" : "load");
}

void CpuCore::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end) {
  for (auto& e : dmi_) {
    if (e.frame != ~0ULL && (e.frame << 12) <= end && (e.frame << 12) + 4095 >= start)
      e = DmiEntry{};
  }
}

void CpuCore::probe_access(LAddr la, PAddr pa, AccessKind k, Picos start) {
  vcd_->change(sig_.la, la, start);
  vcd_->change(sig_.pa, pa, start);
  vcd_->change(sig_.access, static_cast<unsigned>(k) + 1, start);
  vcd_->change(sig_.access, 0, now_ps());
}

void CpuCore::touch(LAddr la, unsigned size, AccessKind kind) {
  check_irqs();
  if (kind == AccessKind::fetch)
    ++stats_.fetches;
  else if (kind == AccessKind::write)
    ++stats_.stores;
  else
    ++stats_.loads;
  for (;;) {
    unsigned room = 4096 - static_cast<unsigned>(la & 4095);
    unsigned n = size < room ? size : room;
    Picos start = vcd_ ? now_ps() : 0;
    PAddr pa = translate(la, kind);
    access_physical(pa, nullptr, n, kind == AccessKind::write);
    if (vcd_) probe_access(la, pa, kind, start);
    if (n == size) break;
    ++stats_.page_splits;  // the rest lies on the next page
    la += n;
    size -= n;
  }
  if (local_ >= quantum_ && local_ > 0) sync();
}

std::uint64_t CpuCore::load(LAddr la, unsigned size) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw CpuHalt("load of a size other than 1, 2, 4, 8");
  check_irqs();
  ++stats_.loads;
  std::uint64_t value = 0;
  unsigned room = 4096 - static_cast<unsigned>(la & 4095);
  Picos start = vcd_ ? now_ps() : 0;
  if (size <= room) {
    PAddr pa = translate(la, AccessKind::read);
    access_physical(pa, &value, size, false);
    if (vcd_) probe_access(la, pa, AccessKind::read, start);
  } else {
    // Both pages are translated (and may fault) before any byte is read.
    ++stats_.page_splits;
    PAddr pa0 = translate(la, AccessKind::read);
    PAddr pa1 = translate(la + room, AccessKind::read);
    auto* bytes = reinterpret_cast<std::uint8_t*>(&value);
    access_physical(pa0, bytes, room, false);
    access_physical(pa1, bytes + room, size - room, false);
  }
  if (local_ >= quantum_ && local_ > 0) sync();
  return value;
}

void CpuCore::store(LAddr la, unsigned size, std::uint64_t value) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw CpuHalt("store of a size other than 1, 2, 4, 8");
  check_irqs();
  ++stats_.stores;
  unsigned room = 4096 - static_cast<unsigned>(la & 4095);
  Picos start = vcd_ ? now_ps() : 0;
  if (size <= room) {
    PAddr pa = translate(la, AccessKind::write);
    access_physical(pa, &value, size, true);
    if (vcd_) probe_access(la, pa, AccessKind::write, start);
  } else {
    ++stats_.page_splits;
    PAddr pa0 = translate(la, AccessKind::write);
    PAddr pa1 = translate(la + room, AccessKind::write);
    auto* bytes = reinterpret_cast<std::uint8_t*>(&value);
    access_physical(pa0, bytes, room, true);
    access_physical(pa1, bytes + room, size - room, true);
  }
  if (local_ >= quantum_ && local_ > 0) sync();
}

// ---- the page walker's port -------------------------------------------------------

bool CpuCore::read_pte(PAddr pa, std::uint64_t& value, Picos& latency) {
  trans_.set_command(tlm::TLM_READ_COMMAND);
  trans_.set_address(pa);
  trans_.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  trans_.set_data_length(8);
  Picos start = translate_start_ + walk_offset_;
  sc_core::sc_time delay = ps_time(start);
  bool ok = bus_transport(trans_, delay);
  latency = to_ps(delay) - start;
  walk_offset_ += latency;
  return ok;
}

bool CpuCore::write_pte(PAddr pa, std::uint64_t value, Picos& latency) {
  trans_.set_command(tlm::TLM_WRITE_COMMAND);
  trans_.set_address(pa);
  trans_.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  trans_.set_data_length(8);
  Picos start = translate_start_ + walk_offset_;
  sc_core::sc_time delay = ps_time(start);
  bool ok = bus_transport(trans_, delay);
  latency = to_ps(delay) - start;
  walk_offset_ += latency;
  return ok;
}

// ---- control registers, MSRs, TLB maintenance, I/O ---------------------------------

std::uint64_t CpuCore::read_cr(unsigned n) {
  switch (n) {
    case 0:
      return ctx_.cr0;
    case 2:
      return cr2_;
    case 3:
      return ctx_.cr3;
    case 4:
      return ctx_.cr4;
    default:
      throw CpuHalt(fmt::format("MOV from CR{}: no such control register", n));
  }
}

void CpuCore::write_cr(unsigned n, std::uint64_t value) {
  check_irqs();
  switch (n) {
    case 0: {
      if ((value & cr0::PG) && !(value & cr0::PE))
        throw CpuHalt("MOV to CR0: PG=1 with PE=0 (#GP)");
      if ((value & cr0::PG) && !((ctx_.cr4 & cr4::PAE) && (ctx_.efer & efer::LME)))
        throw CpuHalt(
            "MOV to CR0: PG=1 needs CR4.PAE and EFER.LME (only IA-32e paging is modelled)");
      std::uint64_t changed = ctx_.cr0 ^ value;
      ctx_.cr0 = value;
      if (value & cr0::PG)
        ctx_.efer |= efer::LMA;
      else
        ctx_.efer &= ~efer::LMA;
      // SDM 4.10.4.1: MOV to CR0 that changes PG invalidates all TLB entries.
      if (changed & (cr0::PG | cr0::WP)) mmu_.flush_all();
      break;
    }
    case 2:
      cr2_ = value;
      break;
    case 3: {
      // Bits 51:MAXPHYADDR of CR3 are reserved (SDM 4.5, Table 4-12): #GP.
      std::uint64_t reserved = ~((1ULL << cfg_.maxphyaddr) - 1) & ((1ULL << 52) - 1);
      if (value & reserved)
        throw CpuHalt(fmt::format("MOV to CR3 {:#x}: bits at or above MAXPHYADDR {} (#GP)", value,
                                  cfg_.maxphyaddr));
      ctx_.cr3 = value;
      ++stats_.cr3_writes;
      // SDM 4.10.4.1: MOV to CR3 invalidates all non-global entries (all with PGE = 0).
      if (ctx_.cr4 & cr4::PGE)
        mmu_.flush_non_global();
      else
        mmu_.flush_all();
      if (vcd_) vcd_->change(sig_.cr3, value, now_ps());
      break;
    }
    case 4: {
      std::uint64_t changed = ctx_.cr4 ^ value;
      if ((value & cr4::LA57) && !mmu_.config().la57_supported)
        throw CpuHalt("MOV to CR4: LA57 set but cpu.la57 is false (#GP)");
      if ((changed & cr4::LA57) && (ctx_.efer & efer::LMA))
        throw CpuHalt("MOV to CR4: LA57 changed in IA-32e mode (#GP)");
      ctx_.cr4 = value;
      // SDM 4.10.4.1: changing PGE, PAE, SMEP (or LA57) invalidates all TLB entries.
      if (changed & (cr4::PGE | cr4::PAE | cr4::SMEP | cr4::LA57)) mmu_.flush_all();
      break;
    }
    default:
      throw CpuHalt(fmt::format("MOV to CR{}: no such control register", n));
  }
}

std::uint64_t CpuCore::rdmsr(std::uint32_t index) {
  if (index == msr::EFER) return ctx_.efer;
  throw CpuHalt(fmt::format("RDMSR {:#x}: MSR not modelled (#GP)", index));
}

void CpuCore::wrmsr(std::uint32_t index, std::uint64_t value) {
  if (index != msr::EFER) throw CpuHalt(fmt::format("WRMSR {:#x}: MSR not modelled (#GP)", index));
  if ((value ^ ctx_.efer) & efer::LME && (ctx_.cr0 & cr0::PG))
    throw CpuHalt("WRMSR EFER: LME changed with paging on (#GP)");
  std::uint64_t changed = ctx_.efer ^ value;
  ctx_.efer = (value & ~efer::LMA) | (ctx_.efer & efer::LMA);  // LMA is read-only
  // Cached translations carry XD as seen under the old NXE.
  if (changed & efer::NXE) mmu_.flush_all();
}

void CpuCore::invlpg(LAddr la) {
  check_irqs();
  mmu_.invlpg(la);
}

void CpuCore::set_cpl(unsigned cpl) {
  ctx_.cpl = cpl == 3 ? 3 : 0;
  if (vcd_) vcd_->change(sig_.cpl, ctx_.cpl, now_ps());
}

std::uint32_t CpuCore::in(std::uint16_t port, unsigned size) {
  check_irqs();
  ++stats_.io_accesses;
  std::uint32_t v = 0;
  io_trans_.set_command(tlm::TLM_READ_COMMAND);
  io_trans_.set_address(port);
  io_trans_.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  io_trans_.set_data_length(size);
  io_trans_.set_streaming_width(size);
  io_trans_.set_byte_enable_ptr(nullptr);
  io_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = ps_time(local_);
  io_socket->b_transport(io_trans_, delay);
  local_ = to_ps(delay);
  if (local_ >= quantum_ && local_ > 0) sync();
  return v;
}

void CpuCore::out(std::uint16_t port, unsigned size, std::uint32_t value) {
  check_irqs();
  ++stats_.io_accesses;
  io_trans_.set_command(tlm::TLM_WRITE_COMMAND);
  io_trans_.set_address(port);
  io_trans_.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  io_trans_.set_data_length(size);
  io_trans_.set_streaming_width(size);
  io_trans_.set_byte_enable_ptr(nullptr);
  io_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = ps_time(local_);
  io_socket->b_transport(io_trans_, delay);
  local_ = to_ps(delay);
  if (local_ >= quantum_ && local_ > 0) sync();
}

// ---- observability ----------------------------------------------------------------

void CpuCore::mark_routine(std::uint32_t id) {
  if (vcd_) vcd_->change(sig_.routine, id, now_ps());
}

void CpuCore::reset_stats() {
  stats_ = CpuStats{};
  epoch_ = now_ps();
  mmu_.reset_stats();
  if (reset_hook_) reset_hook_();
}

void CpuCore::attach_vcd(VcdWriter& vcd) {
  vcd_ = &vcd;
  std::string cpu = name();
  sig_.cr3 = vcd.add(cpu, "cr3", 64);
  sig_.cpl = vcd.add(cpu, "cpl", 2);
  sig_.la = vcd.add(cpu, "linear_addr", 64);
  sig_.pa = vcd.add(cpu, "phys_addr", 64);
  sig_.access = vcd.add(cpu, "access", 2);  // 0 idle, 1 read, 2 write, 3 fetch
  sig_.fault = vcd.add(cpu, "exception", 8);
  sig_.irq = vcd.add(cpu, "irq", 8);
  sig_.routine = vcd.add(cpu, "routine", 16);
  sig_.l1d_hit = vcd.add(cpu + ".mmu.dtlb", "hit", 1);
  sig_.l1d_miss = vcd.add(cpu + ".mmu.dtlb", "miss", 1);
  sig_.l1i_hit = vcd.add(cpu + ".mmu.itlb", "hit", 1);
  sig_.l1i_miss = vcd.add(cpu + ".mmu.itlb", "miss", 1);
  sig_.l2_hit = vcd.add(cpu + ".mmu.stlb", "hit", 1);
  sig_.l2_miss = vcd.add(cpu + ".mmu.stlb", "miss", 1);
  sig_.walk_active = vcd.add(cpu + ".mmu.walker", "active", 1);
  sig_.walk_level = vcd.add(cpu + ".mmu.walker", "level", 3);
  mmu_.attach_vcd(vcd, cpu + ".mmu", [this] { return now_ps(); });
  mmu_.set_observer(this);
}

void CpuCore::tlb_result(TlbLevel level, bool hit, Picos offset) {
  Picos t = to_ps(sc_core::sc_time_stamp()) + translate_start_ + offset;
  VcdWriter::Signal s;
  switch (level) {
    case TlbLevel::l1d:
      s = hit ? sig_.l1d_hit : sig_.l1d_miss;
      break;
    case TlbLevel::l1i:
      s = hit ? sig_.l1i_hit : sig_.l1i_miss;
      break;
    default:
      s = hit ? sig_.l2_hit : sig_.l2_miss;
      break;
  }
  vcd_->change(s, 1, t);
  vcd_->change(s, 0, t + cfg_.cycle);
}

void CpuCore::walk_level(unsigned level, Picos offset) {
  Picos t = to_ps(sc_core::sc_time_stamp()) + translate_start_ + offset;
  vcd_->change(sig_.walk_active, level != 0, t);
  vcd_->change(sig_.walk_level, level, t);
}

void CpuCore::report(StatsReport& r, const std::string& prefix) const {
  const auto& s = stats_;
  r.add(prefix + ".loads", s.loads, "data loads issued by software");
  r.add(prefix + ".stores", s.stores, "data stores issued by software");
  r.add(prefix + ".fetches", s.fetches, "instruction fetches issued by software");
  r.add(prefix + ".page_splits", s.page_splits,
        "accesses straddling a 4 KB page (translated twice)");
  r.add(prefix + ".page_faults", s.page_faults, "#PF delivered");
  r.add(prefix + ".gp_faults", s.gp_faults, "#GP delivered (non-canonical addresses)");
  r.add(prefix + ".machine_checks", s.machine_checks, "accesses with no memory behind them");
  r.add(prefix + ".irqs", s.irqs, "interrupts delivered");
  r.add(prefix + ".cr3_writes", s.cr3_writes, "MOV to CR3 (address-space switches)");
  r.add(prefix + ".io_accesses", s.io_accesses, "IN/OUT instructions");
  r.add(prefix + ".dmi_accesses", s.dmi_accesses, "data accesses through DMI pointers (fast mode)");
  r.add(prefix + ".bus_accesses", s.bus_accesses, "data accesses by b_transport");
  r.add(prefix + ".syncs", s.syncs, "synchronisations with the SystemC kernel");
  r.add(prefix + ".charged_cycles", s.charged_cycles, "cycles charged for non-memory work");
  r.add(prefix + ".cycles", (end_time() - epoch_) / cfg_.cycle,
        "simulated core cycles (since the last statistics reset)");
}

}  // namespace mmvp
