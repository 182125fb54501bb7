#!/usr/bin/env bash
# Invalid input gets a one-line error naming the problem and a non-zero exit, and
# leaves files already written untouched.
set -uo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect_error() {  # expect_error "text in message" args...
  local want=$1; shift
  "$mmvp" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines; lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: mmvp $* -> rc=$rc, stderr ($lines lines):"; cat "$tmp/err"; fail=1
  fi
}
t="$src/traces/sample-lackey.txt"
expect_error "mmu.dtlb.l1_4k" trace "$t" --set mmu.dtlb.l1_4k.ways=5
expect_error "mem.maxphyaddr" trace "$t" --set mem.maxphyaddr=60
expect_error "mem.capacity" trace "$t" --set mem.capacity=128G --set mem.maxphyaddr=36
expect_error "unknown parameter 'mmu.nope'" trace "$t" --set mmu.nope=1
expect_error "mmu.dtlb.l1_4k.policy" trace "$t" --set mmu.dtlb.l1_4k.policy=fifo
expect_error "unknown preset" trace "$t" --preset pentium
printf '{"mmu": {"dtlb": {"l1_4k": {"entries": 48, "ways": 7}}}}' >"$tmp/bad.json"
expect_error "mmu.dtlb.l1_4k" trace "$t" --config "$tmp/bad.json"
printf '{not json' >"$tmp/broken.json"
expect_error "broken.json" trace "$t" --config "$tmp/broken.json"
printf 'I  0400d7d4,8\n L 0400d7d4,8\n X 123,4\n' >"$tmp/bad.trace"
expect_error "bad.trace:3:" trace "$tmp/bad.trace"
zstd -q -c "$t" | head -c 3000 >"$tmp/cut.zst"
expect_error "cut.zst" trace "$tmp/cut.zst"
expect_error "no-such-file" trace "$tmp/no-such-file"

# A failing run leaves an existing statistics file as it was.
echo '{"keep": true}' >"$tmp/stats.json"
"$mmvp" trace "$tmp/bad.trace" --stats-json "$tmp/stats.json" -q 2>/dev/null
grep -q '"keep": true' "$tmp/stats.json" || { echo "FAIL: stats file clobbered"; fail=1; }
# A non-power-of-two TLB set count is rejected too.
expect_error "mmu.stlb.l2_4k" trace "$t" --set mmu.stlb.l2_4k.entries=1000 --set mmu.stlb.l2_4k.ways=10
exit $fail
