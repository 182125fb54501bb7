#!/usr/bin/env bash
# The i386 kernel (kernel.arch=i386: PAE or 2-level paging, HIGHMEM): on 2 GB it prints Linux's
# i386 boot lines (HIGHMEM/LOWMEM available, the virtual kernel memory layout), runs the
# 32-bit sort trace natively (user pages from ZONE_HIGHMEM), and its /proc files show
# the HighMem zone and HighTotal/LowTotal, which the real `free -l` reads. The split
# moves with kernel.i386.vmsplit; a small machine has no highmem; a 64-bit trace is
# refused with one line; the demo and dma-check run on it.
set -euo pipefail
mmvp=$(realpath "$1"); src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stat() {  # a statistic of a --stats-json file by its dotted name
  /usr/bin/python3 -c 'import functools,json,sys; print(functools.reduce(lambda d,k: d[k], sys.argv[2].split("."), json.load(open(sys.argv[1]))))' "$1" "$2"
}
sample=$src/traces/sample-sort-i386.mmvt.zst
i386=(--set kernel.arch=i386 --set mem.capacity=2G)

"$mmvp" trace "$sample" "${i386[@]}" -q --console "$tmp/log" --proc "$tmp/proc" \
  --stats-json "$tmp/s.json"
log=$tmp/log
grep -q '^mmvp guest kernel (i386, PAE paging, HIGHMEM) booting$' "$log"
grep -q '^1158MB HIGHMEM available\.$' "$log"
grep -q '^889MB LOWMEM available\.$' "$log"
grep -q '^virtual kernel memory layout:$' "$log"
grep -q '^    fixmap  : 0xfffea000 - 0xfffff000   (  84 kB)$' "$log"
grep -q '^    pkmap   : 0xffa00000 - 0xffc00000   (2048 kB)$' "$log"
grep -q '^    vmalloc : 0xf81fe000 - 0xff9fe000   ( 120 MB)$' "$log"
grep -q '^    lowmem  : 0xc0000000 - 0xf79fe000   ( 889 MB)$' "$log"
grep -q '^  HighMem  \[mem 0x00000000379fe000-0x000000007fffffff\]$' "$log"
grep -q 'cma-reserved, 1185800K highmem)$' "$log"
! grep -q 'registered 1.00 GiB' "$log"  # no gigantic pages on 32-bit
[ "$(stat "$tmp/s.json" workload.0.abi)" = i386 ]
[ "$(stat "$tmp/s.json" trace.killed)" = 0 ]
[ "$(stat "$tmp/s.json" trace.syscall_mismatches)" = 0 ]
# User pages come from ZONE_HIGHMEM; the kernel's from Normal.
[ "$(stat "$tmp/s.json" kernel.vmstat.pgalloc_high)" -gt 200 ]
grep -q '^pgalloc_high [1-9]' "$tmp/proc/vmstat"
! grep -q 'dma32' "$tmp/proc/vmstat"
awk '{ split($1, r, "-"); if (r[2] > "c0000000") { print "above PAGE_OFFSET: " $0; exit 1 } }' \
  "$tmp/proc/1/maps"
# /proc: the HighMem zone, HighTotal/LowTotal, DirectMap2M and no DirectMap1G.
grep -q '^Node 0, zone  HighMem$' "$tmp/proc/zoneinfo"
grep -q '^        min      128$' "$tmp/proc/zoneinfo"  # highmem: managed/1024 clamped to 128
grep -q '^Node 0, zone  HighMem ' "$tmp/proc/buddyinfo"
[ "$(grep -c '^Node 0, zone' "$tmp/proc/zoneinfo")" = 4 ]  # DMA, Normal, HighMem, Movable
kb() { sed -n "s/^$1: *\([0-9]*\) kB$/\1/p" "$tmp/proc/meminfo"; }
[ "$(kb HighTotal)" = 1185800 ]
[ $(($(kb LowTotal) + $(kb HighTotal))) = "$(kb MemTotal)" ]
[ $(($(kb LowFree) + $(kb HighFree))) = "$(kb MemFree)" ]
grep -q '^DirectMap2M:' "$tmp/proc/meminfo"
! grep -q '^DirectMap1G:' "$tmp/proc/meminfo"
# The real free -l reads the Low and High lines.
if command -v free >/dev/null && unshare -m true 2>/dev/null; then
  unshare -m sh -c 'mount --bind "$0" /proc && exec free -l -k' "$tmp/proc" >"$tmp/free"
  grep -q "^Low: *$(kb LowTotal) " "$tmp/free"
  grep -q "^High: *$(kb HighTotal) " "$tmp/free"
fi

# kernel.i386.vmsplit=2G on 4 GB: PAGE_OFFSET 0x80000000, twice the lowmem.
"$mmvp" trace "$sample" --set kernel.arch=i386 --set kernel.i386.vmsplit=2G \
  --set mem.capacity=4G -q --console "$tmp/log2" --stats-json "$tmp/s2.json"
grep -q '^    lowmem  : 0x80000000 - 0xf79fe000   (1913 MB)$' "$tmp/log2"
[ "$(stat "$tmp/s2.json" trace.syscall_mismatches)" = 0 ]
# 512 MB: all lowmem.
"$mmvp" trace "$sample" --set kernel.arch=i386 --set mem.capacity=512M -q --console "$tmp/log3" \
  --proc "$tmp/proc3"
grep -q '^0MB HIGHMEM available\.$' "$tmp/log3"
grep -q '^HighTotal: *0 kB$' "$tmp/proc3/meminfo"

# kernel.i386.pae=off: 2-level paging, Linux's classic non-PAE i386 layout (887 MB of
# lowmem, 1024 pkmap slots at 0xff800000), DirectMap4M; 4 MB user pages with
# kernel.user_page_size=4m, and a sweep over them.
np=(--set kernel.arch=i386 --set kernel.i386.pae=off --set mem.capacity=2G)
"$mmvp" trace "$sample" "${np[@]}" -q --console "$tmp/lognp" --proc "$tmp/procnp" \
  --stats-json "$tmp/snp.json"
grep -q '^mmvp guest kernel (i386, 2-level paging, HIGHMEM) booting$' "$tmp/lognp"
grep -q '^887MB LOWMEM available\.$' "$tmp/lognp"
grep -q '^    pkmap   : 0xff800000 - 0xffc00000   (4096 kB)$' "$tmp/lognp"
grep -q '^    vmalloc : 0xf7ffe000 - 0xff7fe000   ( 120 MB)$' "$tmp/lognp"
grep -q '^    lowmem  : 0xc0000000 - 0xf77fe000   ( 887 MB)$' "$tmp/lognp"
grep -q '^DirectMap4M:' "$tmp/procnp/meminfo"
! grep -q '^DirectMap2M:' "$tmp/procnp/meminfo"
[ "$(stat "$tmp/snp.json" trace.syscall_mismatches)" = 0 ]
[ "$(stat "$tmp/snp.json" trace.killed)" = 0 ]
"$mmvp" trace "$sample" "${np[@]}" --set kernel.user_page_size=4m -q --stats-json "$tmp/s4m.json"
[ "$(stat "$tmp/s4m.json" kernel.vmstat.thp_fault_alloc)" -gt 0 ]
[ "$(stat "$tmp/s4m.json" trace.killed)" = 0 ]
"$mmvp" sweep -q --trace "$sample" "${np[@]}" --grid kernel.user_page_size=4k,4m --out "$tmp/sw4m"
[ "$(wc -l <"$tmp/sw4m.csv")" = 3 ]
grep -q ',4m,platform,651785,' "$tmp/sw4m.csv"
# 4m needs 2-level paging, and 2m cannot have it: one line each.
for bad in "--set kernel.user_page_size=4m" "${np[*]} --set kernel.user_page_size=2m"; do
  set +e
  # shellcheck disable=SC2086
  "$mmvp" trace "$sample" $bad -q 2>"$tmp/err4m"
  status=$?
  set -e
  [ "$status" != 0 ] && [ "$(wc -l <"$tmp/err4m")" = 1 ]
  grep -q 'kernel.user_page_size' "$tmp/err4m"
done

# No 1 GB pages on 32-bit: the pool is refused as Linux refuses hugepagesz=1G.
"$mmvp" trace "$sample" --set kernel.arch=i386 --set kernel.hugepages_1g=1 --set mem.capacity=2G \
  -q --console "$tmp/log4"
grep -q '^HugeTLB: unsupported hugepagesz=1G$' "$tmp/log4"
# 64 GB (PAE's limit): 64-byte struct pages for it do not fit in lowmem: one line.
set +e
"$mmvp" trace "$sample" --set kernel.arch=i386 --set mem.capacity=64G --set mem.maxphyaddr=40 \
  -q 2>"$tmp/err64"
status=$?
set -e
[ "$status" != 0 ] && [ "$(wc -l <"$tmp/err64")" = 1 ]
grep -q 'do not fit in lowmem (889 MB)' "$tmp/err64"

# A 64-bit trace: one line, a non-zero status.
set +e
"$mmvp" trace "$src/traces/sample-lackey.txt" --set kernel.arch=i386 -q 2>"$tmp/err"
status=$?
set -e
[ "$status" != 0 ]
[ "$(wc -l <"$tmp/err")" = 1 ]
grep -q 'kernel.arch=i386 runs 32-bit programs only' "$tmp/err"

# The demo's tour kmaps a highmem page; dma-check passes on i386.
(cd "$tmp" && "$mmvp" demo --set kernel.arch=i386 --set mem.capacity=2G --console "$tmp/demo.log" \
  >"$tmp/demo.out")
grep -q '^tour: highmem: page at pfn 0x[0-9a-f]* (above max_low_pfn) kmapped at 0xffa0' \
  "$tmp/demo.log"
grep -q '^tour: highmem: copy_highpage [0-9]* cycles through kmap_local' "$tmp/demo.log"
"$mmvp" dma-check --set kernel.arch=i386 --set mem.capacity=2G >"$tmp/dma.out"
echo "i386: ok"
