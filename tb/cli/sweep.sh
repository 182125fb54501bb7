#!/usr/bin/env bash
# `mmvp sweep`: a small grid over the sample trace gives one row per valid point,
# skips invalid combinations with a note, resumes without recomputing, matches
# `mmvp trace` for the same configurations, and rejects bad grids with one line.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
trace=$src/traces/sample-lackey.txt
py=/usr/bin/python3

# 1. A grid of 4 x 4 points, 4 of them invalid (3 ways), one pass.
"$mmvp" sweep --trace "$trace" --grid mmu.dtlb.l1_4k.entries=8..64:x2 \
  --grid mmu.dtlb.l1_4k.ways=1,2,3,0 --out "$tmp/s" 2>"$tmp/err1"
grep -q "^mmvp sweep: skipped mmu.dtlb.l1_4k.entries=8;mmu.dtlb.l1_4k.ways=3: " "$tmp/err1"
[ "$(grep -c "^mmvp sweep: skipped" "$tmp/err1")" -eq 4 ]
[ "$(wc -l <"$tmp/s.csv")" -eq 13 ]
$py - "$tmp/s" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + ".csv")))
js = json.load(open(sys.argv[1] + ".json"))["rows"]
assert len(rows) == 12 == len(js), (len(rows), len(js))
for r, j in zip(rows, js):
    assert r["engine"] == "one-pass" and j["config"] == r["config"]
    assert int(r["dtlb_hits"]) + int(r["dtlb_misses"]) == int(r["dtlb_lookups"])
    assert int(r["walks"]) == int(r["stlb_misses"]) == j["walks"]
    assert r["cycles"] == ""  # no timing asked
# More entries at the same associativity never miss more (LRU inclusion).
by = {(int(r["mmu.dtlb.l1_4k.entries"]), r["mmu.dtlb.l1_4k.ways"]): int(r["dtlb_misses"]) for r in rows}
for (e, w), m in by.items():
    if (2 * e, w) in by: assert by[(2 * e, w)] <= m, (e, w)
PY

# 2. Resuming with nothing deleted recomputes nothing and leaves the rows as they were.
cp "$tmp/s.csv" "$tmp/first.csv"
"$mmvp" sweep --trace "$trace" --grid mmu.dtlb.l1_4k.entries=8..64:x2 \
  --grid mmu.dtlb.l1_4k.ways=1,2,3,0 --out "$tmp/s" 2>"$tmp/err2"
grep -q "(0 computed, 12 resumed" "$tmp/err2"
cmp "$tmp/s.csv" "$tmp/first.csv"

# 3. Deleting three rows recomputes exactly those three, to the same values.
sed -i '3d;6d;9d' "$tmp/s.csv"
"$mmvp" sweep --trace "$trace" --grid mmu.dtlb.l1_4k.entries=8..64:x2 \
  --grid mmu.dtlb.l1_4k.ways=1,2,3,0 --out "$tmp/s" 2>"$tmp/err3"
grep -q "(3 computed, 9 resumed" "$tmp/err3"
cmp "$tmp/s.csv" "$tmp/first.csv"

# 4. Another replacement policy goes per configuration; its LRU twin equals one pass.
"$mmvp" sweep -q --trace "$trace" --grid mmu.dtlb.l1_4k.policy=lru,plru,random \
  --grid mmu.stlb.l2_4k.entries=16,64 --set mmu.stlb.l2_4k.ways=4 --out "$tmp/p"
$py - "$tmp/p.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["engine"] for r in rows] == ["one-pass"] * 2 + ["per-config"] * 4, rows
assert all(r["base"] == "--set mmu.stlb.l2_4k.ways=4" for r in rows)
PY

# 5. One-pass rows equal `mmvp trace` exactly for the same configurations, on both
# sample traces (the kernel switches the process in before the statistics reset, so
# the measured phase holds the trace's accesses alone).
for t in "$trace" "$src/traces/sample-lackey.txt.zst"; do
  "$mmvp" sweep -q --trace "$t" --grid mmu.dtlb.l1_4k.entries=16,64 \
    --grid mmu.dtlb.l1_4k.ways=2,4 --set mmu.stlb.l2_4k.entries=64 \
    --set mmu.stlb.l2_4k.ways=4 --out "$tmp/c-$(basename "$t")"
  for cfg in "16 2" "64 4"; do
    set -- $cfg
    "$mmvp" trace "$t" -q --set mmu.dtlb.l1_4k.entries=$1 --set mmu.dtlb.l1_4k.ways=$2 \
      --set mmu.stlb.l2_4k.entries=64 --set mmu.stlb.l2_4k.ways=4 --stats-json "$tmp/t-$1-$2.json"
  done
  $py - "$tmp/c-$(basename "$t").csv" "$tmp" <<'PY'
import csv, json, sys
rows = {(r["mmu.dtlb.l1_4k.entries"], r["mmu.dtlb.l1_4k.ways"]): r for r in csv.DictReader(open(sys.argv[1]))}
for e, w in (("16", "2"), ("64", "4")):
    r = rows[(e, w)]
    m = json.load(open(f"{sys.argv[2]}/t-{e}-{w}.json"))["mmu"]
    assert int(r["records"]) > 0
    for lvl in ("dtlb", "itlb", "stlb"):
        for f in ("lookups", "hits", "misses"):
            assert int(r[lvl + "_" + f]) == m[lvl][f], (e, w, lvl, f, r[lvl + "_" + f], m[lvl][f])
    assert int(r["walks"]) == m["walker"]["walks"], (e, w)
PY
done

# 5b. The same with every user page 2 MB (kernel.user_page_size=2m): the 2 MB DTLB
# array and the shared STLB sized in one pass equal `mmvp trace` with 2 MB pages.
t=$src/traces/sample-lackey.txt.zst
"$mmvp" sweep -q --trace "$t" --set kernel.user_page_size=2m --set trace.max_records=300000 \
  --grid mmu.dtlb.l1_2m.entries=1,4 --grid mmu.dtlb.l1_2m.ways=0 --set mmu.stlb.l2_4k.entries=16 \
  --set mmu.stlb.l2_4k.ways=4 --out "$tmp/h"
for e in 1 4; do
  "$mmvp" trace "$t" -q --set kernel.user_page_size=2m --set trace.max_records=300000 \
    --set mmu.dtlb.l1_2m.entries=$e --set mmu.dtlb.l1_2m.ways=0 \
    --set mmu.stlb.l2_4k.entries=16 --set mmu.stlb.l2_4k.ways=4 --stats-json "$tmp/h-$e.json"
done
$py - "$tmp/h.csv" "$tmp" <<'PY'
import csv, json, sys
rows = {r["mmu.dtlb.l1_2m.entries"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert int(rows["1"]["dtlb_misses"]) > int(rows["4"]["dtlb_misses"]) > 0, rows
for e, r in rows.items():
    assert r["engine"] == "one-pass", r["engine"]
    m = json.load(open(f"{sys.argv[2]}/h-{e}.json"))["mmu"]
    assert m["dtlb"]["l1_2m"]["hits"] > 0
    for lvl in ("dtlb", "itlb", "stlb"):
        for f in ("lookups", "hits", "misses"):
            assert int(r[lvl + "_" + f]) == m[lvl][f], (e, lvl, f, r[lvl + "_" + f], m[lvl][f])
    assert int(r["walks"]) == m["walker"]["walks"], e
PY

# 6. Timing runs: full `mmvp trace` children in parallel, rows with cycles.
"$mmvp" sweep -q --trace "$trace" --scenario synthetic:accesses=5000,pages=64 \
  --grid mmu.dtlb.l1_4k.entries=16,64 --timing --jobs 2 --out "$tmp/t"
$py - "$tmp/t.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4 and all(r["engine"] == "platform" for r in rows), rows
assert all(int(r["cycles"]) > 0 and float(r["avg_translation_cycles"]) > 0 for r in rows)
assert rows[2]["workload"] == "synthetic:accesses=5000,pages=64" and int(rows[2]["records"]) == 10000
PY

# 6b. A mix: traces run together as processes (platform runs). With PCIDs two
# processes keep their TLB entries across switches; eight outnumber the six ASIDs
# (TLB_NR_DYN_ASIDS) and, switched round-robin, flush on every switch as without.
big=$src/traces/sample-lackey.txt.zst; m2=$big,$big; m8=$m2,$m2,$m2,$m2
"$mmvp" sweep -q --mix "$m2" --mix "$m8" --grid kernel.pcid=false,true \
  --set kernel.slice_records=2000 --set trace.max_records=40000 --out "$tmp/mix"
$py - "$tmp/mix.csv" "$big" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
two, eight = rows[:2], rows[2:]
assert len(rows) == 4 and all(r["engine"] == "platform" for r in rows), rows
assert two[0]["workload"] == sys.argv[2] + "+" + sys.argv[2], two[0]["workload"]
w = lambda r: int(r["walks"])
assert w(two[1]) * 3 < w(two[0]), (w(two[0]), w(two[1]))
assert int(two[0]["switch_flushes_avoided"]) == 0 and int(two[1]["switch_flushes_avoided"]) > 10
assert int(eight[1]["switch_flushes_avoided"]) <= 6 and abs(w(eight[1]) - w(eight[0])) * 50 < w(eight[0])
PY

# 7. Bad input: one line on stderr, non-zero exit, nothing written.
for bad in "--grid nonsense" "--grid mmu.dtlb.l1_4k.entries=64..16:x2" \
           "--grid no.such.param=1,2" "--grid mmu.dtlb.l1_4k.policy=lru,fifo" \
           "--scenario nosuch" "--scenario synthetic:pages=x" "--mix $trace" \
           "--mix $trace,/no/such.mmvt" "--mix $trace,,$trace"; do
  set +e
  # shellcheck disable=SC2086
  "$mmvp" sweep --trace "$trace" $bad --out "$tmp/bad" 2>"$tmp/err"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || { echo "accepted: $bad"; exit 1; }
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "not one line: $bad"; cat "$tmp/err"; exit 1; }
  [ ! -e "$tmp/bad.csv" ]
done
echo "sweep: grid rows, resume, per-config policies, mmvp trace agreement, timing, bad input"
