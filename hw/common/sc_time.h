// Conversions between sc_time and the pure cores' picoseconds (Picos) for the SystemC
// shells. The time resolution is 1 ps (SystemC's default, which the platform keeps),
// so an sc_time's value is its picosecond count.
#pragma once
#include <systemc>

#include "hw/common/types.h"

namespace mmvp {

inline sc_core::sc_time ps_time(Picos ps) {
  return sc_core::sc_time::from_value(ps);
}
inline Picos to_ps(const sc_core::sc_time& t) {
  return t.value();
}

}  // namespace mmvp
