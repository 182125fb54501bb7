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
/usr/bin/python3 - "$tmp/s-on.json" "$tmp/s-off.json" <<'PY'
import json, sys
def flat(d, p=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, p + k + ".")
        else:
            yield p + k, v
on, off = (dict(flat(json.load(open(f)))) for f in sys.argv[1:3])
differ = sorted(k for k in on.keys() | off.keys()
                if on.get(k) != off.get(k) and not k.startswith("host."))
assert differ == ["kernel.boot_cycles"], differ
assert on["kernel.boot_cycles"] < off["kernel.boot_cycles"], (on["kernel.boot_cycles"], off["kernel.boot_cycles"])
print(f"boot cycles: {on['kernel.boot_cycles']} deferred, {off['kernel.boot_cycles']} not")
PY
echo "deferred struct page init: same /proc, statistics and log, fewer boot cycles"
