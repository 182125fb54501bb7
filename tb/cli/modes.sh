#!/usr/bin/env bash
# Lock-step and fast mode see the same hardware: identical TLB, walk and cache
# statistics and the same DRAM transactions (the caches' misses and write-backs);
# only synchronisation, and so the interleaving with other initiators, differs.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
t="$src/traces/sample-lackey.txt"
"$mmvp" trace "$t" -q --quantum 10000 --stats-json "$tmp/fast.json"
"$mmvp" trace "$t" -q --quantum 0 --stats-json "$tmp/lock.json"
/usr/bin/python3 - "$tmp/fast.json" "$tmp/lock.json" <<'PY'
import json, sys
fast, lock = (json.load(open(p)) for p in sys.argv[1:3])
for lvl in ("dtlb", "itlb", "stlb"):
    for k in ("lookups", "hits", "misses"):
        assert fast["mmu"][lvl][k] == lock["mmu"][lvl][k], (lvl, k)
assert fast["mmu"]["walker"]["walks"] == lock["mmu"]["walker"]["walks"]
def flat(d, p=""):
    out = {}
    for k, v in d.items():
        out.update(flat(v, p + k + ".") if isinstance(v, dict) else {p + k: v})
    return out
fc, lc = flat(fast["cache"]), flat(lock["cache"])
assert fc == lc, [k for k in fc if fc[k] != lc.get(k)]
assert fc["l1d.accesses"] > 0 and fc["llc.misses"] > 0
assert fc["served_walker_l1d"] > 0, "page walks read their entries through the L1D"
for k in ("reads", "writes", "bytes_read", "bytes_written"):
    assert fast["dram"][k] == lock["dram"][k], k
assert fast["dram"]["reads"] > 0
assert lock["cpu"]["syncs"] > fast["cpu"]["syncs"]
print("modes: identical translations, caches and DRAM traffic; lock-step",
      lock["cpu"]["syncs"], "syncs, fast", fast["cpu"]["syncs"])
PY
