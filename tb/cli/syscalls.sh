#!/usr/bin/env bash
# A real program's trace with its system calls (traces/sample-sort.mmvt.zst: `sort` of
# five words, captured by scripts/capture-trace) replays end to end: every mmap,
# munmap, mprotect and brk made again with the traced result, no segfault, the VMAs
# of the real run in /proc/1/maps. Conversion keeps the calls; a live capture's text
# log and its binary form replay alike.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stat() {  # a statistic of a --stats-json file by its dotted name
  /usr/bin/python3 -c 'import functools,json,sys; print(functools.reduce(lambda d,k: d[k], sys.argv[2].split("."), json.load(open(sys.argv[1]))))' "$1" "$2"
}

"$mmvp" trace "$src/traces/sample-sort.mmvt.zst" -q --proc "$tmp/proc" --stats-json "$tmp/s.json"
[ "$(stat "$tmp/s.json" trace.killed)" = 0 ]
[ "$(stat "$tmp/s.json" trace.syscalls)" = 34 ]  # 28 mmap, 1 munmap, 3 brk, ... exit_group
[ "$(stat "$tmp/s.json" trace.syscalls_not_made)" = 0 ]
[ "$(stat "$tmp/s.json" trace.syscall_mismatches)" = 0 ]
vmas=$(stat "$tmp/s.json" workload.0.vmas)
[ "$vmas" = 38 ]
[ "$(wc -l <"$tmp/proc/1/maps")" = "$vmas" ]
grep -q ' r-xp [0-9a-f]\{8\} 00:00 0 \{34\}/lib/x86_64-linux-gnu/libc.so.6$' "$tmp/proc/1/maps"
grep -q ' rw-p 00000000 00:00 0 \{34\}\[heap\]$' "$tmp/proc/1/maps"
head -1 "$tmp/proc/1/smaps_rollup" | grep -q ' ---p 00000000 00:00 0 \+\[rollup\]$'
# The munmap of the locale archive's mapping took its VMA away.
! grep -q '^0483c000-' "$tmp/proc/1/maps"

# A sweep measures such a trace on the platform (not populated, with invalidations).
"$mmvp" sweep -q --trace "$src/traces/sample-sort.mmvt.zst" --grid mmu.dtlb.l1_4k.entries=16 \
  --out "$tmp/sw"
/usr/bin/python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert [x["engine"] for x in r]==["platform"], r' "$tmp/sw.csv"

# trace convert keeps the system-call records byte for byte.
"$mmvp" trace convert "$src/traces/sample-sort.mmvt.zst" "$tmp/again.mmvt"
zstd -q -d -c "$src/traces/sample-sort.mmvt.zst" | cmp - "$tmp/again.mmvt"

# A live capture (when valgrind is here): the text log and its conversion replay alike.
if command -v valgrind >/dev/null && command -v setarch >/dev/null; then
  "$src/scripts/capture-trace" --mmvp "$mmvp" --keep-text -o "$tmp/true.mmvt.zst" true \
    >/dev/null 2>&1
  "$mmvp" trace "$tmp/true.mmvt.lackey" -q --stats-json "$tmp/t.json"
  "$mmvp" trace "$tmp/true.mmvt.zst" -q --stats-json "$tmp/b.json"
  [ "$(stat "$tmp/t.json" trace.syscalls)" -gt 5 ]
  [ "$(stat "$tmp/t.json" trace.syscall_mismatches)" = 0 ]
  strip() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ("host","workload")]; print(json.dumps(d,sort_keys=True))' "$1"; }
  [ "$(strip "$tmp/t.json")" = "$(strip "$tmp/b.json")" ]
fi
echo "syscalls: sort replays with its 34 system calls and 38 VMAs"
