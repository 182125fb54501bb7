#!/usr/bin/env bash
# `mmvp sweep --shard K/N` and `mmvp sweep merge`: shards run by GNU parallel merge to
# the unsharded sweep's files byte for byte (count engines and platform runs alike);
# every shard resumes on its own; merge refuses parts of another sweep, a missing or
# doubled shard and an unfinished part with one line, and leaves OUT as it was.
set -euo pipefail
mmvp=$1; src=$2
command -v parallel >/dev/null || { echo "sweep_shard: GNU parallel not found (scripts/setup installs it)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
trace=$src/traces/sample-lackey.txt
args=(--trace "$trace" --scenario synthetic:pages=64,accesses=4000
  --grid mmu.dtlb.l1_4k.entries=8..64:x2 --grid mmu.dtlb.l1_4k.ways=1,2,3,0
  --grid mmu.dtlb.l1_4k.policy=lru,plru --set mmu.stlb.l2_4k.entries=1024 --set mmu.stlb.l2_4k.ways=8)

# 1. Count engines: the whole sweep, then 5 shards through GNU parallel on this machine.
"$mmvp" sweep -q "${args[@]}" --out "$tmp/whole"
parallel --halt now,fail=1 -j 2 "$mmvp" sweep -q "${args[@]}" --shard {}/5 --out "$tmp/part-{}" \
  ::: 1 2 3 4 5
"$mmvp" sweep merge "$tmp/merged" "$tmp"/part-{1..5} 2>"$tmp/merge.err"
grep -q "^mmvp sweep merge: 48 rows of 5 parts" "$tmp/merge.err"
cmp "$tmp/whole.csv" "$tmp/merged.csv"
cmp "$tmp/whole.json" "$tmp/merged.json"
# The parts are disjoint, of nearly equal size, and each says which shard it is.
total=0
for k in 1 2 3 4 5; do
  n=$(($(wc -l <"$tmp/part-$k.csv") - 1))
  [ "$n" -ge 9 ] && [ "$n" -le 10 ]
  total=$((total + n))
  grep -q "\"shard\": \"$k/5\"" "$tmp/part-$k.json"
done
[ "$total" -eq 48 ]
! grep -q '"shard"' "$tmp/merged.json"
# The parts may be given in any order.
"$mmvp" sweep merge -q "$tmp/any" "$tmp"/part-{3,1,5,2,4}
cmp "$tmp/whole.csv" "$tmp/any.csv"

# 2. Resume per shard: a part that lost rows is refused by merge, then finished by
# running its shard again, which computes only what is missing.
sed -i '3d;5d' "$tmp/part-2.csv"
cp "$tmp/merged.csv" "$tmp/merged.before"
if "$mmvp" sweep merge "$tmp/merged" "$tmp"/part-{1..5} 2>"$tmp/err"; then exit 1; fi
grep -q "part-2 holds 8 of the 10 rows of shard 2/5 (run it again to finish it)" "$tmp/err"
cmp "$tmp/merged.csv" "$tmp/merged.before"  # OUT untouched by a failed merge
"$mmvp" sweep "${args[@]}" --shard 2/5 --out "$tmp/part-2" 2>"$tmp/resume.err"
grep -q "(2 computed, 8 resumed" "$tmp/resume.err"
"$mmvp" sweep merge -q "$tmp/merged" "$tmp"/part-{1..5}
cmp "$tmp/whole.csv" "$tmp/merged.csv"

# 3. Platform runs (--timing) shard and merge the same way.
targs=(--trace "$trace" --timing --set mmu.stlb.l2_4k.ways=4 --grid mmu.stlb.l2_4k.entries=16,64,256)
"$mmvp" sweep -q "${targs[@]}" --out "$tmp/twhole"
parallel -j 2 "$mmvp" sweep -q "${targs[@]}" --shard {}/2 --out "$tmp/tpart-{}" ::: 1 2
"$mmvp" sweep merge -q "$tmp/tmerged" "$tmp/tpart-1" "$tmp/tpart-2"
cmp "$tmp/twhole.csv" "$tmp/tmerged.csv"
cmp "$tmp/twhole.json" "$tmp/tmerged.json"
grep -q ',platform,' "$tmp/tmerged.csv"

# 4. Refusals, each one line on stderr and a non-zero exit.
refuse() {  # refuse PATTERN ARGS...: the merge fails with PATTERN
  local pattern=$1; shift
  if "$mmvp" sweep merge "$@" 2>"$tmp/err"; then echo "accepted: $*" >&2; exit 1; fi
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err" >&2; exit 1; }
  grep -q "$pattern" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
}
# Another sweep's shard 3 under a name like ours: compared by content, not by name.
mkdir "$tmp/other"
"$mmvp" sweep -q "${args[@]}" --set mmu.stlb.l2_4k.entries=512 --shard 3/5 --out "$tmp/other/part-3"
refuse "is not a part of the sweep of .*: the base settings differ" \
  "$tmp/x" "$tmp"/part-{1,2} "$tmp/other/part-3" "$tmp"/part-{4,5}
"$mmvp" sweep -q "${args[@]:0:4}" --grid mmu.dtlb.l1_4k.entries=8..64:x2 --set mmu.stlb.l2_4k.entries=1024 \
  --set mmu.stlb.l2_4k.ways=8 --shard 1/5 --out "$tmp/g1"
refuse "the grids differ" "$tmp/x" "$tmp/g1" "$tmp"/part-{2..5}
refuse "shards 4, 5 of 5 missing" "$tmp/x" "$tmp"/part-{1..3}
refuse "are both shard 2/5" "$tmp/x" "$tmp"/part-{1..5} "$tmp/part-2"
"$mmvp" sweep -q "${args[@]}" --shard 1/3 --out "$tmp/of3"
refuse "the numbers of shards differ (5 and 3)" "$tmp/x" "$tmp"/part-{1..5} "$tmp/of3"
refuse "OUT .* is one of the parts" "$tmp/part-1" "$tmp"/part-{1..5}
echo '{"rows": []}' >"$tmp/old.json"; : >"$tmp/old.csv"
refuse 'old.json: no "sweep" object' "$tmp/x" "$tmp/old"
echo 'not json' >"$tmp/bad.json"
refuse 'bad.json: not JSON' "$tmp/x" "$tmp/bad"
refuse 'nope.json: cannot open' "$tmp/x" "$tmp/nope"
[ ! -e "$tmp/x.csv" ]
for bad in 0/4 5/4 4 a/b 1/0 -1/4; do
  if "$mmvp" sweep "${args[@]}" --shard "$bad" --out "$tmp/s" 2>"$tmp/err"; then exit 1; fi
  grep -q "^mmvp: error: --shard '$bad': " "$tmp/err"
done
if "$mmvp" sweep "${args[@]}" --shard 1/2 2>"$tmp/err"; then exit 1; fi
grep -q "^mmvp: error: --shard needs --out" "$tmp/err"

# 5. scripts/sweep-slurm writes an array of one task per shard and a merge job.
"$src/scripts/sweep-slurm" --shards 5 --out "$tmp/slurm" --mmvp "$mmvp" --cpus 2 \
  --sbatch-opt --partition=batch -- "${args[@]}" >/dev/null
grep -q '^#SBATCH --array=1-5$' "$tmp/slurm.sweep.sbatch"
grep -q '^#SBATCH --partition=batch$' "$tmp/slurm.merge.sbatch"
# An array task is the shard it names: run task 3 by hand and compare with part 3.
SLURM_ARRAY_TASK_ID=3 bash "$tmp/slurm.sweep.sbatch"
cmp "$tmp/slurm.part-3.csv" "$tmp/part-3.csv"
if "$src/scripts/sweep-slurm" --shards 5 --out "$tmp/slurm" --mmvp "$mmvp" -- --out y 2>"$tmp/err"; then exit 1; fi
grep -q "give --out to this script" "$tmp/err"
echo "sweep_shard: ok"
