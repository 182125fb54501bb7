#!/usr/bin/env bash
# Two identical runs give identical statistics and identical VCD bytes.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in 1 2; do
  "$mmvp" trace "$src/traces/sample-lackey.txt" --quantum 0 -q \
    --vcd "$tmp/run$i.vcd" --stats-json "$tmp/run$i.json"
done
cmp "$tmp/run1.vcd" "$tmp/run2.vcd"
# Host timings differ between runs; everything simulated must not.
strip() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("host",None); print(json.dumps(d,sort_keys=True))' "$1"; }
[ "$(strip "$tmp/run1.json")" = "$(strip "$tmp/run2.json")" ]
# The waveform holds what it promises.
for sig in 'cr3' 'dtlb_hit' 'stlb_miss' 'l1d_miss' 'walk_level' 'bank0_active' 'bank0_open_row' 'exception'; do
  grep -q " $sig " "$tmp/run1.vcd" || { echo "signal $sig missing from the VCD"; exit 1; }
done
[ "$(wc -c <"$tmp/run1.vcd")" -gt 10000 ]
# Time never goes backwards, values fit their widths, the save file's signals exist.
/usr/bin/python3 "$src/tb/probe/wave_check.py" "$tmp/run1.vcd" --gtkw "$src/traces/mmvp.gtkw"
echo "determinism: identical statistics and VCD bytes"
