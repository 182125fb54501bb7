#!/usr/bin/env bash
# A sharded sweep on Slurm: brings up a single-node cluster (Debian's slurm-wlm and
# munge, configured and run in a temporary directory, nothing of the system's touched),
# submits the job array and merge job that scripts/sweep-slurm writes, and checks that
# the merged result equals the unsharded sweep byte for byte. Labelled long.
set -euo pipefail
mmvp=$1; src=$2
for tool in slurmctld slurmd sbatch squeue munged; do
  command -v "$tool" >/dev/null || { echo "sweep_slurm: $tool not found (scripts/setup installs slurm-wlm and munge)" >&2; exit 1; }
done
# slurmd runs jobs as their users, so it needs root.
[ "$(id -u)" -eq 0 ] || { echo "sweep_slurm: needs root for slurmd (skipped)" >&2; exit 77; }
tmp=$(mktemp -d /tmp/mmvp-slurm-XXXXXX)
chmod 755 "$tmp"
cleanup() {
  [ -f "$tmp/slurmd.pid" ] && kill "$(cat "$tmp/slurmd.pid")" 2>/dev/null || true
  [ -f "$tmp/slurmctld.pid" ] && kill "$(cat "$tmp/slurmctld.pid")" 2>/dev/null || true
  [ -S "$tmp/munge/munge.socket" ] && munged --stop -S "$tmp/munge/munge.socket" 2>/dev/null || true
  sleep 1
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "sweep_slurm: $*" >&2
  for f in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/out/*.log; do
    [ -f "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}

# munge, on its own socket with its own key.
mkdir -m 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged -f -S "$tmp/munge/munge.socket" --key-file="$tmp/munge/munge.key" \
  --log-file="$tmp/munge/munged.log" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"

# Slurm: one node (this machine), ports chosen so as not to meet a running Slurm.
host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
cpus=$(nproc)
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/out"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=mmvp-test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -f "$tmp/slurm.conf" -i || fail "slurmctld did not start"
slurmd -f "$tmp/slurm.conf" || fail "slurmd did not start"
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sinfo -h -o %t | grep -qE '^(idle|mix|alloc)' || fail "the node did not come up: $(sinfo -h 2>&1)"

# The sweep: two traces, a grid whose points go to both count engines, four shards.
args=(--trace "$src/traces/sample-lackey.txt" --trace "$src/traces/sample-lackey.txt.zst"
  --grid mmu.dtlb.l1_4k.entries=8..64:x2 --grid mmu.dtlb.l1_4k.policy=lru,plru)
"$mmvp" sweep -q "${args[@]}" --out "$tmp/whole"
"$src/scripts/sweep-slurm" --shards 4 --out "$tmp/out/tlb" --mmvp "$mmvp" --submit \
  -- "${args[@]}" >"$tmp/submit.txt" || fail "scripts/sweep-slurm failed: $(cat "$tmp/submit.txt")"
eval "$(grep '^array_job=' "$tmp/submit.txt")"
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$array_job,$merge_job" 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -j "$array_job,$merge_job" 2>/dev/null)" ] || fail "the jobs did not finish in 5 minutes"
[ -f "$tmp/out/tlb.csv" ] || fail "the merge job wrote no $tmp/out/tlb.csv"
cmp "$tmp/whole.csv" "$tmp/out/tlb.csv" || fail "merged CSV differs from the unsharded sweep"
cmp "$tmp/whole.json" "$tmp/out/tlb.json" || fail "merged JSON differs from the unsharded sweep"
for k in 1 2 3 4; do
  grep -q "\"shard\": \"$k/4\"" "$tmp/out/tlb.part-$k.json" || fail "part $k is not shard $k/4"
done
echo "sweep_slurm: 4 array tasks and the merge job gave the unsharded sweep's files"
