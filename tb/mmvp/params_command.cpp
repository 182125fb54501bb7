#include "tb/mmvp/params_command.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hw/common/debug.h"
#include "tb/mmvp/options.h"

namespace mmvp::cli {
namespace {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::integer:
      return "int";
    case ParamType::size:
      return "size";
    case ParamType::boolean:
      return "bool";
    case ParamType::choice:
      return "choice";
    case ParamType::real:
      return "real";
    default:
      return "text";
  }
}

struct ParamsArgs {
  ParamOptions params;
  bool json = false;
};

}  // namespace

void add_params_command(CLI::App& app) {
  auto a = std::make_shared<ParamsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "params", "list every parameter (after --preset/--config/--set) and the presets");
  a->params.add_to(*cmd);
  cmd->add_flag("--json", a->json, "print the current values as a JSON config file");
  cmd->callback([a] {
    Params p = a->params.build_params();
    if (a->json) {
      nlohmann::ordered_json j;
      for (const auto* s : p.list()) {
        const std::string& v = p.str(s->name);
        if (s->type == ParamType::boolean)
          j[s->name] = v == "true";
        else if (s->type == ParamType::integer || s->type == ParamType::size)
          j[s->name] = p.u64(s->name);
        else if (s->type == ParamType::real)
          j[s->name] = p.real(s->name);
        else
          j[s->name] = v;
      }
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::size_t w = 0;
    for (const auto* s : p.list()) w = std::max(w, s->name.size());
    for (const auto* s : p.list()) {
      std::string v = p.str(s->name);
      if (s->type == ParamType::size) v = format_size(p.u64(s->name));
      std::string extra;
      if (s->type == ParamType::choice) {
        for (const auto& c : s->choices) extra += (extra.empty() ? " {" : "|") + c;
        extra += "}";
      }
      std::cout << fmt::format("{:<{}}  {:>8}  ({}{}) {}\n", s->name, w, v, type_name(s->type),
                               extra, s->description);
    }
    std::cout << "\npresets:\n";
    for (const auto& pr : Params::presets())
      std::cout << fmt::format("  {:<10} {}\n", pr.name, pr.description);
  });

  CLI::App* flags = app.add_subcommand(
      "debug-flags", "list the debug trace flags that --debug-flags takes (gem5's --debug-help)");
  flags->callback([] {
    for (const debug::FlagInfo& f : debug::flags())
      std::cout << fmt::format("{:<8}  {}\n", f.name, f.description);
    std::cout << fmt::format("{:<8}  {}\n", "All", "every flag above");
  });
}

}  // namespace mmvp::cli
