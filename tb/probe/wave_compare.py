#!/usr/bin/env python3
"""Compares two VCD files by content: the same signals (full dotted names, widths) and,
for each, the same value at the same times. Identifier codes, declaration order and
the text form of values (b0101 vs b101) may differ, as between mmvp's VCD and
fst2vcd's conversion of its FST.

  wave_compare.py A.vcd B.vcd     exit 0 if equal, 1 (with the first difference) if not
"""
import sys
from collections import defaultdict

from vcd_file import open_vcd


def load(path):
    variables, body = open_vcd(path)
    names = {v.code: v.name for v in variables}
    width = {v.name: v.width for v in variables}
    changes, t = defaultdict(list), 0
    for _, line in body:
        c = line[:1]
        if c == b"#":
            t = int(line[1:])
        elif c in (b"b", b"B"):
            v, _, code = line.partition(b" ")
            changes[names[code]].append((t, int(v[1:], 2)))
        elif c in b"01":
            changes[names[line[1:]]].append((t, int(c)))
    # Keep only real changes (a dump may repeat a value, e.g. in $dumpvars).
    out = {}
    for name, seq in changes.items():
        kept = []
        for tv in seq:
            if kept and kept[-1][0] == tv[0]:
                kept[-1] = tv
            elif not kept or kept[-1][1] != tv[1]:
                kept.append(tv)
        out[name] = kept
    return width, out


def main(a, b):
    wa, ca = load(a)
    wb, cb = load(b)
    if wa != wb:
        only = sorted(set(wa) ^ set(wb))[:5]
        print(f"signals differ: {only or 'widths'}")
        return 1
    for name in sorted(wa):
        if ca.get(name, []) != cb.get(name, []):
            x, y = ca.get(name, []), cb.get(name, [])
            i = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
            print(f"{name}: first difference at change {i}: {x[i:i+1]} vs {y[i:i+1]}")
            return 1
    print(f"equal: {len(wa)} signals")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
