#!/usr/bin/env bash
# mmvp's /proc files keep Linux's line structure: each is rendered for a 5 GB guest (zones
# DMA, DMA32 and Normal populated, as on the Linux machine the skeletons in
# tb/cli/proc_format/ come from), its numbers are replaced by N, and it must equal the
# skeleton line for line.
set -euo pipefail
mmvp=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mmvp" trace "$src/traces/sample-lackey.txt.zst" -q --set mem.capacity=5G --proc "$tmp/proc"
skeleton() { sed -E 's/[0-9]+/N/g; s/ +/ /g' "$1"; }
for f in zoneinfo vmstat pagetypeinfo buddyinfo; do
  if ! diff -u "$src/tb/cli/proc_format/$f" <(skeleton "$tmp/proc/$f") >"$tmp/diff"; then
    echo "proc_format: /proc/$f differs from Linux's line structure:"; cat "$tmp/diff"; exit 1
  fi
done
echo "proc_format: zoneinfo, vmstat, pagetypeinfo and buddyinfo have Linux's line structure"
