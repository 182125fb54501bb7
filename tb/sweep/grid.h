// The configuration grid of a sweep: axes given as `name=VALUES` (VALUES a list
// `a,b,c`, a geometric range `16..2048:x2` or an arithmetic range `4..16:+4`), and
// their cross product, one configuration point per combination.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mmvp::sweep {

struct GridAxis {
  std::string name;                 // dotted parameter name
  std::vector<std::string> values;  // in the order given
};

// Parses "name=VALUES". Throws ConfigError ("--grid 'TEXT': problem") on a missing
// '=', an empty name or value, a malformed range, a zero step or factor below 2, or a
// range of more than 100000 values.
GridAxis parse_grid_axis(const std::string& text);

// Expands VALUES (the part after '='); throws ConfigError naming `what` on a problem.
std::vector<std::string> expand_grid_values(const std::string& values, const std::string& what);

// One configuration: (parameter, value) pairs, in axis order.
struct ConfigPoint {
  std::vector<std::pair<std::string, std::string>> settings;

  // "name=value;name=value" in axis order ("" for the empty grid): the key of the
  // point in the CSV and for resuming.
  std::string key() const;
  const std::string* value_of(const std::string& name) const;
};

// Parses a key() back; throws ConfigError on a malformed key.
ConfigPoint parse_config_key(const std::string& key);

// The cross product, the last axis varying fastest; one empty point for no axes.
// Throws ConfigError if two axes name the same parameter.
std::vector<ConfigPoint> cross_product(const std::vector<GridAxis>& axes);

}  // namespace mmvp::sweep
