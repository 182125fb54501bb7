#!/usr/bin/env bash
# --debug-flags: every flag prints lines in the documented format, turning them on
# changes no statistic, --debug-start drops earlier lines, and bad flags, times and
# files are one-line errors.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
trace=$src/traces/sample-lackey.txt

"$mmvp" debug-flags >flags.txt
for f in Walker Tlb Cache Dram Dma Fault Slab Buddy Vmalloc; do grep -q "^$f " flags.txt; done

small=(--set mem.capacity=64M)  # a small guest: boot prints fewer lines
"$mmvp" trace "$trace" -q "${small[@]}" --stats-json plain.json
"$mmvp" trace "$trace" -q "${small[@]}" --stats-json traced.json --debug-flags All --debug-file all.txt
/usr/bin/python3 "$src/tb/cli/same_stats.py" plain.json traced.json
# Every line: right-aligned picoseconds, the block, the message.
bad=$(grep -cvE '^ *[0-9]+: [a-z.0-9_]+: .+$' all.txt || true)
[ "$bad" -eq 0 ] || { echo "$bad malformed debug lines"; exit 1; }
for who in mmu.walker mmu.dtlb mmu.stlb cache top.dram top.cpu slab buddy; do
  grep -q ": $who: " all.txt || { echo "no $who lines"; exit 1; }
done
# Times never go below --debug-start: the end of boot, here.
start=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["boot_cycles"] * 250)' plain.json)
"$mmvp" trace "$trace" -q "${small[@]}" --debug-flags Walker --debug-start "$start" 2>late.txt
[ -s late.txt ]
awk -F: -v s="$start" '$1 + 0 < s + 0 { exit 1 }' late.txt
# The allocator tour maps vmalloc and ioremap areas.
"$mmvp" demo -q --debug-flags Vmalloc --debug-file vm.txt >/dev/null
grep -q ": vmalloc: area 0x[0-9a-f]*-0x[0-9a-f]* (.* pages + guard) flags .* for " vm.txt
# The DMA controller and the core's interrupt delivery.
"$mmvp" dma-check -q --debug-flags Dma,Fault --debug-file dma.txt >/dev/null
grep -q "top.dma: channel 5: device->memory 2 byte(s)" dma.txt
grep -q "top.cpu: IRQ vector 0x25" dma.txt

expect_error() {  # expect_error MESSAGE ARGS...: exit 2 and that one line
  local want=$1; shift
  if "$mmvp" trace "$trace" -q "$@" 2>err.txt >/dev/null; then echo "accepted: $*"; exit 1; fi
  [ "$(wc -l <err.txt)" -eq 1 ] && grep -qF "$want" err.txt || { cat err.txt; exit 1; }
}
expect_error "unknown flag 'Walkr'" --debug-flags Walkr
expect_error "is not a simulated time" --debug-flags Tlb --debug-start 5min
expect_error "cannot write $tmp/no/such/dir/d.txt" --debug-flags Tlb --debug-file "$tmp/no/such/dir/d.txt"
expect_error "need --debug-flags" --debug-file x.txt
echo "debug_flags: ok"
