// The kernel's symbol table (kernel/kallsyms.c) in guest memory at layout::KALLSYMS,
// for what Linux prints with %pS: "function+0xoffset/0xsize". This kernel's functions
// are C++ with no machine code of their own, so each gets a text range when first
// named (in order from _stext, 0x40 bytes plus 0x10 per character of its name) and
// its call sites sit at a fixed offset into it; the shape of the output is Linux's,
// the numbers are the table's.
#pragma once
#include <string>

#include "sw/kernel/kernel.h"

namespace mmvp::sw {

// A return address inside `function` (registering the symbol on first use), as
// __builtin_return_address(0) gives a callee; 0 for a null or empty name.
LAddr kallsyms_call_site(Kernel& k, const char* function);
// sprint_symbol(): "name+0xoff/0xsize" for an address in a known symbol, else the
// address in hex (as %pS prints an unknown one).
std::string sprint_symbol(Kernel& k, LAddr addr);

}  // namespace mmvp::sw
