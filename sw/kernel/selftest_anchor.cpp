// Keeps the self-test object library non-empty before any *_ktest.cpp exists.
#include "sw/kernel/selftest.h"
