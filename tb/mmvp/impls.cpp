#include "tb/mmvp/impls.h"

#ifdef MMVP_HAVE_RTL
#include "hw/rtl/tlb_rtl_impl.h"
#endif

namespace mmvp::cli {

void register_builtin_impls() {
#ifdef MMVP_HAVE_RTL
  rtl::register_rtl_tlb_impl();
#endif
}

}  // namespace mmvp::cli
