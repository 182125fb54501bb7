// A TLM-2.0 router: several initiators, several targets, an address map. Used twice
// in the platform, for the physical memory space and for the I/O-port space.
// An address no target claims answers TLM_ADDRESS_ERROR_RESPONSE (memory space) or
// reads as all ones and ignores writes (I/O space, as on a PC's ISA bus).
#pragma once
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace mmvp {

class Router : public sc_core::sc_module {
 public:
  // Zero or more initiators and targets (the I/O bus may have no device yet).
  tlm_utils::multi_passthrough_target_socket<Router, 32, tlm::tlm_base_protocol_types, 0,
                                             sc_core::SC_ZERO_OR_MORE_BOUND>
      target_socket;
  tlm_utils::multi_passthrough_initiator_socket<Router, 32, tlm::tlm_base_protocol_types, 0,
                                                sc_core::SC_ZERO_OR_MORE_BOUND>
      initiator_socket;

  Router(sc_core::sc_module_name name, bool unmapped_reads_ones);

  // Claims [base, base + size) for the target bound as initiator_socket[target],
  // which sees addresses starting at `offset`. Call during elaboration.
  void map(std::uint64_t base, std::uint64_t size, unsigned target, std::uint64_t offset,
           std::string name);

  struct Region {
    std::uint64_t base, size;
    unsigned target;
    std::uint64_t offset;
    std::string name;
  };
  const std::vector<Region>& regions() const { return regions_; }
  std::uint64_t address_errors() const { return address_errors_; }
  void reset_stats() { address_errors_ = 0; }

 private:
  const Region* decode(std::uint64_t addr, std::uint64_t len) const;
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& t);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);

  std::vector<Region> regions_;
  bool unmapped_reads_ones_;
  std::uint64_t address_errors_ = 0;
  mutable const Region* last_ = nullptr;
};

}  // namespace mmvp
