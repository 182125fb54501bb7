// The parameter registry: every tunable of the platform has a dotted name, a default,
// a type and a one-line description. Values come from defaults, presets, a JSON config
// file and --set, in that order; each is validated when set.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hw/common/types.h"

namespace mmvp {

// real: a decimal number (min and max bound it as whole numbers).
enum class ParamType { integer, size, boolean, choice, text, real };

struct ParamSpec {
  ParamSpec() = default;
  ParamSpec(std::string n, ParamType t, std::string def, std::string desc, std::uint64_t lo = 0,
            std::uint64_t hi = UINT64_MAX, std::vector<std::string> ch = {})
      : name(std::move(n)),
        type(t),
        default_value(std::move(def)),
        description(std::move(desc)),
        min(lo),
        max(hi),
        choices(std::move(ch)) {}

  std::string name;
  ParamType type = ParamType::integer;
  std::string default_value;
  std::string description;
  std::uint64_t min = 0;  // integer and size only
  std::uint64_t max = UINT64_MAX;
  std::vector<std::string> choices;  // choice only
};

struct Preset {
  std::string name;
  std::string description;
  std::vector<std::pair<std::string, std::string>> values;
};

class Params {
 public:
  void declare(ParamSpec spec);
  bool has(const std::string& name) const { return specs_.count(name) != 0; }

  // Validates and stores a value; throws ConfigError naming the parameter.
  void set(const std::string& name, const std::string& value);
  // "name=value"
  void set_assignment(const std::string& assignment);
  void apply_preset(const std::string& preset_name);
  // A JSON object, flat ({"mmu.dtlb.l1_4k.entries": 64}) or nested, or both.
  void load_json_file(const std::string& path);
  void load_json_text(const std::string& text, const std::string& origin);

  std::uint64_t u64(const std::string& name) const;
  double real(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::string& str(const std::string& name) const;
  const ParamSpec& spec(const std::string& name) const;

  std::vector<const ParamSpec*> list() const;
  // Every parameter and its current value, for reproducibility in the stats output.
  std::vector<std::pair<std::string, std::string>> values() const;

  static void add_preset(Preset p);
  // Adds `values` to the preset `name` (creating it with `description` if new), keeping
  // the values other blocks registered there; a name already in it takes the new value.
  static void merge_preset(const std::string& name, const std::string& description,
                           const std::vector<std::pair<std::string, std::string>>& values);
  static const std::vector<Preset>& presets();

 private:
  std::map<std::string, ParamSpec> specs_;
  std::map<std::string, std::string> values_;
};

// Parses 4096, 0x1000, 4K, 2M, 64G, 1T (binary units).
bool parse_size(const std::string& text, std::uint64_t& out);
std::string format_size(std::uint64_t bytes);
// Parses a simulated time: 1500 (picoseconds), 250ps, 40ns, 12us, 3ms, 2s.
bool parse_time(const std::string& text, Picos& out);

}  // namespace mmvp
