#include "hw/dma/isa_pattern_device.h"

namespace mmvp {

std::uint8_t IsaPatternDevice::read(unsigned offset) {
  switch (offset & 7) {
    case CMD:
      return cmd_;
    case CHANNEL:
      return channel_;
    case SEED:
      return seed_;
    case IRQ:
      return irq_;
    case STATUS: {
      irq_asserted_ = false;  // reading the status acknowledges the interrupt
      return status();
    }
    case ERRORS_LO:
      return static_cast<std::uint8_t>(errors_ > 0xFFFF ? 0xFF : errors_);
    case ERRORS_HI:
      return static_cast<std::uint8_t>(errors_ > 0xFFFF ? 0xFF : errors_ >> 8);  // saturates
    default:
      return static_cast<std::uint8_t>(bytes_);
  }
}

void IsaPatternDevice::write(unsigned offset, std::uint8_t value) {
  switch (offset & 7) {
    case CMD:
      if (value > kFromMemory) {
        ++protocol_errors_;
        return;
      }
      start(static_cast<Command>(value));
      break;
    case CHANNEL:
      // DREQ0-3 (8-bit) and DREQ5-7 (16-bit); 4 is the cascade and has no ISA line.
      if (value > 7 || value == 4) {
        ++protocol_errors_;
        return;
      }
      channel_ = value;
      break;
    case SEED:
      seed_ = value;
      break;
    case IRQ:
      if (value > 15) {
        ++protocol_errors_;
        return;
      }
      irq_ = value;
      break;
    default:
      break;  // STATUS, ERRORS and COUNT are read-only
  }
}

void IsaPatternDevice::start(Command c) {
  cmd_ = c;
  busy_ = c != kStop;
  done_ = error_ = irq_asserted_ = false;
  index_ = bytes_ = errors_ = 0;
}

std::uint16_t IsaPatternDevice::supply() {
  if (!busy_ || cmd_ != kToMemory) {
    ++protocol_errors_;
    return width() == 2 ? 0xFFFF : 0xFF;
  }
  std::uint16_t v = pattern(seed_, index_);
  if (width() == 2) v = static_cast<std::uint16_t>(v | pattern(seed_, index_ + 1) << 8);
  index_ += width();
  bytes_ += width();
  return v;
}

void IsaPatternDevice::accept(std::uint16_t data) {
  if (!busy_ || cmd_ != kFromMemory) {
    ++protocol_errors_;
    return;
  }
  for (unsigned b = 0; b < width(); ++b) {
    if (static_cast<std::uint8_t>(data >> (8 * b)) != pattern(seed_, index_ + b)) {
      ++errors_;
      error_ = true;
    }
  }
  index_ += width();
  bytes_ += width();
}

void IsaPatternDevice::verify_cycle() {
  if (!busy_) {
    ++protocol_errors_;
    return;
  }
  index_ += width();
}

void IsaPatternDevice::terminal_count() {
  if (!busy_) return;
  busy_ = false;
  done_ = true;
  irq_asserted_ = true;
}

}  // namespace mmvp
