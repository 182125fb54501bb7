#!/usr/bin/env bash
# `mmvp trace convert` writes the binary format; replaying it gives the statistics
# the text trace gives.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mmvp" trace convert "$src/traces/sample-lackey.txt" "$tmp/s.mmvt"
"$mmvp" trace convert "$src/traces/sample-lackey.txt" "$tmp/s.mmvt.zst"
[ "$(wc -c <"$tmp/s.mmvt")" -lt "$(wc -c <"$src/traces/sample-lackey.txt")" ]
for f in "$src/traces/sample-lackey.txt" "$tmp/s.mmvt" "$tmp/s.mmvt.zst"; do
  "$mmvp" trace "$f" -q --stats-json "$tmp/$(basename "$f").json"
done
strip() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ("host","workload")]; print(json.dumps(d,sort_keys=True))' "$1"; }
a=$(strip "$tmp/sample-lackey.txt.json")
[ "$a" = "$(strip "$tmp/s.mmvt.json")" ]
[ "$a" = "$(strip "$tmp/s.mmvt.zst.json")" ]
echo "convert: binary and compressed binary replay like the text trace"
