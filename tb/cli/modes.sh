#!/usr/bin/env bash
# Lock-step and fast mode translate identically: the same TLB and walk statistics;
# only the data path (DMI or b_transport) and the timing differ.
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
assert fast["cpu"]["dmi_accesses"] > 0 and lock["cpu"]["dmi_accesses"] == 0
assert lock["cpu"]["bus_accesses"] > 0
assert lock["cpu"]["syncs"] > fast["cpu"]["syncs"]
# In lock-step every data access reaches the DRAM model.
assert lock["dram"]["reads"] + lock["dram"]["writes"] > fast["dram"]["reads"] + fast["dram"]["writes"]
print("modes: identical translations; lock-step", lock["cpu"]["syncs"], "syncs, fast", fast["cpu"]["syncs"])
PY
