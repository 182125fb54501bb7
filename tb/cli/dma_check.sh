#!/usr/bin/env bash
# `mmvp dma-check`: good transfers on every ISA DMA channel both ways pass, so do the
# streaming DMA API and a DMA pool; each bad buffer and each misuse of the DMA API is
# flagged with its class (table and statistics agree), --fatal stops at the first
# violation with a kernel panic naming it, and a device too slow to finish makes the
# command fail.
set -euo pipefail
mmvp=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$mmvp" dma-check -q --stats-json "$tmp/s.json" >"$tmp/out.txt"
cat "$tmp/out.txt"
/usr/bin/python3 - "$tmp/out.txt" "$tmp/s.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
stats = json.load(open(sys.argv[2]))
good = re.findall(r"^\s+(\d)\s+(dev->mem|mem->dev)\s+(\d+)\s+(.*)$", text, re.M)
assert len(good) == 14, good
assert sorted({int(c) for c, *_ in good}) == [0, 1, 2, 3, 5, 6, 7]
assert all(r == "ok" for *_, r in good), good
api = re.findall(r"^(dma_map_single|dma_map_sg \(3 pages\)|dma_pool \(64 KB boundary\))\s+(ok|FAILED)",
                 text, re.M)
assert len(api) == 3 and all(r == "ok" for _, r in api), api
bad = re.findall(r"^(\S+)\s+(?:\d|-)\s+(\w+)\s+(flagged|NOT FLAGGED|not run)", text, re.M)
assert len(bad) == 16 and all(r == "flagged" for *_, r in bad), bad
assert len({c for _, c, _ in bad}) == 15, bad  # every class has a case
table = dict(re.findall(r"^  (\w+)\s+(\d+)$", text, re.M))
want = {"above_16mb": 2, "crosses_64k": 1, "crosses_128k": 1, "not_contiguous": 2,
        "freed_in_flight": 1}
for c in ("map_overflow", "unmap_not_mapped", "unmap_wrong_size", "unmap_wrong_type",
          "unmap_wrong_dir", "sg_wrong_count", "map_err_unchecked", "sync_not_mapped",
          "sync_out_of_range", "sync_wrong_dir"):
    want[c] = 1
assert {k: int(v) for k, v in table.items()} == want, table
assert stats["dma_check"]["violations"] == want, stats["dma_check"]
assert stats["dma_check"]["good_failed"] == 0 and stats["dma_check"]["bad_unflagged"] == 0
print("dma-check: 14 good transfers, 3 DMA API transfers, 16 bad cases flagged")
PY

# Fatal mode: the selected bad case panics the kernel with its class in the message.
"$mmvp" dma-check -q --fatal --bad cross-64k >"$tmp/fatal.txt"
grep -q "^Kernel panic: DMA-API: isa_dma channel 1 .*crosses_64k" "$tmp/fatal.txt"
grep -q "^cross-64k .*flagged" "$tmp/fatal.txt"
grep -q "^vmalloc .*not run" "$tmp/fatal.txt"
"$mmvp" dma-check -q --fatal --bad unmap-wrong-size >"$tmp/fatal2.txt"
grep -q "^Kernel panic: DMA-API: isa_pattern isa_pattern: device driver frees DMA memory with different size .*(unmap_wrong_size)" "$tmp/fatal2.txt"
grep -q "^unmap-wrong-size .*flagged" "$tmp/fatal2.txt"

# A card that never finishes: every good transfer times out, the command fails.
if "$mmvp" dma-check -q --bytes 16 --bad vmalloc --set dma.device_bytes_per_s=1 \
    >"$tmp/slow.txt" 2>"$tmp/slow.err"; then
  echo "dma-check passed with a device that cannot finish" >&2
  exit 1
fi
grep -q "FAILED (no IRQ: timed out)" "$tmp/slow.txt"
grep -q "17 good transfer(s) failed" "$tmp/slow.err"
echo "dma-check: fatal mode and failure exit checked"
