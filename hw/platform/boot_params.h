// What the platform's firmware leaves in guest memory for the kernel, laid out like
// Linux's struct boot_params (the "zero page", arch/x86/include/uapi/asm/bootparam.h):
// e820_entries at offset 0x1e8 and the e820 table at 0x2d0, 20 bytes per entry
// (u64 addr, u64 size, u32 type). The kernel reads it through the CPU core.
#pragma once
#include <cstdint>

namespace mmvp::boot {

inline constexpr std::uint64_t kBootParamsPhys = 0x7000;    // physical address of the zero page
inline constexpr std::uint64_t kE820EntriesOffset = 0x1e8;  // u8 count
inline constexpr std::uint64_t kE820TableOffset = 0x2d0;
inline constexpr std::uint64_t kE820EntryBytes = 20;
inline constexpr unsigned kE820Max = 128;
// Total RAM in bytes (u64), a field of our own in the zero page's padding.
inline constexpr std::uint64_t kMemBytesOffset = 0x1f0;

// e820 types (arch/x86/include/asm/e820/types.h)
inline constexpr std::uint32_t E820_RAM = 1;
inline constexpr std::uint32_t E820_RESERVED = 2;

}  // namespace mmvp::boot
