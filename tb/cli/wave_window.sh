#!/usr/bin/env bash
# --wave-from/--wave-to/--wave-signals: the waveform holds the asked part of the run,
# opens with the state then, and stays valid (tb/probe/wave_check.py).
set -uo pipefail
mmvp=$1; src=$2
t=$src/traces/sample-lackey.txt
check() { /usr/bin/python3 "$src/tb/probe/wave_check.py" "$@"; }
first_time() { grep -m1 '^#' "$1" | cut -c2-; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

"$mmvp" trace "$t" -q --quantum 0 --vcd "$tmp/all.vcd" --wave-from 0 || die "whole run"
"$mmvp" trace "$t" -q --quantum 0 --vcd "$tmp/default.vcd" --stats-json "$tmp/default.json" ||
  die "default window"
check "$tmp/default.vcd" --gtkw "$src/traces/mmvp.gtkw" || die "default window invalid"
# The trace's default starts at its workload: boot is not dumped.
all=$(wc -c <"$tmp/all.vcd"); def=$(wc -c <"$tmp/default.vcd")
[ "$def" -lt $((all / 20)) ] || die "the default window is not much smaller ($def of $all bytes)"
# The boot's end in ps: its cycles at the default 4 GHz (250 ps a cycle).
boot_ps=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["kernel"]["boot_cycles"] * 250)' "$tmp/default.json")
[ "$(first_time "$tmp/default.vcd")" -ge "$boot_ps" ] || die "the default window opens in boot"

# Events: the second workload; a kernel routine up to another; boot-end to a time.
"$mmvp" trace "$t" "$t" -q --vcd "$tmp/w2.vcd" --wave-from workload:2 || die "workload:2"
"$mmvp" trace "$t" "$t" -q --vcd "$tmp/w1.vcd" --wave-from workload:1 --wave-to workload:2 ||
  die "workload:1 to workload:2"
[ "$(first_time "$tmp/w2.vcd")" -gt "$(first_time "$tmp/w1.vcd")" ] || die "workload:2 opens first"
"$mmvp" trace "$t" -q --vcd "$tmp/pf.vcd" --wave-from routine:page_fault \
  --wave-to routine:context_switch || die "routine window"
"$mmvp" trace "$t" -q --vcd "$tmp/boot.vcd" --wave-from boot-end --wave-to 36ms || die "boot-end"
for f in w2 w1 pf boot; do check "$tmp/$f.vcd" || die "$f.vcd invalid"; done
# The state at the start: every signal has a value under $dumpvars at the first time.
grep -A3 '^\$dumpvars' "$tmp/w2.vcd" | grep -q '^b' || die "no state at the window's start"

# Selection: groups and globs; the other signals are not declared.
"$mmvp" trace "$t" -q --vcd "$tmp/mmu.vcd" --wave-signals 'mmu,top.dram.bank0_*' || die "select"
grep -q ' cr3 ' "$tmp/mmu.vcd" && die "cr3 declared though not selected"
grep -q ' dtlb_hit ' "$tmp/mmu.vcd" || die "the mmu group is missing"
grep -q ' bank0_open_row ' "$tmp/mmu.vcd" || die "the glob matched nothing"
grep -q ' bank1_active ' "$tmp/mmu.vcd" && die "bank1 declared though not selected"

# Bad points, and window options without a waveform, are configuration errors.
for bad in workload:0 cr3:zz routine:no_such soon; do
  "$mmvp" trace "$t" -q --vcd "$tmp/x.vcd" --wave-from "$bad" 2>"$tmp/err"
  [ $? -eq 2 ] && grep -q -- "--wave-from: .*'$bad'" "$tmp/err" || die "--wave-from $bad: $(cat "$tmp/err")"
done
"$mmvp" trace "$t" -q --vcd "$tmp/x.vcd" --wave-from 2ms --wave-to 1ms 2>"$tmp/err"
[ $? -eq 2 ] || die "--wave-to before --wave-from accepted"
"$mmvp" trace "$t" -q --wave-signals mmu 2>"$tmp/err"
[ $? -eq 2 ] || die "--wave-signals without --wave accepted"
# A start that never comes: an empty but valid dump, and a note.
"$mmvp" trace "$t" -q --vcd "$tmp/never.vcd" --wave-from workload:5 2>"$tmp/err" || die "never"
grep -q "never happened" "$tmp/err" || die "no note for a start that never came"
check "$tmp/never.vcd" || die "never.vcd invalid"
[ $fail -eq 0 ] && echo "wave_window: windows, events and selection hold"
exit $fail
