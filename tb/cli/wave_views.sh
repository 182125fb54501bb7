#!/usr/bin/env bash
# traces/views/GROUP.gtkw: current with tb/probe/gtkw_views.py, and each shows exactly
# the signals a dump of its --wave-signals group declares (tb/probe/wave_check.py checks
# that every row exists; here also that no signal of the dump is left out).
set -uo pipefail
mmvp=$1; src=$2
t=$src/traces/sample-lackey.txt
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

/usr/bin/python3 "$src/tb/probe/gtkw_views.py" "$src/traces" "$tmp/views" || die "generator"
for f in "$tmp"/views/*.gtkw; do
  cmp -s "$f" "$src/traces/views/$(basename "$f")" ||
    die "traces/views/$(basename "$f") is stale: run tb/probe/gtkw_views.py traces"
done

for group in cpu mmu cache dram dma rtl; do
  extra=()
  if [ "$group" = rtl ]; then
    "$mmvp" trace "$t" -q --wave "$tmp/probe.vcd" --set mmu.dtlb.l1_4k.impl=rtl \
      --wave-to +1us 2>/dev/null || { echo "wave_views: no RTL in this build, rtl skipped"; continue; }
    extra=(--set mmu.dtlb.l1_4k.impl=rtl)
  fi
  "$mmvp" trace "$t" -q --quantum 0 --wave "$tmp/$group.vcd" --wave-signals "$group" \
    "${extra[@]}" --wave-to +5us || { die "$group: run"; continue; }
  /usr/bin/python3 "$src/tb/probe/wave_check.py" "$tmp/$group.vcd" \
    --gtkw "$src/traces/views/$group.gtkw" || die "$group: view rows missing from the dump"
  /usr/bin/python3 - "$src/tb/probe" "$tmp/$group.vcd" "$src/traces/views/$group.gtkw" <<'PY' || die "$group: dump signals missing from the view"
import re, sys
sys.path.insert(0, sys.argv[1])
from vcd_file import open_vcd
names = {v.name for v in open_vcd(sys.argv[2])[0]}
rows = {re.sub(r"\[\d+:\d+\]$", "", l.strip()) for l in open(sys.argv[3])
        if l.strip().startswith("top.")}
missing = sorted(names - rows)
if missing:
    print("not in the view:", ", ".join(missing))
    sys.exit(1)
PY
done
[ $fail -eq 0 ] && echo "wave_views: every group's view matches its dump"
exit $fail
