#!/usr/bin/env bash
# tb/probe/wave_check.py accepts a good VCD and rejects each kind of broken one.
set -uo pipefail
src=$2
check=("/usr/bin/python3" "$src/tb/probe/wave_check.py")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
header='$timescale 1ps $end
$scope module top $end
$var wire 1 ! hit $end
$var wire 4 " level [3:0] $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
b0 "
$end'
printf '%s\n#10\n1!\nb101 "\n#20\n0!\n' "$header" >"$tmp/good.vcd"
printf '[*] view\n@28\ntop.hit\n@22\ntop.level[3:0]\n' >"$tmp/good.gtkw"
printf '%s\n#20\n1!\n#10\n0!\n' "$header" >"$tmp/backwards.vcd"
printf '%s\n#10\nb10101 "\n' "$header" >"$tmp/wide.vcd"
printf '%s\n#10\n1"\n' "$header" >"$tmp/scalar.vcd"
printf '%s\n#10\n1?\n' "$header" >"$tmp/undeclared.vcd"
printf '[*] view\n@28\ntop.miss\n' >"$tmp/missing.gtkw"

"${check[@]}" "$tmp/good.vcd" --gtkw "$tmp/good.gtkw" || { echo "FAIL: good VCD rejected"; fail=1; }
expect_reject() {  # expected message, then the arguments
  local want=$1; shift
  local out
  if out=$("${check[@]}" "$@"); then
    echo "FAIL: accepted $*"; fail=1
  elif ! grep -qF "$want" <<<"$out"; then
    echo "FAIL: $* -> '$out', expected '$want'"; fail=1
  fi
}
expect_reject "time goes backwards from #20 to #10" "$tmp/backwards.vcd"
expect_reject "5-bit value for a 4-bit variable" "$tmp/wide.vcd"
expect_reject "scalar change of a 4-bit variable" "$tmp/scalar.vcd"
expect_reject "undeclared identifier ?" "$tmp/undeclared.vcd"
expect_reject "signal top.miss is not in the dump" "$tmp/good.vcd" --gtkw "$tmp/missing.gtkw"
[ $fail -eq 0 ] && echo "wave_check: every broken waveform rejected"
exit $fail
