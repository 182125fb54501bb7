#!/usr/bin/env bash
# --wave FILE.fst: GTKWave's FST holds exactly what the VCD of the same run holds (read
# back with GTKWave's fst2vcd), is byte-identical across runs, and is much smaller.
set -euo pipefail
mmvp=$1; src=$2
command -v fst2vcd >/dev/null || { echo "fst2vcd (Debian's gtkwave) not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { "$mmvp" trace "$src/traces/sample-lackey.txt" -q --quantum 0 --wave-from 0 --wave "$1"; }
run "$tmp/run.vcd"
run "$tmp/run1.fst"
run "$tmp/run2.fst"
cmp "$tmp/run1.fst" "$tmp/run2.fst"
fst2vcd "$tmp/run1.fst" -o "$tmp/back.vcd" >/dev/null 2>&1
/usr/bin/python3 "$src/tb/probe/wave_compare.py" "$tmp/run.vcd" "$tmp/back.vcd"
/usr/bin/python3 "$src/tb/probe/wave_check.py" "$tmp/back.vcd" --gtkw "$src/traces/mmvp.gtkw"
vcd=$(wc -c <"$tmp/run.vcd"); fst=$(wc -c <"$tmp/run1.fst")
[ "$fst" -lt $((vcd / 10)) ] || { echo "FST $fst bytes is not a tenth of the VCD's $vcd"; exit 1; }
echo "fst: same content as the VCD, identical bytes across runs, $fst vs $vcd bytes"
