#!/usr/bin/env bash
# 32-bit programs: traces/sample-sort-i386.mmvt.zst (Debian's i386 `sort` of five words,
# captured by scripts/capture-trace --m32) replays as an ia32 process: its i386 system
# calls made again through INT 0x80 with the traced results, its VMAs below 4 GB, and
# the ABI kept by conversion. A program built here with gcc -m32 is captured live and
# replays alike; a sweep runs over the 32-bit trace with 4 KB and 2 MB pages; --m32
# refuses a 64-bit program with one line.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stat() {  # a statistic of a --stats-json file by its dotted name
  /usr/bin/python3 -c 'import functools,json,sys; print(functools.reduce(lambda d,k: d[k], sys.argv[2].split("."), json.load(open(sys.argv[1]))))' "$1" "$2"
}
sample=$src/traces/sample-sort-i386.mmvt.zst

"$mmvp" trace "$sample" -q --proc "$tmp/proc" --stats-json "$tmp/s.json"
[ "$(stat "$tmp/s.json" workload.0.abi)" = i386 ]
[ "$(stat "$tmp/s.json" trace.killed)" = 0 ]
[ "$(stat "$tmp/s.json" trace.syscalls)" = 29 ]  # 20 mmap2, 4 brk, 3 mprotect, 1 munmap, exit_group
[ "$(stat "$tmp/s.json" trace.syscalls_not_made)" = 0 ]
[ "$(stat "$tmp/s.json" trace.syscall_mismatches)" = 0 ]
# INT 0x80s: the 29 calls and the replay's two prctl(PR_SET_MM) for the loader's break.
[ "$(stat "$tmp/s.json" cpu.syscalls)" = 31 ]
vmas=$(stat "$tmp/s.json" workload.0.vmas)
[ "$(wc -l <"$tmp/proc/1/maps")" = "$vmas" ]
grep -q ' r-xp [0-9a-f]\{8\} 00:00 0 \{34\}/usr/lib32/libc.so.6$' "$tmp/proc/1/maps"
# Every VMA ends at or below IA32_PAGE_OFFSET (8 hex digits, below ffffe000).
awk '{ split($1, r, "-"); if (length(r[2]) > 8 || r[2] > "ffffe000") { print "above 4 GB: " $0; exit 1 } }' \
  "$tmp/proc/1/maps"

# Conversion keeps the ABI: the same statistics from the binary re-encoding.
"$mmvp" trace convert "$sample" "$tmp/again.mmvt" >/dev/null
"$mmvp" trace "$tmp/again.mmvt" -q --stats-json "$tmp/a.json"
strip() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ("host",)]; d["workload"]["0"].pop("name"); print(json.dumps(d,sort_keys=True))' "$1"; }
[ "$(strip "$tmp/s.json")" = "$(strip "$tmp/a.json")" ]

# A sweep over the 32-bit trace, 4 KB and 2 MB user pages: its rows are mmvp trace's.
"$mmvp" sweep -q --trace "$sample" --grid kernel.user_page_size=4k,2m \
  --set mmu.dtlb.l1_4k.entries=16 --out "$tmp/sw"
[ "$(wc -l <"$tmp/sw.csv")" = 3 ]
for size in 4k 2m; do
  "$mmvp" trace "$sample" -q --set kernel.user_page_size=$size --set mmu.dtlb.l1_4k.entries=16 \
    --stats-json "$tmp/$size.json"
  misses=$(stat "$tmp/$size.json" mmu.dtlb.misses)
  grep -q ",$size,platform,651785,461799,[0-9]*,[0-9]*,$misses," "$tmp/sw.csv"
done
[ "$(stat "$tmp/2m.json" mmu.dtlb.misses)" -lt "$(stat "$tmp/4k.json" mmu.dtlb.misses)" ]

# A live capture of a 32-bit program built here (gcc-multilib, qemu-user: scripts/setup).
cat >"$tmp/prog.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
int main(void) {
  char* heap = malloc(300000);  /* above the mmap threshold: an mmap2 */
  memset(heap, 1, 300000);
  char* anon = mmap(0, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (anon == MAP_FAILED) return 1;
  memset(anon, 2, 65536);
  munmap(anon, 65536);
  free(heap);
  return 0;
}
EOF
gcc -m32 -O1 -o "$tmp/prog32" "$tmp/prog.c"
"$src/scripts/capture-trace" --mmvp "$mmvp" --m32 --keep-text -o "$tmp/prog32.mmvt.zst" \
  "$tmp/prog32" >/dev/null 2>"$tmp/capture.err"
grep -q 'Arch and hwcaps: X86,' "$tmp/prog32.mmvt.lackey"
"$mmvp" trace "$tmp/prog32.mmvt.zst" -q --stats-json "$tmp/p.json"
[ "$(stat "$tmp/p.json" workload.0.abi)" = i386 ]
[ "$(stat "$tmp/p.json" trace.killed)" = 0 ]
[ "$(stat "$tmp/p.json" trace.syscall_mismatches)" = 0 ]
[ "$(stat "$tmp/p.json" trace.syscalls)" -ge 8 ]
# The 64 KB mmap2 and its munmap are among the replayed calls (i386 numbers 192, 91).
grep -q '^SYSCALL\[[0-9]*,1\](192) sys_mmap2 ( 0, 0x10000, 0x3, 0x22, 0xffffffff, 0 )' \
  "$tmp/prog32.mmvt.lackey"
grep -q '^SYSCALL\[[0-9]*,1\](91) sys_munmap ( 0x[0-9a-f]*, 0x10000,' "$tmp/prog32.mmvt.lackey"

# --m32 with a 64-bit program: one line, status 2, nothing written.
set +e
"$src/scripts/capture-trace" --mmvp "$mmvp" --m32 -o "$tmp/no.mmvt.zst" /bin/true 2>"$tmp/err"
status=$?
set -e
[ "$status" = 2 ]
[ "$(wc -l <"$tmp/err")" = 1 ]
grep -q 'is not a 32-bit ELF program' "$tmp/err"
[ ! -e "$tmp/no.mmvt.zst" ]
echo "ia32: ok"
