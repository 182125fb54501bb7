// AddressSanitizer's record of the stack the main thread runs on, repaired after a
// SystemC simulation. Debian's SystemC 2.3.4 annotates its coroutine switches for ASan
// (__sanitizer_start_switch_fiber), but on the way back to sc_main's stack it hands
// ASan that stack's bottom with a coroutine's top. ASan then refuses every
// __asan_handle_no_return on the main stack ("ASan is ignoring requested
// __asan_handle_no_return", google/sanitizers#189), so a C++ exception thrown there
// after sc_start (Platform::run rethrowing the core's error) leaves the unwound frames
// poisoned and a later, correct access is reported as stack-use-after-scope.
// Compiled to nothing without ASan.
#pragma once

namespace mmvp {

// Tells ASan that the calling thread is on its own (pthread) stack again. Call on the
// main thread after sc_start returns.
void sanitizer_resync_thread_stack();

}  // namespace mmvp
