#!/usr/bin/env python3
"""Checks a VCD waveform against the rules every tool reading it relies on.

  wave_check.py FILE.vcd [--gtkw VIEW.gtkw ...]

- time never goes backwards (IEEE 1364-2005 18.2: the simulation times of a VCD
  increase; GTKWave reports "Time backtracking detected" otherwise);
- every value change names a declared identifier code, and no value is wider than
  its variable's declared width (a scalar change only for a 1-bit variable);
- every signal a GTKWave save file shows is in the dump (a view must not show
  signals the file lacks).

Prints one line per problem (at most 10 of each kind) and exits 1 if there is any.
"""
import os
import re
import sys

from vcd_file import open_vcd


def check(vcd_path, gtkw_paths):
    problems = []

    def problem(kind, text, counts={}):
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= 10:
            problems.append(f"{vcd_path}: {text}")
        elif counts[kind] == 11:
            problems.append(f"{vcd_path}: ... more {kind} problems")

    variables, body = open_vcd(vcd_path)
    widths = {v.code: v.width for v in variables}
    names = {v.name for v in variables} | {v.name + v.range for v in variables if v.range}
    last_time = -1
    for lineno, line in body:
        c = line[:1]
        if c == b"#":
            t = int(line[1:])
            if t < last_time:
                problem("time", f"line {lineno}: time goes backwards from #{last_time} to #{t}")
            last_time = max(last_time, t)
        elif c in (b"b", b"B", b"r", b"R"):
            value, _, code = line.partition(b" ")
            if code not in widths:
                problem("code", f"line {lineno}: undeclared identifier {code.decode()}")
            elif c in (b"b", b"B") and len(value) - 1 > widths[code]:
                problem("width", f"line {lineno}: {len(value) - 1}-bit value for a "
                                 f"{widths[code]}-bit variable ({code.decode()})")
        elif c in b"01xXzZ" and c:
            code = line[1:]
            if code not in widths:
                problem("code", f"line {lineno}: undeclared identifier {code.decode()}")
            elif widths[code] != 1:
                problem("width", f"line {lineno}: scalar change of a {widths[code]}-bit "
                                 f"variable ({code.decode()})")
        elif line.startswith(b"$"):
            continue  # $dumpvars, $end, $comment
    for gtkw in gtkw_paths:
        savefile = None
        for lineno, raw in enumerate(open(gtkw, encoding="utf-8"), 1):
            s = raw.strip()
            if s.startswith("[savefile]"):
                savefile = s.split('"')[1]
            if s.startswith("^") and not s.startswith("^>"):
                # A translate filter file: GTKWave finds it relative to the save file's
                # directory as recorded in [savefile] (savefile.c).
                path = s.split(None, 1)[1]
                if savefile:
                    path = os.path.join(os.path.dirname(gtkw),
                                        os.path.relpath(path, os.path.dirname(savefile)))
                if not os.path.isfile(path):
                    problem("gtkw", f"{gtkw}:{lineno}: translate filter {path} not found")
                continue
            if not s or s[0] in "[*@-#^>+":
                continue
            if s not in names and re.sub(r"\[\d+:\d+\]$", "", s) not in names:
                problem("gtkw", f"{gtkw}:{lineno}: signal {s} is not in the dump")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    vcd, gtkw = argv[1], []
    rest = argv[2:]
    while rest:
        if rest[0] != "--gtkw" or len(rest) < 2:
            print(f"wave_check.py: unexpected argument {rest[0]}", file=sys.stderr)
            return 2
        gtkw.append(rest[1])
        rest = rest[2:]
    problems = check(vcd, gtkw)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
