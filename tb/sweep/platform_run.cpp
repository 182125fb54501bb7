#include "tb/sweep/platform_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hw/common/types.h"

extern char** environ;

namespace mmvp::sweep {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

const nlohmann::json& at_path(const nlohmann::json& root, const std::string& dotted,
                              const std::string& origin) {
  const nlohmann::json* node = &root;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object() || !node->contains(part))
      throw InputError(origin + ": statistic " + dotted + " is missing");
    node = &(*node)[part];
    if (dot == std::string::npos) return *node;
    start = dot + 1;
  }
}

}  // namespace

SweepRow row_from_stats_json(const std::string& json_text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception&) {
    throw InputError(origin + ": not JSON");
  }
  auto u = [&](const std::string& name) -> std::uint64_t {
    const nlohmann::json& v = at_path(j, name, origin);
    if (!v.is_number()) throw InputError(origin + ": statistic " + name + " is not a number");
    return v.get<std::uint64_t>();
  };
  auto real = [&](const std::string& name) -> double {
    const nlohmann::json& v = at_path(j, name, origin);
    if (!v.is_number()) throw InputError(origin + ": statistic " + name + " is not a number");
    return v.get<double>();
  };
  SweepRow r;
  r.engine = "platform";
  r.records = u("trace.records");
  r.instructions = u("trace.instructions");
  for (auto [name, level] : {std::pair<const char*, LevelCounts*>{"dtlb", &r.counts.dtlb},
                             {"itlb", &r.counts.itlb},
                             {"stlb", &r.counts.stlb}}) {
    const std::string p = std::string("mmu.") + name;
    *level = {u(p + ".lookups"), u(p + ".hits"), u(p + ".misses")};
  }
  r.counts.walks = u("mmu.walker.walks");
  r.timed = true;
  r.avg_translation_cycles = real("mmu.avg_translation_cycles");
  r.translation_cycles = static_cast<std::uint64_t>(
      std::llround(r.avg_translation_cycles * static_cast<double>(u("mmu.translations"))));
  r.walk_cycles = u("mmu.walker.walk_cycles");
  r.cycles = u("cpu.cycles");
  auto cache_misses = [&](const char* level) {
    const std::string name = std::string("cache.") + level + ".misses";
    return j.contains("cache") && j["cache"].contains(level) ? u(name) : 0;
  };
  r.switch_flushes = u("kernel.switch_mm_flushes");
  r.switch_flushes_avoided = u("kernel.switch_mm_flushes_avoided");
  r.l1d_misses = cache_misses("l1d");
  r.l2_misses = cache_misses("l2");
  r.llc_misses = cache_misses("llc");
  return r;
}

PlatformRun run_platform(const std::string& mmvp, const std::vector<std::string>& trace_files,
                         const std::vector<std::string>& args, const std::string& scratch_dir) {
  static std::atomic<unsigned> counter{0};
  const std::string stem =
      scratch_dir + "/run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const std::string stats = stem + ".json", errors = stem + ".err";
  std::vector<std::string> argv_text{mmvp, "trace"};
  argv_text.insert(argv_text.end(), trace_files.begin(), trace_files.end());
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  argv_text.insert(argv_text.end(), {"-q", "--stats-json", stats});
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  PlatformRun out;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, mmvp.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    out.error = "cannot run " + mmvp + ": " + std::strerror(rc);
    return out;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string err = last_line(read_file(errors));
  std::remove(errors.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    out.error = err.empty() ? "mmvp trace failed (status " + std::to_string(status) + ")" : err;
    std::remove(stats.c_str());
    return out;
  }
  try {
    out.row = row_from_stats_json(read_file(stats), "mmvp trace statistics");
    out.ok = true;
  } catch (const InputError& e) {
    out.error = e.what();
  }
  std::remove(stats.c_str());
  return out;
}

}  // namespace mmvp::sweep
