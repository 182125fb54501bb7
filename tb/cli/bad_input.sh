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
  last_rc=$rc
}
expect_rc() {  # expect_rc N: the exit status of the last expect_error (docs/user-guide.md)
  [ "$last_rc" -eq "$1" ] || { echo "FAIL: exit status $last_rc, expected $1"; fail=1; }
}
t="$src/traces/sample-lackey.txt"
expect_error "mmu.dtlb.l1_4k" trace "$t" --set mmu.dtlb.l1_4k.ways=5
expect_error "mem.maxphyaddr" trace "$t" --set mem.maxphyaddr=60
expect_error "mem.capacity" trace "$t" --set mem.capacity=128G --set mem.maxphyaddr=36
# More DRAM than the host's 47-bit address space can hold: a line, not a crash.
expect_error "mem.capacity: this host cannot reserve 1P" trace "$t" --set mem.capacity=1P \
  --set mem.maxphyaddr=52
expect_rc 2
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
# Multi-value options take one value each: the trace file is not swallowed by --set,
# and the real error is reported.
expect_error "mem.capacity: 1P exceeds" trace --set mem.capacity=1P "$t"; expect_rc 2
echo '{}' >"$tmp/empty.json"
expect_error "mem.capacity: 1P exceeds" trace --config "$tmp/empty.json" --set mem.capacity=1P "$t"
# The .mmvt reader validates records as the lackey reader does.
printf 'MMVTRC01\x42\x01' >"$tmp/wrap.mmvt"
expect_error "wrap.mmvt: corrupt record at byte 8 (access wraps around" trace "$tmp/wrap.mmvt"
expect_rc 3
# One access is at most 64 KiB (a corrupt size would fault in a million pages).
printf 'I  0401ab70,4294967295\n' >"$tmp/huge.trace"
expect_error "huge.trace:1: size larger than the 65536-byte limit" trace "$tmp/huge.trace"
# Bytes outside printable ASCII are escaped in the message.
printf ' L 7ff0\x1b[31m\x0c,8\n' >"$tmp/esc.trace"
expect_error 'got '"'"' L 7ff0\x1b[31m\x0c,8'"'" trace "$tmp/esc.trace"
if LC_ALL=C grep -q "$(printf '[\x1b\x0c]')" "$tmp/err"; then
  echo "FAIL: raw control bytes in the error"; fail=1
fi
# File-system errors: exit 2 and the --stats-json wording.
expect_error "--proc: cannot write /proc/nope: " trace "$t" --proc /proc/nope; expect_rc 2
expect_error "--stats-json: cannot write $tmp/none/s.json: No such file" \
  trace "$t" --stats-json "$tmp/none/s.json"; expect_rc 2
expect_error "--console: cannot write $tmp: Is a directory" trace "$t" --console "$tmp"

# A non-canonical user address is #GP: that process gets SIGSEGV with Linux's line and
# the run goes on; a run whose every process was killed exits 5 and says so.
printf ' L 0000800000000000,8\n' >"$tmp/noncanon.txt"
"$mmvp" trace "$tmp/noncanon.txt" "$t" --console "$tmp/console" --stats-json "$tmp/gp.json" \
  -q 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: a #GP in one process ended the run (rc=$rc)"; cat "$tmp/err"; fail=1; }
grep -qF "traps: noncanon.txt[1] general protection fault ip:0 sp:0 error:0" "$tmp/console" ||
  { echo "FAIL: no traps: line in the console"; cat "$tmp/console"; fail=1; }
grep -qF "killed: general protection fault: non-canonical address 0x800000000000" "$tmp/err" ||
  { echo "FAIL: no kill line"; cat "$tmp/err"; fail=1; }
grep -qF "1 of 2 processes killed" "$tmp/err" || { echo "FAIL: no summary line"; fail=1; }
python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))["workload"]["1"]
sys.exit(0 if w["records"] == 2994 and "killed" not in w else 1)' "$tmp/gp.json" ||
  { echo "FAIL: the second trace did not run to its end"; fail=1; }
"$mmvp" trace "$tmp/noncanon.txt" -q 2>"$tmp/err"
rc=$?
[ $rc -eq 5 ] && grep -qF "every process was killed (1 of 1)" "$tmp/err" ||
  { echo "FAIL: all killed -> rc=$rc"; cat "$tmp/err"; fail=1; }

# A non-power-of-two TLB set count is rejected too.
expect_error "mmu.stlb.l2_4k" trace "$t" --set mmu.stlb.l2_4k.entries=1000 --set mmu.stlb.l2_4k.ways=10
exit $fail
