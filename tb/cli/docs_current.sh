#!/usr/bin/env bash
# docs/reference.md names every parameter the binary has (scripts/gen-reference), and
# docs/kernel.md's side-by-side of the two kernel layouts is what they boot with
# (scripts/gen-layouts).
set -euo pipefail
mmvp=$1; src=$2
missing=0
for name in $("$mmvp" params --json | /usr/bin/python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))'); do
  grep -qF "\`$name\`" "$src/docs/reference.md" || { echo "docs/reference.md lacks $name (run scripts/gen-reference)"; missing=1; }
done
# traces/routines.txt (GTKWave translate filter) matches sw/kernel/routines.h.
/usr/bin/python3 - "$src" <<'PY' || missing=1
import re, sys
src = sys.argv[1]
ids = {int(v): n for n, v in re.findall(r"^\s+(\w+) = (\d+),", open(f"{src}/sw/kernel/routines.h").read(), re.M)}
table = {int(a, 16): b for a, b in (l.split() for l in open(f"{src}/traces/routines.txt") if l.strip())}
if ids != table:
    print("traces/routines.txt does not match sw/kernel/routines.h")
    sys.exit(1)
PY
"$src/scripts/gen-layouts" "$mmvp" --check || missing=1
exit $missing
