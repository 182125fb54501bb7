#include "tb/sweep/merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "hw/common/types.h"
#include "tb/sweep/grid.h"
#include "tb/sweep/sweep_runner.h"

namespace mmvp::sweep {

MergedSweep merge_sweep_parts(const std::vector<std::string>& parts) {
  if (parts.empty()) throw InputError("mmvp sweep merge: no parts");
  std::vector<SweepIdentity> ids;
  for (const std::string& p : parts) ids.push_back(read_identity(p));
  const SweepIdentity& first = ids.front();
  const unsigned shards = first.shards ? first.shards : 1;
  std::map<unsigned, std::string> by_shard;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string why;
    if (!first.same_sweep(ids[i], why))
      throw InputError(fmt::format("{}.json is not a part of the sweep of {}.json: {}", parts[i],
                                   parts.front(), why));
    const unsigned k = ids[i].shards ? ids[i].shard : 1;
    auto [it, fresh] = by_shard.emplace(k, parts[i]);
    if (!fresh)
      throw InputError(
          fmt::format("{} and {} are both shard {}/{}", it->second, parts[i], k, shards));
  }
  std::string missing;
  for (unsigned k = 1; k <= shards; ++k)
    if (!by_shard.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  if (!missing.empty())
    throw InputError(fmt::format("shard{} {} of {} missing",
                                 missing.find(',') == std::string::npos ? "" : "s", missing,
                                 shards));

  // The whole sweep's order: workload-major, configurations in grid order.
  std::map<std::string, std::size_t> workload_pos, config_pos;
  for (std::size_t w = 0; w < first.workloads.size(); ++w)
    workload_pos.emplace(first.workloads[w], w);
  std::size_t c = 0;
  for (const ConfigPoint& p : cross_product(first.axes)) config_pos.emplace(p.key(), c++);
  using Pos = std::pair<std::size_t, std::size_t>;
  std::map<Pos, SweepRow> rows;
  std::map<Pos, std::string> from;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto [lo, hi] = shard_rows(first.total_rows, ids[i].shard, ids[i].shards);
    std::uint64_t own = 0;
    for (SweepRow& r : read_results(parts[i])) {
      // A part's file may also keep rows of an earlier, different sweep: not ours.
      auto w = workload_pos.find(r.workload);
      auto cp = config_pos.find(r.config);
      if (r.base != first.base || w == workload_pos.end() || cp == config_pos.end()) continue;
      const Pos pos{w->second, cp->second};
      auto [it, fresh] = rows.emplace(pos, r);
      if (!fresh && rows_to_csv({it->second}) != rows_to_csv({r}))
        throw InputError(fmt::format("{} and {} disagree on {} {}", from[pos], parts[i], r.workload,
                                     r.config.empty() ? "(base)" : r.config));
      from.emplace(pos, parts[i]);
      ++own;
    }
    if (own < hi - lo)
      throw InputError(
          fmt::format("{} holds {} of the {} rows of shard {}/{} (run it again to finish it)",
                      parts[i], own, hi - lo, ids[i].shards ? ids[i].shard : 1, shards));
  }
  if (rows.size() != first.total_rows)
    throw InputError(
        fmt::format("the parts hold {} of the sweep's {} rows", rows.size(), first.total_rows));
  MergedSweep m;
  m.identity = first;
  m.identity.shard = m.identity.shards = 0;
  for (auto& [pos, r] : rows) m.rows.push_back(std::move(r));
  return m;
}

}  // namespace mmvp::sweep
