#include "hw/bus/router_module.h"

#include <algorithm>
#include <cstring>

namespace mmvp {

Router::Router(sc_core::sc_module_name name, bool unmapped_reads_ones)
    : sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      unmapped_reads_ones_(unmapped_reads_ones) {
  target_socket.register_b_transport(this, &Router::b_transport);
  target_socket.register_transport_dbg(this, &Router::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::map(std::uint64_t base, std::uint64_t size, unsigned target, std::uint64_t offset,
                 std::string name) {
  for (const auto& r : regions_) {
    if (base < r.base + r.size && r.base < base + size)
      throw std::logic_error(std::string(this->name()) + ": " + name + " overlaps " + r.name);
  }
  regions_.push_back({base, size, target, offset, std::move(name)});
  std::sort(regions_.begin(), regions_.end(),
            [](const Region& a, const Region& b) { return a.base < b.base; });
  last_ = nullptr;
}

const Router::Region* Router::decode(std::uint64_t addr, std::uint64_t len) const {
  auto inside = [&](const Region* r) {
    return addr >= r->base && addr - r->base < r->size && len <= r->size - (addr - r->base);
  };
  if (last_ && inside(last_)) return last_;
  for (const auto& r : regions_) {
    if (inside(&r)) {
      last_ = &r;
      return &r;
    }
  }
  return nullptr;
}

void Router::b_transport(int, tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  std::uint64_t addr = t.get_address();
  const Region* r = decode(addr, t.get_data_length());
  if (!r) {
    if (unmapped_reads_ones_) {
      if (t.is_read()) std::memset(t.get_data_ptr(), 0xFF, t.get_data_length());
      t.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
      ++address_errors_;
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
    return;
  }
  t.set_address(addr - r->base + r->offset);
  initiator_socket[r->target]->b_transport(t, delay);
  t.set_address(addr);
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& t) {
  std::uint64_t addr = t.get_address();
  const Region* r = decode(addr, t.get_data_length());
  if (!r) return 0;
  t.set_address(addr - r->base + r->offset);
  unsigned n = initiator_socket[r->target]->transport_dbg(t);
  t.set_address(addr);
  return n;
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
  std::uint64_t addr = t.get_address();
  const Region* r = decode(addr, 1);
  if (!r) return false;
  t.set_address(addr - r->base + r->offset);
  bool ok = initiator_socket[r->target]->get_direct_mem_ptr(t, dmi);
  t.set_address(addr);
  // Translate the granted range back into this router's address space, clipped to
  // the region.
  std::uint64_t lo = std::max<std::uint64_t>(dmi.get_start_address(), r->offset);
  std::uint64_t hi = std::min<std::uint64_t>(dmi.get_end_address(), r->offset + r->size - 1);
  if (lo > hi) return false;
  dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (lo - dmi.get_start_address()));
  dmi.set_start_address(lo - r->offset + r->base);
  dmi.set_end_address(hi - r->offset + r->base);
  return ok;
}

void Router::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const auto& r : regions_) {
    if (static_cast<int>(r.target) != id) continue;
    std::uint64_t lo = std::max<std::uint64_t>(start, r.offset);
    std::uint64_t hi = std::min<std::uint64_t>(end, r.offset + r.size - 1);
    if (lo > hi) continue;
    for (unsigned i = 0; i < target_socket.size(); ++i)
      target_socket[i]->invalidate_direct_mem_ptr(lo - r.offset + r.base, hi - r.offset + r.base);
  }
}

}  // namespace mmvp
