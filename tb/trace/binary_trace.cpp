#include "tb/trace/binary_trace.h"

#include <cstring>
#include <stdexcept>

#include "hw/common/types.h"
#include "tb/trace/access_check.h"

namespace mmvp::trace {

namespace {

constexpr std::size_t kBlockSize = std::size_t{1} << 20;
constexpr std::size_t kMaxSizeVarintBytes = 5;    // 32-bit size
constexpr std::size_t kMaxDeltaVarintBytes = 10;  // 64-bit delta
constexpr std::size_t kMaxAccessRecordBytes = 1 + kMaxSizeVarintBytes + kMaxDeltaVarintBytes;
constexpr std::size_t kMaxPathBytes = 4096;  // PATH_MAX
// Escape, kind, number, six arguments, result, path length and path.
constexpr std::size_t kMaxSyscallRecordBytes = 2 + 1 + 5 + 6 * 10 + 10 + 2 + kMaxPathBytes;
constexpr std::size_t kMaxRecordBytes = kMaxSyscallRecordBytes;
constexpr std::uint64_t kSyscallKind = 1;
constexpr std::uint64_t kAbiKind = 2;
// The abi record of an i386 trace: escape, kind 2, ABI 1.
constexpr char kI386AbiRecord[4] = {0, 0, static_cast<char>(kAbiKind), 1};
constexpr unsigned kInlineSizeLimit = 64;  // sizes below fit in the header byte

// Why a varint could not be decoded.
enum class VarintStatus { ok, truncated, too_long };

// Decodes a LEB128 varint of at most max_bytes bytes from [p, end), advancing p.
VarintStatus decode_varint(const std::uint8_t*& p, const std::uint8_t* end, std::size_t max_bytes,
                           std::uint64_t& value) {
  value = 0;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (p == end) return VarintStatus::truncated;
    std::uint8_t byte = *p++;
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // The last of ten bytes carries only bit 63.
      return i == 9 && byte > 1 ? VarintStatus::too_long : VarintStatus::ok;
    }
  }
  return VarintStatus::too_long;
}

char* encode_varint(char* p, std::uint64_t value) {
  while (value >= 0x80) {
    *p++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *p++ = static_cast<char>(value);
  return p;
}

}  // namespace

bool is_binary_trace(std::string_view first_bytes) {
  return first_bytes.substr(0, sizeof kBinaryTraceMagic) ==
         std::string_view(kBinaryTraceMagic, sizeof kBinaryTraceMagic);
}

BinaryTraceSource::BinaryTraceSource(std::unique_ptr<ByteInput> input)
    : input_(std::move(input)), buf_(kBlockSize) {
  if (!is_binary_trace(input_->peek(sizeof kBinaryTraceMagic))) {
    throw InputError(input_->name() + ": not an mmvp binary trace (no MMVTRC01 magic)");
  }
  char magic[sizeof kBinaryTraceMagic];
  for (std::size_t got = 0; got < sizeof magic;)
    got += input_->read(magic + got, sizeof magic - got);
  buf_offset_ = sizeof magic;
  if (input_->peek(sizeof kI386AbiRecord) ==
      std::string_view(kI386AbiRecord, sizeof kI386AbiRecord)) {
    char record[sizeof kI386AbiRecord];
    for (std::size_t got = 0; got < sizeof record;)
      got += input_->read(record + got, sizeof record - got);
    buf_offset_ += sizeof record;
    abi_ = sw::ProcessAbi::i386;
  }
}

bool BinaryTraceSource::refill() {
  char* const buf = buf_.data();
  std::memmove(buf, buf + pos_, end_ - pos_);
  buf_offset_ += pos_;
  end_ -= pos_;
  pos_ = 0;
  std::size_t before = end_;
  while (!input_eof_ && end_ < kMaxRecordBytes) {
    std::size_t n = input_->read(buf + end_, buf_.size() - end_);
    input_eof_ = n == 0;
    end_ += n;
  }
  return end_ > before;
}

void BinaryTraceSource::read_syscall(const std::uint8_t*& p, const std::uint8_t* end,
                                     const std::uint8_t* record, const std::uint8_t* buf) {
  auto fail = [&](VarintStatus status, const char* what) {
    std::string where = " at byte " + std::to_string(buf_offset_ + (record - buf));
    if (status == VarintStatus::truncated) throw InputError(name() + ": truncated record" + where);
    throw InputError(name() + ": corrupt system-call record" + where + " (" + what + ")");
  };
  auto varint = [&](std::size_t max_bytes, const char* what) {
    std::uint64_t v = 0;
    VarintStatus status = decode_varint(p, end, max_bytes, v);
    if (status != VarintStatus::ok) fail(status, what);
    return v;
  };
  const std::uint64_t kind = varint(kMaxDeltaVarintBytes, "kind");
  if (kind == kAbiKind) fail(VarintStatus::ok, "an abi record not first, or of an unknown ABI");
  if (kind != kSyscallKind) fail(VarintStatus::ok, "unknown extension record");
  sw::SyscallRecord call;
  std::uint64_t number = varint(kMaxSizeVarintBytes, "number");
  if (number > UINT32_MAX) fail(VarintStatus::ok, "number out of range");
  call.nr = static_cast<std::uint32_t>(number);
  for (auto& a : call.arg) a = varint(kMaxDeltaVarintBytes, "argument");
  std::uint64_t zigzag = varint(kMaxDeltaVarintBytes, "result");
  call.result = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
  std::uint64_t length = varint(kMaxSizeVarintBytes, "path length");
  if (length > kMaxPathBytes) fail(VarintStatus::ok, "path longer than 4096 bytes");
  if (static_cast<std::uint64_t>(end - p) < length) fail(VarintStatus::truncated, "path");
  call.path.assign(reinterpret_cast<const char*>(p), length);
  p += length;
  syscalls_.push_back(std::move(call));
}

std::size_t BinaryTraceSource::read(sw::MemAccess* out, std::size_t max) {
  std::size_t count = 0;
  syscalls_.clear();
  while (count < max) {
    if (end_ - pos_ < kMaxRecordBytes && !input_eof_) refill();
    if (pos_ == end_) break;
    const auto* const buf = reinterpret_cast<const std::uint8_t*>(buf_.data());
    const std::uint8_t* p = buf + pos_;
    const std::uint8_t* const end = buf + end_;
    // Records are decoded while a whole one is surely buffered, or up to the end of input.
    while (count < max && p < end && (input_eof_ || end - p >= std::ptrdiff_t{kMaxRecordBytes})) {
      const std::uint8_t* const record = p;
      auto bad_record = [&](VarintStatus status, const char* what) {
        std::string where = " at byte " + std::to_string(buf_offset_ + (record - buf));
        if (status == VarintStatus::truncated)
          throw InputError(name() + ": truncated record" + where);
        throw InputError(name() + ": corrupt record" + where + " (" + what + ")");
      };
      std::uint8_t header = *p++;
      std::uint64_t size = header & 0x3f;
      if (size == 0) {
        VarintStatus status = decode_varint(p, end, kMaxSizeVarintBytes, size);
        if (status != VarintStatus::ok) bad_record(status, "size varint too long");
        if (size > UINT32_MAX) bad_record(status, "size out of range");
        if (size == 0 && header == 0) {
          read_syscall(p, end, record, buf);
          out[count++] = sw::MemAccess{syscalls_.size() - 1, 0, sw::AccessType::syscall};
          continue;
        }
      }
      std::uint64_t zigzag = 0;
      VarintStatus status = decode_varint(p, end, kMaxDeltaVarintBytes, zigzag);
      if (status != VarintStatus::ok) bad_record(status, "address delta varint too long");
      std::uint64_t delta = (zigzag >> 1) ^ (~(zigzag & 1) + 1);
      unsigned type = header >> 6;
      std::uint64_t addr = prev_addr_[type] + delta;
      if (const char* problem = access_problem(addr, size)) bad_record(VarintStatus::ok, problem);
      prev_addr_[type] = addr;
      out[count++] =
          sw::MemAccess{addr, static_cast<std::uint32_t>(size), static_cast<sw::AccessType>(type)};
    }
    pos_ = static_cast<std::size_t>(p - buf);
  }
  return count;
}

BinaryTraceWriter::BinaryTraceWriter(ByteSink& sink) : sink_(sink), buf_(kBlockSize) {
  std::memcpy(buf_.data(), kBinaryTraceMagic, sizeof kBinaryTraceMagic);
  used_ = sizeof kBinaryTraceMagic;
}

BinaryTraceWriter::~BinaryTraceWriter() {
  try {
    flush();
  } catch (...) {  // a destructor must not throw; call flush() to see errors
  }
}

void BinaryTraceWriter::write(const sw::MemAccess& access) {
  // What the reader would reject is never written.
  if (const char* problem = access_problem(access.addr, access.size))
    throw std::invalid_argument(std::string("BinaryTraceWriter: ") + problem);
  if (buf_.size() - used_ < kMaxRecordBytes) flush();
  if (access.type == sw::AccessType::syscall)
    throw std::invalid_argument("BinaryTraceWriter: a syscall record without its call");
  unsigned type = static_cast<unsigned>(access.type) & 3;
  char* p = buf_.data() + used_;
  bool inline_size = access.size < kInlineSizeLimit;
  *p++ = static_cast<char>((type << 6) | (inline_size ? access.size : 0));
  if (!inline_size) p = encode_varint(p, access.size);
  std::uint64_t delta = access.addr - prev_addr_[type];
  prev_addr_[type] = access.addr;
  std::uint64_t sign = static_cast<std::uint64_t>(-static_cast<std::int64_t>(delta >> 63));
  p = encode_varint(p, (delta << 1) ^ sign);
  used_ = static_cast<std::size_t>(p - buf_.data());
  ++records_;
}

void BinaryTraceWriter::write_syscall(const sw::SyscallRecord& call) {
  if (call.path.size() > kMaxPathBytes)
    throw std::invalid_argument("BinaryTraceWriter: a system call's path longer than 4096 bytes");
  if (buf_.size() - used_ < kMaxRecordBytes) flush();
  char* p = buf_.data() + used_;
  *p++ = 0;  // the escape: header 0 and size 0
  *p++ = 0;
  p = encode_varint(p, kSyscallKind);
  p = encode_varint(p, call.nr);
  for (std::uint64_t a : call.arg) p = encode_varint(p, a);
  const auto r = static_cast<std::uint64_t>(call.result);
  p = encode_varint(p, (r << 1) ^ static_cast<std::uint64_t>(-static_cast<std::int64_t>(r >> 63)));
  p = encode_varint(p, call.path.size());
  std::memcpy(p, call.path.data(), call.path.size());
  used_ = static_cast<std::size_t>(p - buf_.data()) + call.path.size();
  ++records_;
}

void BinaryTraceWriter::write_abi(sw::ProcessAbi abi) {
  if (records_ != 0)
    throw std::logic_error("BinaryTraceWriter: the abi record must come before every other");
  if (abi == sw::ProcessAbi::x86_64) return;
  std::memcpy(buf_.data() + used_, kI386AbiRecord, sizeof kI386AbiRecord);
  used_ += sizeof kI386AbiRecord;
}

void BinaryTraceWriter::write(const sw::MemAccess* accesses, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) write(accesses[i]);
}

void BinaryTraceWriter::write(const sw::MemAccess* accesses, std::size_t count,
                              const sw::AccessSource& source) {
  for (std::size_t i = 0; i < count; ++i) {
    if (accesses[i].type == sw::AccessType::syscall)
      write_syscall(source.syscall(accesses[i].addr));
    else
      write(accesses[i]);
  }
}

void BinaryTraceWriter::flush() {
  if (used_ == 0) return;
  std::size_t used = used_;
  used_ = 0;
  sink_.write(buf_.data(), used);
}

}  // namespace mmvp::trace
