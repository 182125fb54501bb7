#!/usr/bin/env bash
# kernel.memmap_fast_forward: an 8 GB guest (a 3 GB DMA32 zone, then a 5 GB Normal zone
# above the PCI hole, all but its first 128 MB deferred), whose memmap_init,
# memblock_free_all and deferred_init_memmap fast-forward 1496 blocks of 4 MB between
# their detailed heads and tails, boots to the same /proc files, the same kernel log and
# the same statistics of the workload as a boot that runs every block in detail: the
# fast-forward leaves the TLBs, caches and DRAM as the detailed run does. Only the
# boot's cycles differ (the fast-forwarded blocks are charged at the measured rate),
# here with random L3 and pseudo-LRU L2 replacement by about 0.2% (0.0004% with LRU),
# and the count of DMI grants (a simulator mechanism, not the machine's state).
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for ff in on off; do
  "$mmvp" trace "$src/traces/sample-lackey.txt" -q --set mem.capacity=8G \
    --set kernel.memmap_fast_forward=$ff --set cache.llc.policy=random \
    --set cache.l2.policy=plru --proc "$tmp/proc-$ff" --console "$tmp/log-$ff" \
    --stats-json "$tmp/s-$ff.json"
done
diff -r "$tmp/proc-on" "$tmp/proc-off"
diff <(sed 's/initialised in [0-9]*ms/initialised/' "$tmp/log-on") \
  <(sed 's/initialised in [0-9]*ms/initialised/' "$tmp/log-off")
/usr/bin/python3 "$src/tb/cli/same_stats.py" "$tmp/s-on.json" "$tmp/s-off.json" \
  --ignore '^(kernel\.boot_cycles|kernel\.boot_memmap_ff_(pages|cycles)|dram\.dmi_grants)$'
/usr/bin/python3 - "$tmp/s-on.json" "$tmp/s-off.json" <<'PY'
import json, sys
on, off = (json.load(open(f))["kernel"] for f in sys.argv[1:3])
assert on["boot_memmap_ff_pages"] == 1496 * 1024, on["boot_memmap_ff_pages"]
assert off["boot_memmap_ff_pages"] == 0 and off["boot_memmap_ff_cycles"] == 0
assert on["boot_memmap_ff_cycles"] > 0
error = abs(on["boot_cycles"] - off["boot_cycles"]) / off["boot_cycles"]
assert error < 0.005, (on["boot_cycles"], off["boot_cycles"])
print(f"boot cycles: {on['boot_cycles']} fast-forwarded, {off['boot_cycles']} in detail "
      f"({100 * error:.4f}% apart)")
PY
echo "memmap fast-forward: same /proc, log and workload statistics as the detailed boot"
