#!/usr/bin/env bash
# The real procps tools read mmvp's /proc files as they read Linux's: in a private mount
# namespace the --proc directory is bind-mounted over /proc, and free, slabtop and pmap
# (plain, -x and -X, which parse maps, smaps and status) run on it; vmstat -s and -a
# run with mmvp's vmstat and meminfo bind-mounted over this machine's. Their figures must
# agree with the statistics and with each other. Exits 77 (skipped) where this machine
# cannot make a mount namespace or lacks procps.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for tool in unshare free pmap slabtop vmstat; do
  command -v "$tool" >/dev/null || { echo "procps: no $tool here"; exit 77; }
done
unshare -m true 2>/dev/null || { echo "procps: cannot make a mount namespace here"; exit 77; }
stat() {  # a statistic of a --stats-json file by its dotted name
  /usr/bin/python3 -c 'import functools,json,sys; print(functools.reduce(lambda d,k: d[k], sys.argv[2].split("."), json.load(open(sys.argv[1]))))' "$1" "$2"
}
# Runs a command with DIR as /proc.
with_proc() {
  local dir=$1; shift
  unshare -m sh -c 'mount --bind "$0" /proc && exec "$@"' "$dir" "$@"
}

# sort with its system calls (38 VMAs, file mappings, heap, stack); a THP run for
# AnonHugePages.
"$mmvp" trace "$src/traces/sample-sort.mmvt.zst" -q --proc "$tmp/proc" --stats-json "$tmp/s.json"
p=$tmp/proc/1
[ "$(tr -d '\0' <"$p/cmdline")" = "$(sed -n 's/^Name:\t//p' "$p/status")" ]
with_proc "$tmp/proc" pmap 1 >"$tmp/pmap"
with_proc "$tmp/proc" pmap -x 1 >"$tmp/pmapx"
with_proc "$tmp/proc" pmap -X 1 >"$tmp/pmapX"
with_proc "$tmp/proc" free -k >"$tmp/free"
with_proc "$tmp/proc" slabtop -o >"$tmp/slabtop"

# pmap: one line per VMA between the header and the total, which is VmSize.
vmas=$(stat "$tmp/s.json" workload.0.vmas)
head -1 "$tmp/pmap" | grep -q "^1: *$(sed -n 's/^Name:\t//p' "$p/status")"
[ "$(($(wc -l <"$tmp/pmap") - 2))" = "$vmas" ]
vmsize=$(sed -n 's/^VmSize:\t *\([0-9]*\) kB$/\1/p' "$p/status")
tail -1 "$tmp/pmap" | grep -q "^ total *${vmsize}K$"
# pmap -x: the RSS total from smaps equals VmRSS of status and smaps_rollup's Rss.
rss=$(sed -n 's/^VmRSS:\t *\([0-9]*\) kB$/\1/p' "$p/status")
[ "$rss" -gt 0 ]
tail -1 "$tmp/pmapx" | grep -q "^total kB *${vmsize} *${rss} "
grep -q "^Rss: *${rss} kB$" "$p/smaps_rollup"
grep -q 'libc.so.6' "$tmp/pmapx"
# pmap -X reads every smaps field by name.
head -2 "$tmp/pmapX" | tail -1 | grep -q 'Rss.*Pss.*Referenced.*Anonymous.*THPeligible'
# free: MemTotal and MemFree as meminfo has them.
total=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' "$tmp/proc/meminfo")
free_kb=$(sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' "$tmp/proc/meminfo")
grep -q "^Mem: *${total} .* ${free_kb} " "$tmp/free"
# slabtop: the caches of slabinfo, vm_area_struct among them.
grep -q 'vm_area_struct' "$tmp/slabtop"

# A 2 MB THP shows in smaps, pmap -X and status (RssAnon includes it).
"$mmvp" trace "$src/traces/sample-lackey.txt" -q --set kernel.thp=always \
  --set kernel.user_page_size=2m --proc "$tmp/thp"
t=$tmp/thp/1
grep -q '^AnonHugePages: *[1-9][0-9]* kB$' "$t/smaps"
grep -q '^KernelPageSize: *4 kB$' "$t/smaps"
with_proc "$tmp/thp" pmap -X 1 >"$tmp/thpX"
with_proc "$tmp/thp" pmap -x 1 >/dev/null
[ "$(wc -l <"$tmp/thpX")" -gt 3 ]
# vmstat -s and -a: mmvp's /proc/vmstat and /proc/meminfo over this machine's (its
# /proc/stat stays), taken while two processes run so the anonymous pages count.
"$mmvp" trace "$src/traces/sample-sort.mmvt.zst" "$src/traces/sample-sort.mmvt.zst" -q \
  --proc "$tmp/live" --proc-at 300000
live=$(ls -d "$tmp"/live/at-*ns | head -1)
with_files() {
  unshare -m sh -c 'mount --bind "$0/vmstat" /proc/vmstat && mount --bind "$0/meminfo" /proc/meminfo && exec "$@"' "$@"
}
with_files "$live" vmstat -s >"$tmp/vmstat_s"
with_files "$live" vmstat -a >"$tmp/vmstat_a"
mi() { sed -n "s/^$1: *\([0-9]*\) kB$/\1/p" "$live/meminfo"; }
grep -q "^ *$(mi MemTotal) K total memory$" "$tmp/vmstat_s"
grep -q "^ *$(mi MemFree) K free memory$" "$tmp/vmstat_s"
grep -q "^ *$(mi Inactive) K inactive memory$" "$tmp/vmstat_s"
[ "$(mi Inactive)" -gt 0 ]
# vmstat -a's memory columns: swpd free inact active.
read -r _ _ swpd vfree inact active _ < <(tail -1 "$tmp/vmstat_a")
[ "$swpd" = 0 ] && [ "$vfree" = "$(mi MemFree)" ] && [ "$inact" = "$(mi Inactive)" ] && [ "$active" = 0 ]
echo "procps: pmap, pmap -x, pmap -X, free, slabtop and vmstat -s/-a read mmvp's /proc"
