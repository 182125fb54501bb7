#include "hw/cpu/cpu_module.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hw/common/debug.h"
#include "hw/common/sc_time.h"

namespace mmvp {
namespace {

// CPUID.PCID on a core whose TLB arrays can hold PCID tags: the RTL twin cannot, so a
// core with one reports no PCID (software then runs without, as on an older part).
X86ArchConfig arch_config(X86ArchConfig a, const MmuConfig& mmu) {
  for (const auto* arrays : {&mmu.dtlb, &mmu.itlb, &mmu.stlb})
    for (const TlbArrayConfig& c : *arrays)
      if (c.entries && c.impl != "cpp") a.pcid_supported = false;
  return a;
}

}  // namespace

CpuCore::CpuCore(sc_core::sc_module_name name, const CpuConfig& cfg, const MmuConfig& mmu_cfg,
                 const CacheHierarchyConfig& cache_cfg)
    : sc_module(name),
      mem_socket("mem_socket"),
      io_socket("io_socket"),
      cfg_(cfg),
      mmu_(mmu_cfg, *this),
      arch_(arch_config(cfg.arch, mmu_cfg), mmu_),
      caches_(cache_cfg, *this),
      quantum_(cfg.quantum),
      instruction_time_(cfg.instruction_time) {
  if (sc_core::sc_get_time_resolution() != ps_time(1))
    throw std::logic_error("mmvp needs a SystemC time resolution of 1 ps");
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
  end_time_ = now();
  if (local_ > 0) sync();
  finished_ = true;
  if (probes_) probes_->flush_until(to_ps(sc_core::sc_time_stamp()));
  sc_core::sc_stop();
}

CpuidFeatures CpuCore::cpuid() const {
  CpuidFeatures f = arch_.cpuid();
  // CPUID.04H enumerates every level; software sizes by the last one there is.
  for (CacheLevel l : {CacheLevel::llc, CacheLevel::l2, CacheLevel::l1d}) {
    const Cache& c = caches_.level(l);
    if (c.present()) {
      f.last_level_cache_bytes = c.config().size;
      break;
    }
  }
  return f;
}

Picos CpuCore::now() const {
  return to_ps(sc_core::sc_time_stamp()) + local_;
}

void CpuCore::sync() {
  ++stats_.syncs;
  qk_.set(ps_time(local_));
  qk_.sync();
  local_ = 0;
  if (probes_) probes_->flush_until(to_ps(sc_core::sc_time_stamp()));
}

void CpuCore::charge(std::uint64_t cycles) {
  check_irqs();
  stats_.charged_cycles += cycles;
  local_ += cycles * cfg_.cycle;
  maybe_sync();
}

// ---- exceptions and interrupts ----------------------------------------------------

namespace {

// A load's or store's value (1, 2, 4 or 8 bytes, or a page split's part): fixed sizes
// as single moves, not a call to memmove (the data path of every access).
inline void copy_value(void* to, const void* from, unsigned size) {
  switch (size) {
    case 8:
      std::memcpy(to, from, 8);
      return;
    case 4:
      std::memcpy(to, from, 4);
      return;
    case 2:
      std::memcpy(to, from, 2);
      return;
    case 1:
      std::memcpy(to, from, 1);
      return;
    default:
      std::memcpy(to, from, size);
  }
}

}  // namespace

inline TranslateResult CpuCore::translate_once(LAddr la, AccessKind k) {
  translate_start_ = local_;
  walk_offset_ = 0;
  if (probes_) probes_->begin_translation(now());
  const TranslateResult r = mmu_.translate(la, k, arch_.paging());
  local_ += r.latency;
  stats_.translation_picos += r.latency;
  return r;
}

inline TranslateResult CpuCore::translate(LAddr la, AccessKind k) {
  const TranslateResult r = translate_once(la, k);
  if (__builtin_expect(r.fault == FaultKind::none, 1)) return r;
  return translate_faulting(la, k, r);
}

TranslateResult CpuCore::translate_faulting(LAddr la, AccessKind k, TranslateResult r) {
  for (unsigned attempt = 0;; ++attempt, r = translate_once(la, k)) {
    if (r.fault == FaultKind::none) return r;
    if (r.fault == FaultKind::bus_error) {
      machine_check(r.bus_error_pa, "page walk");
      continue;
    }
    const bool pf = r.fault == FaultKind::page_fault;
    ++(pf ? stats_.page_faults : stats_.gp_faults);
    deliver_exception(arch_.fault(la, k, pf, r.error_code, attempt));
  }
}

TranslateResult CpuCore::translate_checked(LAddr la, AccessKind k) {
  return translate(la, k);
}

void CpuCore::deliver_exception(const ExceptionInfo& info) {
  forget_functional_page();
  DPRINTF(Fault, name(), "{} at {:#x}, error code {:#x}, CPL {}", exception_name(info.vector),
          info.address, info.error_code, info.cpl);
  if (probes_) probes_->exception(info.vector, now());
  arch_.deliver_exception(info);
  if (probes_) probes_->exception(0, now());
}

std::int64_t CpuCore::syscall(const SyscallFrame& frame) {
  forget_functional_page();
  check_irqs();
  ++stats_.syscalls;
  DPRINTF(Fault, name(), "SYSCALL {} ({:#x}, {:#x}, {:#x})", frame.nr, frame.arg[0], frame.arg[1],
          frame.arg[2]);
  local_ += cfg_.syscall_cycles * cfg_.cycle;
  const std::int64_t rax = arch_.deliver_syscall(frame);
  maybe_sync();
  return rax;
}

void CpuCore::machine_check(PAddr pa, const char* what) {
  ++stats_.machine_checks;
  if (!arch_.has_exception_handler(vec::MC)) {
    throw CpuHalt(fmt::format(
        "{} at physical address {:#x}: no memory or device there (TLM_ADDRESS_ERROR_RESPONSE)",
        what, pa));
  }
  deliver_exception(arch_.machine_check(pa));
}

void CpuCore::set_if(bool enabled) {
  arch_.set_if(enabled);
  check_irqs();
}

void CpuCore::deliver_irqs() {
  while (arch_.irq_deliverable()) {
    const unsigned v = arch_.take_irq();
    if (v == 0) return;
    ++stats_.irqs;
    DPRINTF(Fault, name(), "IRQ vector {:#x}", v);
    if (probes_) probes_->irq(v, now());
    arch_.deliver_irq(v);
    if (probes_) probes_->irq(0, now());
  }
}

// ---- memory accesses --------------------------------------------------------------

bool CpuCore::transport(tlm_utils::simple_initiator_socket<CpuCore>& socket,
                        tlm::tlm_generic_payload& t, tlm::tlm_command cmd, std::uint64_t address,
                        void* data, unsigned size, Picos* at) {
  t.set_command(cmd);
  t.set_address(address);
  t.set_data_ptr(static_cast<unsigned char*>(data));
  t.set_data_length(size);
  t.set_streaming_width(size);
  t.set_byte_enable_ptr(nullptr);
  t.set_byte_enable_length(0);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = ps_time(*at);
  socket->b_transport(t, delay);
  *at = to_ps(delay);
  return t.is_response_ok();
}

std::uint8_t* CpuCore::request_dmi(PAddr pa, bool write) {
  tlm::tlm_dmi dmi;
  trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  trans_.set_address(pa);
  const PAddr frame = pa & ~(DmiTable::kFrameBytes - 1);
  if (!mem_socket->get_direct_mem_ptr(trans_, dmi) || dmi.get_start_address() > frame ||
      dmi.get_end_address() < frame + DmiTable::kFrameBytes - 1 ||
      !(write ? dmi.is_write_allowed() : dmi.is_read_allowed()))
    return nullptr;
  dmi_.insert(pa, dmi.get_dmi_ptr() + (frame - dmi.get_start_address()), dmi.is_write_allowed());
  return dmi_.find(pa, write);
}

Picos CpuCore::access_physical(PAddr pa, void* data, unsigned size, Requester who, bool write,
                               bool uncacheable, Picos at) {
  std::uint8_t* host = uncacheable ? nullptr : dmi_host(pa, write);
  if (host) {
    // Cacheable memory: the value through DMI, the time from the hierarchy (the value
    // first, so a write transaction the access causes carries it).
    if (data) copy_value(write ? host : data, write ? data : host, size);
    ++stats_.dmi_accesses;
    const Picos latency = caches_.access(pa, size, who, write, at);
    if (probes_)
      probes_->cache(who == Requester::inst ? CacheLevel::l1i : CacheLevel::l1d,
                     caches_.last_served(), cache_levels_present_, now());
    return latency;
  }
  // Uncacheable (a PCD page, or a device without DMI): the access itself on the bus.
  ++stats_.bus_accesses;
  if (!data) {
    if (write) std::memset(bus_scratch_.data(), 0, size);
    data = bus_scratch_.data();
  }
  Picos end = at;
  if (!transport(mem_socket, trans_, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, pa,
                 data, size, &end))
    machine_check(pa, write ? "store" : "load");
  return end - at;
}

Picos CpuCore::read_line(PAddr pa, unsigned bytes, Picos at) {
  Picos end = at;
  if (!transport(mem_socket, line_trans_, tlm::TLM_READ_COMMAND, pa, line_buf_.data(), bytes, &end))
    throw CpuHalt(
        fmt::format("line fill at physical {:#x} failed: the memory behind a cached "
                    "access answered with an error",
                    pa));
  return end - at;
}

Picos CpuCore::write_line(PAddr pa, unsigned bytes, Picos at) {
  // Memory already holds the line's values (they moved through DMI): the write-back
  // carries those same bytes, so it is timed without changing anything.
  const std::uint8_t* host = dmi_host(pa, false);
  if (host) std::memcpy(line_buf_.data(), host, bytes);
  Picos end = at;
  if (!host || !transport(mem_socket, line_trans_, tlm::TLM_WRITE_COMMAND, pa, line_buf_.data(),
                          bytes, &end))
    throw CpuHalt(fmt::format("write-back at physical {:#x} failed", pa));
  return end - at;
}

inline void CpuCore::access(LAddr la, void* data, unsigned size, AccessKind kind, bool dependent) {
  if (__builtin_expect(fast_forward_, 0)) return functional_access(la, data, size, kind);
  check_irqs();
  ++(kind == AccessKind::fetch   ? stats_.fetches
     : kind == AccessKind::write ? stats_.stores
                                 : stats_.loads);
  const bool write = kind == AccessKind::write;
  const Requester who = kind == AccessKind::fetch ? Requester::inst : Requester::data;
  const unsigned room = 4096 - static_cast<unsigned>(la & 4095);
  Picos start = 0;
  std::uint64_t exceptions = 0;
  if (probes_) {
    start = now();
    exceptions = stats_.page_faults + stats_.gp_faults + stats_.machine_checks;
  }
  // After a fault the access restarts once the handler returns: its probe starts with
  // the last translation attempt, so it is never stamped before the handler's own
  // changes (which are flushed to the waveform already).
  auto access_start = [&] {
    return stats_.page_faults + stats_.gp_faults + stats_.machine_checks == exceptions
               ? start
               : probes_->translation_start();
  };
  Picos latency;
  if (size <= room) {
    const TranslateResult r = translate(la, kind);
    latency = access_physical(r.pa, data, size, who, write, r.uncacheable, local_);
    if (probes_) probes_->access(la, r.pa, kind, access_start(), now() + latency);
  } else {
    ++stats_.page_splits;
    const TranslateResult r0 = translate(la, kind);
    const TranslateResult r1 = translate(la + room, kind);
    auto* bytes = static_cast<std::uint8_t*>(data);
    latency = access_physical(r0.pa, bytes, room, who, write, r0.uncacheable, local_);
    const Picos second = access_physical(r1.pa, bytes ? bytes + room : nullptr, size - room, who,
                                         write, r1.uncacheable, local_);
    if (second > latency) latency = second;
    if (probes_) probes_->access(la, r0.pa, kind, access_start(), now() + latency);
  }
  // A pipelined core hides a first-level hit behind other work; a dependent load (its
  // value is the next address, or software needs it now) waits for all of it. No
  // out-of-order overlap of misses is modelled: they stall the core.
  local_ += stall_beyond(latency, dependent ? 0 : caches_.first_level_hit(who));
  maybe_sync();
}

std::uint64_t CpuCore::load(LAddr la, unsigned size) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw CpuHalt("load of a size other than 1, 2, 4, 8");
  std::uint64_t value = 0;
  access(la, &value, size, AccessKind::read, true);
  return value;
}

void CpuCore::store(LAddr la, unsigned size, std::uint64_t value) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw CpuHalt("store of a size other than 1, 2, 4, 8");
  access(la, &value, size, AccessKind::write, false);
}

void CpuCore::store_burst(LAddr la, const void* data, unsigned size) {
  if (size == 0 || size > 64 || (la & 4095) + size > 4096)
    throw CpuHalt(
        fmt::format("store burst of {} bytes at {:#x}: 1 to 64 bytes within a page", size, la));
  // A store only reads its data.
  auto* bytes = static_cast<std::uint8_t*>(const_cast<void*>(data));
  if (fast_forward_) return functional_access(la, bytes, size, AccessKind::write);
  // The stores one by one where each must be seen (a waveform's probes) or is a bus
  // transaction of its own (uncacheable memory, a device).
  auto one_by_one = [&] {
    for (unsigned i = 0; i < size; i += 8)
      access(la + i, bytes + i, size - i < 8 ? size - i : 8, AccessKind::write, false);
  };
  if (probes_ || !caches_.cached(Requester::data)) return one_by_one();
  check_irqs();
  const TranslateResult r = translate(la, AccessKind::write);
  std::uint8_t* host = r.uncacheable ? nullptr : dmi_host(r.pa, true);
  if (!host) return one_by_one();
  stats_.stores += (size + 7) / 8;
  ++stats_.dmi_accesses;
  std::memcpy(host, bytes, size);
  // Each line's first store: what its access costs beyond a first-level hit (a store
  // is never dependent); the stores after it hit the first level.
  const PAddr line = caches_.line_bytes();
  const Picos hidden = caches_.first_level_hit(Requester::data);
  for (PAddr at = r.pa; at < r.pa + size;) {
    const PAddr next = std::min((at & ~(line - 1)) + line, r.pa + size);
    local_ += stall_beyond(
        caches_.access(at, static_cast<unsigned>(next - at), Requester::data, true, local_),
        hidden);
    at = next;
  }
  maybe_sync();
}

void CpuCore::touch(LAddr la, unsigned size, AccessKind kind, bool dependent) {
  // A record longer than a page is a run of page-sized accesses.
  for (;;) {
    const unsigned n = size > 4096 ? 4096 : size;
    access(la, nullptr, n, kind, dependent);
    if (n == size) return;
    la += n;
    size -= n;
  }
}

void CpuCore::retire(std::uint64_t n) {
  if (fast_forward_) return;  // no count, no time
  check_irqs();
  stats_.instructions += n;
  local_ += n * instruction_time_;
  maybe_sync();
}

bool CpuCore::walker_transport(tlm::tlm_command cmd, PAddr pa, std::uint64_t& value,
                               Picos& latency) {
  // A walk is a chain of dependent reads: each costs its whole latency, from the time
  // the walk reached it.
  const bool write = cmd == tlm::TLM_WRITE_COMMAND;
  const Picos at = translate_start_ + walk_offset_;
  if (std::uint8_t* host = dmi_host(pa, write)) {
    std::memcpy(write ? host : reinterpret_cast<std::uint8_t*>(&value),
                write ? reinterpret_cast<std::uint8_t*>(&value) : host, 8);
    latency = caches_.access(pa, 8, Requester::walker, write, at);
    if (probes_)
      probes_->cache(caches_.walker_entry(), caches_.last_served(), cache_levels_present_,
                     to_ps(sc_core::sc_time_stamp()) + at);
  } else {
    // Paging structures outside cacheable memory: uncached accesses, or a bus error.
    Picos end = at;
    if (!transport(mem_socket, trans_, cmd, pa, &value, 8, &end)) return false;
    latency = end - at;
  }
  walk_offset_ += latency;
  return true;
}

// ---- control registers, TLB maintenance, I/O ----------------------------------------

void CpuCore::write_cr(unsigned n, std::uint64_t value) {
  forget_functional_page();
  check_irqs();
  arch_.write_cr(n, value);
  if (n == 3) {
    ++stats_.cr3_writes;
    if (probes_) probes_->cr3(value, now());
  }
}

void CpuCore::invlpg(LAddr la) {
  forget_functional_page();
  check_irqs();
  mmu_.invlpg(la);
}

void CpuCore::invpcid(unsigned type, std::uint64_t pcid, LAddr la) {
  forget_functional_page();
  check_irqs();
  arch_.invpcid(type, pcid, la);
}

void CpuCore::wbinvd() {
  check_irqs();
  // The instruction completes when the last write-back has (SDM: WBINVD waits for them).
  local_ += caches_.write_back_and_invalidate(local_);
  maybe_sync();
}

void CpuCore::set_cpl(unsigned cpl) {
  forget_functional_page();
  arch_.set_cpl(cpl);
  if (probes_) probes_->cpl(arch_.cpl(), now());
}

std::uint32_t CpuCore::port_io(tlm::tlm_command cmd, std::uint16_t port, unsigned size,
                               std::uint32_t value) {
  forget_functional_page();
  check_irqs();
  ++stats_.io_accesses;
  transport(io_socket, io_trans_, cmd, port, &value, size, &local_);
  maybe_sync();
  return value;
}

std::uint32_t CpuCore::in(std::uint16_t port, unsigned size) {
  return port_io(tlm::TLM_READ_COMMAND, port, size, 0);
}

void CpuCore::out(std::uint16_t port, unsigned size, std::uint32_t value) {
  port_io(tlm::TLM_WRITE_COMMAND, port, size, value);
}

// ---- observability ----------------------------------------------------------------

void CpuCore::reset_stats() {
  stats_ = CpuStats{};
  epoch_ = now();
  mmu_.reset_stats();
  caches_.reset_stats();
  if (reset_hook_) reset_hook_();
}

void CpuCore::attach_vcd(VcdWriter& vcd) {
  for (unsigned l = 0; l < kCacheLevels; ++l)
    if (caches_.level(static_cast<CacheLevel>(l)).present()) cache_levels_present_ |= 1u << l;
  probes_ = std::make_unique<CpuProbes>(vcd, name(), cfg_.cycle);
  mmu_.attach_vcd(vcd, std::string(name()) + ".mmu", [this] { return now(); });
  mmu_.set_observer(probes_.get());
}

void CpuCore::report(StatsReport& r, const std::string& prefix) const {
  report_cpu_stats(stats_, (end_time() - epoch_) / cfg_.cycle, cfg_.cycle, r, prefix);
}

}  // namespace mmvp
