// GTKWave's FST format through the FST writer Verilator's package ships
// (/usr/share/verilator/include/gtkwave/fstapi.c): compressed blocks, so a waveform is
// a fraction of its VCD and opens without a full parse. The one place fstapi.h is
// included. No date or version stamp varies, so identical runs give identical bytes.
#pragma once
#include <cstdint>
#include <string>

namespace mmvp {

class FstOutput {
 public:
  // Creates the file at path (a regular file: FST is written with seeks).
  // Throws ConfigError "WHAT: cannot write PATH" if it cannot.
  FstOutput(const std::string& path, const std::string& what);
  ~FstOutput();  // closes (finishes the file) if close() was not called
  FstOutput(const FstOutput&) = delete;
  FstOutput& operator=(const FstOutput&) = delete;

  void scope(const std::string& name);
  void upscope();
  std::uint32_t var(const std::string& name, unsigned width);  // a wire; its handle
  void time(std::uint64_t picos);
  void value(std::uint32_t handle, unsigned width, std::uint64_t v);
  void close();

 private:
  static constexpr std::uint64_t kBlockChanges = 1u << 20;
  void* ctx_ = nullptr;
  std::uint64_t changes_ = 0;
};

}  // namespace mmvp
