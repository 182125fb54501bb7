#!/usr/bin/python3
"""Exits 1, naming each one, if two --stats-json files differ in a simulated statistic
(host.* timings, and names matching --ignore, are left out).

    same_stats.py A.json B.json [--ignore REGEX]
"""
import json
import re
import sys


def flat(d, p=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flat(v, p + k + "."))
        else:
            out[p + k] = v
    return out


args = sys.argv[1:]
ignore = None
if "--ignore" in args:
    i = args.index("--ignore")
    ignore = re.compile(args[i + 1])
    del args[i : i + 2]
a, b = (flat(json.load(open(f))) for f in args[:2])
diff = [
    k
    for k in sorted(set(a) | set(b))
    if not k.startswith("host.") and not (ignore and ignore.search(k)) and a.get(k) != b.get(k)
]
for k in diff:
    print(f"{k}: {a.get(k)} vs {b.get(k)}")
sys.exit(1 if diff else 0)
