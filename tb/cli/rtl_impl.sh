#!/usr/bin/env bash
# mmu.dtlb.l1_4k.impl=rtl: the verilated RTL TLB stands in for the C++ L1 DTLB 4K array.
# Every simulated statistic equals the C++ model's (the kernel tour: fills, evictions,
# INVLPGs, CR3 flushes; a trace in lock-step), the RTL's ports and internal signals are
# written on the core's time axis, a size with no verilated variant and a build without
# the RTL are one-line errors, and the sweep measures rtl points with platform runs.
set -euo pipefail
mmvp=$1; src=$2
# A core with an RTL array reports no PCID (the RTL has no PCID tags): the C++ runs it
# is compared with run on a core without PCID too.
nopcid="--set cpu.pcid=false"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

if ! "$mmvp" trace "$src/traces/sample-lackey.txt" -q --set mmu.dtlb.l1_4k.impl=rtl \
    2>err.txt >/dev/null; then
  # A build without MMVP_BUILD_RTL: the parameter exists and says what is missing.
  grep -q "mmu.dtlb.l1_4k.impl: implementation 'rtl' is not available in this build" err.txt
  [ "$(wc -l <err.txt)" -eq 1 ]
  echo "rtl_impl: this build has no RTL; the error says so (skipped)"
  exit 77  # ctest: SKIP_RETURN_CODE
fi

same_stats() {  # fails naming the simulated statistics that differ between two runs
  /usr/bin/python3 "$src/tb/cli/same_stats.py" "$1" "$2" --ignore '\.rtl_cycles$'
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert b["mmu"]["dtlb"]["l1_4k"].get("rtl_cycles", 0) > 0, "the rtl run did not use the RTL"
assert a["mmu"]["dtlb"]["l1_4k"]["evictions"] > 1000, "the run does not exercise replacement"
PY
}

# The kernel tour with a 16x4 LRU DTLB (evicts constantly; vfree/iounmap INVLPGs) and
# the whole L1 DTLB in RTL: its 2M array holds the direct map's 2M pages.
for impl in cpp rtl; do
  "$mmvp" demo -q $nopcid --set mem.capacity=64M --set mmu.dtlb.l1_4k.entries=16 \
    --set mmu.dtlb.l1_4k.impl=$impl --set mmu.dtlb.l1_2m.impl=$impl \
    --set mmu.dtlb.l1_1g.impl=$impl --stats-json demo_$impl.json >/dev/null
done
same_stats demo_cpp.json demo_rtl.json
/usr/bin/python3 - demo_rtl.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["mmu"]["dtlb"]
assert d["l1_4k"]["invalidations"] > 0, "no INVLPG reached the RTL"
assert d["l1_2m"]["hits"] > 1000 and d["l1_2m"]["rtl_cycles"] > 0, "the 2M array is idle"
assert d["l1_1g"]["rtl_cycles"] > 0, "the 1G array is not RTL"
PY

# A trace in lock-step through a 16x4 array, with waveforms.
for impl in cpp rtl; do
  "$mmvp" trace "$src/traces/sample-lackey.txt.zst" -q $nopcid --quantum 0 --set mem.capacity=64M \
    --set trace.max_records=200000 --set mmu.dtlb.l1_4k.entries=16 \
    --set mmu.dtlb.l1_4k.impl=$impl --stats-json trace_$impl.json --vcd trace_$impl.vcd
done
same_stats trace_cpp.json trace_rtl.json
# Ports in the platform's VCD; the RTL's own VCD beside it, on the same time axis.
for sig in lookup_valid resp_hit fill_vpn victim_valid flush_valid; do
  grep -q " $sig " trace_rtl.vcd || { echo "RTL port $sig missing from the platform VCD"; exit 1; }
done
rtl_vcd=trace_rtl.top.cpu.mmu.dtlb.l1_4k.vcd
grep -q " lk_match " "$rtl_vcd"
/usr/bin/python3 "$src/tb/probe/wave_check.py" trace_rtl.vcd --gtkw "$src/traces/mmvp_rtl.gtkw"
/usr/bin/python3 "$src/tb/probe/wave_check.py" "$rtl_vcd" --gtkw "$src/traces/tlb_rtl_platform.gtkw"
/usr/bin/python3 - trace_rtl.vcd "$rtl_vcd" <<'PY'
import sys
def rises(path, name):
    """Times at which the 1-bit signal `name` becomes 1 (first scope that has it)."""
    code, t, out = None, 0, []
    for line in open(path):
        f = line.split()
        if code is None and f[:1] == ["$var"] and f[4] == name:
            code = f[3]
        elif line.startswith("#"):
            t = int(line[1:])
        elif code and line.strip() == "1" + code:
            out.append(t)
    return out
platform, rtl = rises(sys.argv[1], "lookup_valid"), rises(sys.argv[2], "lookup_valid")
assert len(platform) > 1000 and platform == rtl, (len(platform), len(rtl), platform[:3], rtl[:3])
PY

# No verilated 128x8 array: a one-line error naming the variants built.
if "$mmvp" trace "$src/traces/sample-lackey.txt" -q --set mmu.dtlb.l1_4k.impl=rtl \
    --set mmu.dtlb.l1_4k.entries=128 --set mmu.dtlb.l1_4k.ways=8 2>err.txt; then
  echo "an unbuilt RTL variant was accepted"; exit 1
fi
grep -q "no verilated RTL TLB for 128 entries, 8 ways" err.txt
[ "$(wc -l <err.txt)" -eq 1 ]

# The sweep runs rtl points on the platform engine; their figures equal the C++ model's.
"$mmvp" sweep --trace "$src/traces/sample-lackey.txt" $nopcid --grid mmu.dtlb.l1_4k.impl=cpp,rtl \
  --grid mmu.dtlb.l1_4k.entries=16,64 --grid mmu.dtlb.l1_4k.ways=4 --out sweep 2>/dev/null
/usr/bin/python3 - sweep.csv <<'PY'
import csv, sys
rows = {(r["mmu.dtlb.l1_4k.impl"], r["mmu.dtlb.l1_4k.entries"]): r for r in csv.DictReader(open(sys.argv[1]))}
for n in ("16", "64"):
    c, r = rows[("cpp", n)], rows[("rtl", n)]
    assert r["engine"] == "platform", r["engine"]
    for k in ("dtlb_lookups", "dtlb_misses", "stlb_misses", "walks"):
        assert c[k] == r[k], (n, k, c[k], r[k])
PY
echo "rtl_impl: the RTL L1 DTLB matches the C++ model in the platform"
