#!/usr/bin/env bash
# mmvp latency: the staircase's plateaus are the skylake preset's latencies (L1D 4,
# L2 12, an STLB hit +9 on an L1 hit), cache and TLB misses per load step where the
# working set outgrows each level, and the plot script compares them with the
# published figures. Bad sizes are one-line errors.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mmvp" latency --to 16M --csv "$tmp/lat.csv"
/usr/bin/python3 - "$tmp/lat.csv" <<'PY'
import csv, sys
rows = {(int(r["stride"]), int(r["bytes"])): r for r in csv.DictReader(open(sys.argv[1]))}
def c(stride, size): return float(rows[(stride, size)]["cycles_per_load"])
def f(stride, size, col): return float(rows[(stride, size)][col])
K, M = 1 << 10, 1 << 20
assert c(64, 16 * K) == 4.0, c(64, 16 * K)              # L1D
assert c(64, 128 * K) == 12.0, c(64, 128 * K)           # L2
assert f(64, 128 * K, "l1d_misses_per_load") == 1.0
assert 42 < c(64, 2 * M) < 55                            # LLC (+ STLB hits)
assert f(64, 16 * M, "llc_misses_per_load") > 0.9        # DRAM beyond the 8 MB LLC
assert c(64, 16 * M) > 200
assert c(4096, 256 * K) == 4.0                           # 64 pages: the L1 DTLB's reach
assert c(4096, 1 * M) == 13.0                            # + an STLB hit
assert f(4096, 1 * M, "dtlb_misses_per_load") == 1.0 and f(4096, 1 * M, "stlb_misses_per_load") == 0
assert f(4096, 8 * M, "stlb_misses_per_load") == 1.0     # beyond the STLB's 1536 entries
assert f(4096, 8 * M, "walk_cycles_per_load") > 0
print("latency: plateaus as configured")
PY
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  "$src/scripts/plot-latency" "$tmp/lat.csv" -o "$tmp/lat" >"$tmp/table.txt"
  grep -q "^L1D hit .* +0.0%" "$tmp/table.txt"
  [ -s "$tmp/lat.png" ] && [ -s "$tmp/lat.svg" ]
fi
if "$mmvp" latency --from 1M --to 4K 2>"$tmp/err" >/dev/null; then exit 1; fi
grep -q "larger than --to" "$tmp/err"
if "$mmvp" latency --to lots 2>"$tmp/err" >/dev/null; then exit 1; fi
grep -q "'lots' is not a size" "$tmp/err"
