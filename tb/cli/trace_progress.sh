#!/usr/bin/env bash
# `mmvp trace` progress and Ctrl-C: one line per workload when stderr is not a
# terminal, nothing with -q, a redrawn status line with a percentage and an ETA on a
# terminal (a pty from script(1)); the first SIGINT ends the run cleanly with exit
# status 130 and statistics written whole, marked trace.partial = 1.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
t="$src/traces/sample-lackey.txt.zst"

# Not a terminal: a line per workload, naming it, with its record count.
"$mmvp" trace "$t" "$src/traces/sample-sort.mmvt.zst" --stats-json "$tmp/s.json" \
  >/dev/null 2>"$tmp/err"
cat "$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 2 ] || { echo "FAIL: expected 2 progress lines"; exit 1; }
grep -q '^mmvp trace: sample-lackey.txt.zst: [0-9]* records replayed in ' "$tmp/err"
grep -q '^mmvp trace: sample-sort.mmvt.zst: [0-9]* records replayed in ' "$tmp/err"
/usr/bin/python3 - "$tmp/s.json" "$tmp/err" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read()
counted = sum(int(n) for n in re.findall(r": (\d+) records replayed", lines))
assert counted == s["trace"]["records"], (counted, s["trace"]["records"])
assert s["trace"]["partial"] == 0
PY

# -q: nothing on stderr.
"$mmvp" trace "$t" -q 2>"$tmp/err"
[ ! -s "$tmp/err" ] || { echo "FAIL: -q printed:"; cat "$tmp/err"; exit 1; }

# A long trace: 100 M records, zstd-compressed (a few kB), read in one pass.
(set +o pipefail; yes ' L 04000000,8' | head -n 100000000 | zstd -q -o "$tmp/long.txt.zst")
long=(trace "$tmp/long.txt.zst" --set trace.populate=false --quantum 0)

check_partial() {  # check_partial JSON MIN_RECORDS: statistics written whole, marked partial
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["trace"]["partial"] == 1, s["trace"]
assert int(sys.argv[2]) <= s["trace"]["records"] < 100000000, s["trace"]
assert s["cpu"]["loads"] >= s["trace"]["records"], (s["cpu"]["loads"], s["trace"]["records"])
print("interrupted after", s["trace"]["records"], "records; statistics marked partial")
PY
}

# A terminal (a pty from script(1)): the status line is redrawn in place with the
# compressed file's position and an ETA; Ctrl-C once the replay shows.
script -qec "'$mmvp' ${long[*]} --stats-json '$tmp/tty.json'" /dev/null >"$tmp/tty" </dev/null &
for _ in $(seq 600); do grep -aq 'replaying' "$tmp/tty" 2>/dev/null && break; sleep 0.1; done
pkill -INT -f "mmvp ${long[*]} --stats-json $tmp/tty.json" || true
set +e
wait $!
rc=$?
set -e
[ "$rc" -eq 130 ] || { echo "FAIL: exit status $rc after SIGINT on a terminal, expected 130"; exit 1; }
grep -aq $'\r' "$tmp/tty" || { echo "FAIL: no redrawn line on a terminal"; exit 1; }
grep -aq 'replaying 1 of 1 .*%.*ETA' "$tmp/tty" ||
  { echo "FAIL: no replay status with an ETA:"; tr '\r' '\n' <"$tmp/tty" | tail -5; exit 1; }
echo "terminal: $(tr '\r' '\n' <"$tmp/tty" | grep -a 'replaying' | tail -1)"
check_partial "$tmp/tty.json" 1

# Ctrl-C without a terminal (after 1 s: during the boot on a loaded machine, or the
# replay): the workload's line says it was interrupted, the statistics are printed and
# written, exit status 130.
set +e
timeout --preserve-status -s INT 1 "$mmvp" "${long[@]}" --stats-json "$tmp/p.json" >"$tmp/p.txt" 2>"$tmp/p.err"
rc=$?
set -e
cat "$tmp/p.err"
[ "$rc" -eq 130 ] || { echo "FAIL: exit status $rc after SIGINT, expected 130"; exit 1; }
grep -q '^mmvp trace: long.txt.zst: [0-9]* records replayed (interrupted) in ' "$tmp/p.err"
grep -q '^mmvp: interrupted: the statistics cover the first [0-9]* records' "$tmp/p.err"
grep -q 'trace.partial' "$tmp/p.txt"
check_partial "$tmp/p.json" 0
echo "trace progress: lines, quiet, terminal and Ctrl-C as documented"
