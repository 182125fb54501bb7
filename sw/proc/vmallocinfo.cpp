// /proc/vmallocinfo (mm/vmalloc.c: vmalloc_info_show / s_show), read back from the
// busy vmap_area list in guest memory, one line per area in address order:
//   0xffffc90000000000-0xffffc90000005000   20480 caller pages=4 vmalloc
// Addresses as %pK prints them to a privileged reader (16 hex digits), the size with
// the guard page, the caller as %pS prints it (symbol+off/size, from sw/kernel/kallsyms),
// then pages=, phys= (%pa: 0x and 16 digits), the flag words in Linux's order, and the
// pages per node (show_numa_info, CONFIG_NUMA with one node: N0=).
#include <cstdio>
#include <string>

#include "sw/mm/vmalloc.h"
#include "sw/mm/vmalloc_internal.h"
#include "sw/proc/proc.h"

namespace mmvp::sw {

std::string proc_vmallocinfo(Kernel& k) {
  RoutineScope rs(k, Routine::proc_show);
  std::string out;
  char buf[96];
  for (LAddr pos = k.mem.get(VMAP_AREA_LIST(), list::next); pos != VMAP_AREA_LIST();
       pos = k.mem.get(pos, list::next)) {
    LAddr va = pos - vmap_area::list;
    LAddr v = k.mem.get(va, vmap_area::vm);
    if (!v) continue;  // an area being set up or torn down (no vm_map_ram areas here)
    std::uint64_t addr = k.mem.get(v, vm_struct::addr);
    std::uint64_t size = k.mem.get(v, vm_struct::size);
    std::snprintf(buf, sizeof buf, "0x%016llx-0x%016llx %7lld",
                  static_cast<unsigned long long>(addr),
                  static_cast<unsigned long long>(addr + size), static_cast<long long>(size));
    out += buf;
    std::string caller = vm_caller(k, v);
    if (!caller.empty()) out += " " + caller;
    std::uint32_t nr_pages = k.mem.get(v, vm_struct::nr_pages);
    if (nr_pages) out += " pages=" + std::to_string(nr_pages);
    std::uint64_t phys = k.mem.get(v, vm_struct::phys_addr);
    if (phys) {
      std::snprintf(buf, sizeof buf, " phys=0x%016llx", static_cast<unsigned long long>(phys));
      out += buf;
    }
    std::uint64_t flags = k.mem.get(v, vm_struct::flags);
    if (flags & VM_IOREMAP) out += " ioremap";
    if (flags & VM_ALLOC) out += " vmalloc";
    if (flags & VM_MAP) out += " vmap";
    if (is_vmalloc_addr(k.mem.get(v, vm_struct::pages))) out += " vpages";
    if (nr_pages) out += " N0=" + std::to_string(nr_pages);
    out += '\n';
  }
  return out;
}

}  // namespace mmvp::sw
