#!/usr/bin/env bash
# The whole staircase, 4 KB to 1 GB (minutes): every point of both strides, and the
# published-figure table within the documented deviations (docs/user-guide.md).
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mmvp" latency --to 1G --csv "$tmp/lat.csv"
[ "$(wc -l <"$tmp/lat.csv")" -eq 39 ]
"$src/scripts/plot-latency" "$tmp/lat.csv" -o "$tmp/lat" | tee "$tmp/table.txt"
/usr/bin/python3 - "$tmp/table.txt" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.search(r"([+-]\d+\.\d)%", line)
    if m:
        assert abs(float(m.group(1))) <= 25, line
PY
