#!/usr/bin/env bash
# docs/reference.md names every parameter the binary has (scripts/gen-reference).
set -euo pipefail
mmvp=$1; src=$2
missing=0
for name in $("$mmvp" params --json | /usr/bin/python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))'); do
  grep -qF "\`$name\`" "$src/docs/reference.md" || { echo "docs/reference.md lacks $name (run scripts/gen-reference)"; missing=1; }
done
exit $missing
