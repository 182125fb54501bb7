#!/usr/bin/env bash
# kernel.deferred_struct_page_init: a 6 GB guest (DMA, DMA32 and a 2 GB Normal zone,
# all but its first 128 MB section deferred) boots to the same /proc files, the same
# statistics and the same kernel log with deferral on and off, but for Linux's
# "node 0 deferred pages initialised" line; the deferred boot writes each struct page
# once, so it takes fewer simulated cycles. Both boots run every block in detail
# (kernel.memmap_fast_forward has its own test, memmap_fast_forward.sh).
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for d in on off; do
  "$mmvp" trace "$src/traces/sample-lackey.txt" -q --set mem.capacity=6G \
    --set kernel.deferred_struct_page_init=$d --set kernel.memmap_fast_forward=off --proc "$tmp/proc-$d" --console "$tmp/log-$d" \
    --stats-json "$tmp/s-$d.json"
done
diff -r "$tmp/proc-on" "$tmp/proc-off"
grep -q '^node 0 deferred pages initialised in [0-9]*ms$' "$tmp/log-on"
! grep -q 'deferred pages' "$tmp/log-off"
diff <(grep -v 'deferred pages initialised' "$tmp/log-on") "$tmp/log-off"
/usr/bin/python3 "$src/tb/cli/same_stats.py" "$tmp/s-on.json" "$tmp/s-off.json" \
  --ignore '^kernel\.boot_cycles$'
/usr/bin/python3 - "$tmp/s-on.json" "$tmp/s-off.json" <<'PY'
import json, sys
on, off = (json.load(open(f))["kernel"]["boot_cycles"] for f in sys.argv[1:3])
assert on < off, (on, off)
print(f"boot cycles: {on} deferred, {off} not")
PY
echo "deferred struct page init: same /proc, statistics and log, fewer boot cycles"
