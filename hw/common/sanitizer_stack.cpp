// See sanitizer_stack.h.
#include "hw/common/sanitizer_stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define MMVP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MMVP_ASAN 1
#endif
#endif

#ifdef MMVP_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace mmvp {

void sanitizer_resync_thread_stack() {
#ifdef MMVP_ASAN
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  size_t size = 0;
  const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
  pthread_attr_destroy(&attr);
  if (!known) return;
  // A "switch" to the stack we are on: ASan takes its bounds from the annotation.
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

}  // namespace mmvp
