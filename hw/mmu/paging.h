// Architectural constants of x86-64 paging (Intel SDM Vol. 3A, chapter 4 "Paging") and
// the paging context the MMU translates under.
#pragma once
#include <cstdint>

#include "hw/common/types.h"

namespace mmvp {

// Control-register and EFER bits (SDM Vol. 3A 2.5, 2.2.1).
namespace cr0 {
inline constexpr std::uint64_t PE = 1ULL << 0;
inline constexpr std::uint64_t WP = 1ULL << 16;
inline constexpr std::uint64_t PG = 1ULL << 31;
}  // namespace cr0
namespace cr4 {
inline constexpr std::uint64_t PSE = 1ULL << 4;  // 4-MByte pages under 32-bit paging
inline constexpr std::uint64_t PAE = 1ULL << 5;
inline constexpr std::uint64_t PGE = 1ULL << 7;
inline constexpr std::uint64_t LA57 = 1ULL << 12;
inline constexpr std::uint64_t PCIDE = 1ULL << 17;
inline constexpr std::uint64_t SMEP = 1ULL << 20;
inline constexpr std::uint64_t SMAP = 1ULL << 21;
}  // namespace cr4
namespace efer {
inline constexpr std::uint64_t SCE = 1ULL << 0;  // SYSCALL/SYSRET enabled
inline constexpr std::uint64_t LME = 1ULL << 8;
inline constexpr std::uint64_t LMA = 1ULL << 10;
inline constexpr std::uint64_t NXE = 1ULL << 11;
}  // namespace efer

// CR3 with CR4.PCIDE = 1 (SDM 4.10.1): the PCID in bits 11:0; bit 63 of a MOV to CR3
// asks the processor not to invalidate that PCID's entries (never stored in CR3).
namespace cr3 {
inline constexpr std::uint64_t PCID_MASK = 0xfff;
inline constexpr std::uint64_t NOFLUSH = 1ULL << 63;
}  // namespace cr3

// Paging-structure entry bits (SDM Vol. 3A 4.5, Tables 4-15 to 4-20).
namespace pte {
inline constexpr std::uint64_t P = 1ULL << 0;
inline constexpr std::uint64_t RW = 1ULL << 1;
inline constexpr std::uint64_t US = 1ULL << 2;
inline constexpr std::uint64_t PWT = 1ULL << 3;
inline constexpr std::uint64_t PCD = 1ULL << 4;
inline constexpr std::uint64_t A = 1ULL << 5;
inline constexpr std::uint64_t D = 1ULL << 6;
inline constexpr std::uint64_t PS = 1ULL << 7;
inline constexpr std::uint64_t PAT_4K = 1ULL << 7;
inline constexpr std::uint64_t G = 1ULL << 8;
inline constexpr std::uint64_t PAT_LARGE = 1ULL << 12;
inline constexpr std::uint64_t XD = 1ULL << 63;
// Bits 51:12 hold the address; the part at and above MAXPHYADDR is reserved.
inline constexpr std::uint64_t ADDR_MASK = 0x000FFFFFFFFFF000ULL;
}  // namespace pte

// Page-fault error code bits (SDM Vol. 3A 4.7, Figure 4-12).
namespace pf {
inline constexpr std::uint32_t P = 1u << 0;     // 0: not present; 1: protection violation
inline constexpr std::uint32_t W = 1u << 1;     // access was a write
inline constexpr std::uint32_t U = 1u << 2;     // access was a user-mode access
inline constexpr std::uint32_t RSVD = 1u << 3;  // reserved bit set in a paging-structure entry
inline constexpr std::uint32_t ID = 1u << 4;    // instruction fetch (only with NXE or SMEP)
}  // namespace pf

// Exception vectors delivered by the core.
namespace vec {
inline constexpr unsigned GP = 13;
inline constexpr unsigned PF = 14;
inline constexpr unsigned MC = 18;
}  // namespace vec

enum class PageSize : std::uint8_t { size_4k = 0, size_2m = 1, size_1g = 2 };
inline constexpr unsigned kPageSizes = 3;
inline constexpr unsigned page_shift(PageSize s) {
  return 12 + 9 * static_cast<unsigned>(s);
}
inline constexpr std::uint64_t page_bytes(PageSize s) {
  return 1ULL << page_shift(s);
}
inline const char* page_size_name(PageSize s) {
  return s == PageSize::size_4k ? "4k" : s == PageSize::size_2m ? "2m" : "1g";
}

enum class AccessKind : std::uint8_t { read = 0, write = 1, fetch = 2 };

// Everything a translation depends on besides the linear address: the control
// registers, EFER, the current privilege level and RFLAGS.AC (for SMAP).
struct PagingContext {
  std::uint64_t cr0 = 0;
  std::uint64_t cr3 = 0;
  std::uint64_t cr4 = 0;
  std::uint64_t efer = 0;
  unsigned cpl = 0;
  bool ac = false;  // RFLAGS.AC
  // Implicit supervisor-mode access (SDM 4.6): e.g. the kernel touching descriptor
  // tables; always treated as supervisor, SMAP applies regardless of AC.
  bool implicit_supervisor = false;

  bool paging() const { return (cr0 & cr0::PG) != 0; }
  // IA-32e mode (EFER.LMA): 4- or 5-level paging; otherwise 32-bit or PAE paging, with
  // 32-bit linear addresses (SDM 4.1.1, Table 4-1).
  bool ia32e() const { return (efer & efer::LMA) != 0; }
  bool la57() const { return (cr4 & cr4::LA57) != 0; }
  bool user() const { return cpl == 3 && !implicit_supervisor; }
};

// Canonical form (SDM Vol. 3A 3.3.7.1 and 4.5): bits 63:47 (4-level) or 63:56
// (5-level) are all equal.
inline bool is_canonical(LAddr la, bool la57) {
  unsigned width = la57 ? 57 : 48;
  auto s = static_cast<std::int64_t>(la << (64 - width)) >> (64 - width);
  return static_cast<LAddr>(s) == la;
}

// Access rights combined over the paging-structure entries walked so far (SDM 4.6):
// R/W and U/S are ANDed, XD is ORed.
struct AccessRights {
  bool writable = true;
  bool user = true;
  bool nx = false;
};

// Error-code bits that describe the access itself (W, U, I/D; SDM 4.7).
inline std::uint32_t access_error_bits(AccessKind k, const PagingContext& ctx) {
  std::uint32_t bits = 0;
  if (k == AccessKind::write) bits |= pf::W;
  if (ctx.user()) bits |= pf::U;
  // SDM 4.7: I/D is reported only when CR4.SMEP = 1 or (CR4.PAE = 1 and EFER.NXE = 1);
  // PAE is always 1 under 4- and 5-level paging, 0 under 32-bit paging.
  if (k == AccessKind::fetch &&
      ((ctx.cr4 & cr4::SMEP) || ((ctx.cr4 & cr4::PAE) && (ctx.efer & efer::NXE))))
    bits |= pf::ID;
  return bits;
}

// The #PF error code of an access of kind k under ctx with the given rights, or 0 if the
// access is allowed (SDM 4.6.1). Never returns 0 for a denied access: P is always set.
// Inline: the MMU checks every TLB hit with it.
__attribute__((always_inline)) inline std::uint32_t access_fault(const AccessRights& rights,
                                                                 AccessKind k,
                                                                 const PagingContext& ctx) {
  const bool nxe = (ctx.efer & efer::NXE) != 0;
  const bool wp = (ctx.cr0 & cr0::WP) != 0;
  bool denied = false;
  if (ctx.user()) {
    // SDM 4.6.1, user-mode access: only user-mode addresses (U/S = 1 at every level);
    // writes need R/W = 1 at every level whatever CR0.WP; fetches need XD = 0 with NXE.
    denied = !rights.user || (k == AccessKind::write && !rights.writable) ||
             (k == AccessKind::fetch && nxe && rights.nx);
  } else if (k == AccessKind::fetch) {
    // Supervisor fetch: SMEP forbids user-mode addresses; NX forbids XD pages.
    denied = (rights.user && (ctx.cr4 & cr4::SMEP)) || (nxe && rights.nx);
  } else {
    // Supervisor data access. SMAP: a user-mode address may be read or written only by
    // an explicit access with RFLAGS.AC = 1 (implicit accesses never).
    bool smap_blocks = rights.user && (ctx.cr4 & cr4::SMAP) && (!ctx.ac || ctx.implicit_supervisor);
    // Supervisor writes to read-only addresses fault only with CR0.WP = 1.
    bool wp_blocks = k == AccessKind::write && wp && !rights.writable;
    denied = smap_blocks || wp_blocks;
  }
  return denied ? (pf::P | access_error_bits(k, ctx)) : 0;
}

}  // namespace mmvp
