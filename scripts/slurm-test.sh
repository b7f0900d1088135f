#!/usr/bin/env bash
# slurm-test.sh: run a sharded phasespace job on a real Slurm cluster and
# check that the merged shards equal the single-process run byte for byte.
#
# It installs Debian's slurm-wlm and munge when they are missing (root and
# a reachable apt are needed; otherwise it says SKIP and exits 0), starts a
# one-node cluster on this host (munged, slurmctld, slurmd with the node's
# real CPU count and memory, state and logs in a temporary directory),
# submits a job array of 4 sampling shards, a job array of 3 NLL shards and
# a job array of 2 shards of `eval --ckpt` of a briefly trained checkpoint
# (sbatch --array --wait), merges each with `phasespace merge`, compares
# the results with the single-process runs, and stops the daemons it
# started. The job is tiny (the exact score of 8gaussians, n = 1000) and
# the whole script is bounded by SLURM_TEST_TIMEOUT seconds (default 300).
# docs/scale.md shows its output.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${SLURM_TEST_TIMEOUT:-300}

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "SKIP slurm-test: slurm-wlm and munge are not installed and cannot be (needs root and apt-get)"
		exit 0
	fi
	echo "slurm-test: installing slurm-wlm and munge with apt-get"
	if ! (timeout 240 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 240 apt-get install -y -qq slurm-wlm munge >/dev/null); then
		echo "SKIP slurm-test: apt-get could not install slurm-wlm and munge (no repository reachable?)"
		exit 0
	fi
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP slurm-test: starting slurmctld, slurmd and munged needs root"
	exit 0
fi

work=$(mktemp -d /tmp/phasespace-slurm.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
deadline=$((SECONDS + limit))
left() { echo $((deadline - SECONDS)); }

go build -o "$work/bin/phasespace" ./cmd/phasespace
ps="$work/bin/phasespace"
export PATH="$work/bin:$PATH"

# munge: the authentication Slurm needs, started unless one is running.
if ! munge -n </dev/null >/dev/null 2>&1; then
	[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
	chown munge:munge /etc/munge/munge.key && chmod 600 /etc/munge/munge.key
	install -d -o munge -g munge -m 755 /run/munge
	install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
	rm -f /run/munge/munged.pid
	runuser -u munge -- munged
	for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
	pids+=("$(cat /run/munge/munged.pid)")
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
mkdir -p "$work/state" "$work/spool" "$work/log" "$work/out"
cat >"$work/slurm.conf" <<CONF
ClusterName=phasespace-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MaxArraySize=1001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/log/slurmd.stdout" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	sinfo -h -o '%T' 2>/dev/null | grep -qx idle && break
	sleep 0.2
done
if ! sinfo -h -o '%T' | grep -qx idle; then
	echo "FAIL slurm-test: the node did not come up"; sinfo || true
	tail -20 "$work/log/slurmctld.log" "$work/log/slurmd.log" || true
	exit 1
fi
echo "slurm-test: cluster up: $(sinfo -h -o 'partition %P, node %N, %c CPUs, %m MB, %T') ($(sinfo -V))"

# The job: 1000 samples of the exact 8gaussians score, and the NLL of 1000
# points under it, each once in one process and once as a Slurm array.
sample=(sample --exact 8gaussians --sampler sscs --nfe 20 --n 1000 --seed 7)
nll=(eval --exact 8gaussians --metrics nll --n 1000 --seed 3 --batch 250 --rtol 1e-3 --atol 1e-3)
cd "$work"
phasespace "${sample[@]}" --out single.csv
phasespace "${nll[@]}" --json >single-nll.json
phasespace train --data 8gaussians --steps 200 --hidden 64 --quiet --out ck
ckpt=(eval --ckpt ck --metrics nll,ed,mmd,sw2,modes --n 1000 --batch 250 --rtol 1e-3 --atol 1e-3)
phasespace "${ckpt[@]}" --json | sed 's/"seconds": .*/"seconds": wall-clock/' >single-ckpt.json

submit() { # name, array range, command...
	local name=$1 range=$2
	shift 2
	echo "\$ sbatch --wait --array=$range --job-name=$name --wrap \"$*\""
	timeout "$(left)" sbatch --wait --array="$range" --job-name="$name" --chdir="$work" \
		-o "$work/out/$name-%a.log" --wrap "$*"
	cat "$work/out/$name"-*.log
}
submit sample 0-3 "phasespace ${sample[*]} --out run"
submit nll 0-2 "phasespace ${nll[*]} --out nll"
submit ckpt 0-1 "phasespace ${ckpt[*]} --out ckpt"

echo "\$ phasespace merge --out merged run/shard-*"
phasespace merge --out merged run/shard-*
echo "\$ phasespace merge --out merged-nll nll/shard-*"
phasespace merge --out merged-nll nll/shard-* >merged-nll.stdout
cat merged-nll.stdout
echo "\$ phasespace merge --out merged-ckpt ckpt/shard-*"
phasespace merge --out merged-ckpt ckpt/shard-*
status=0
if cmp single.csv merged/samples.csv; then
	echo "PASS: 4 Slurm shards of sample merge into the single run's $(wc -c <single.csv) bytes (sha256 $(sha256sum <single.csv | cut -c1-16))"
else
	echo "FAIL: merged samples differ from the single run"; status=1
fi
if cmp single-nll.json merged-nll/eval.json; then
	echo "PASS: 3 Slurm shards of eval nll merge into the single run's $(wc -c <single-nll.json)-byte JSON report"
else
	echo "FAIL: merged eval JSON differs from the single run"; diff single-nll.json merged-nll/eval.json || true; status=1
fi
# The sampler's seconds are wall-clock time (the merge sums the shards').
if sed 's/"seconds": .*/"seconds": wall-clock/' merged-ckpt/eval.json | cmp single-ckpt.json -; then
	echo "PASS: 2 Slurm shards of eval --ckpt merge into the single run's $(wc -c <single-ckpt.json)-byte JSON report (the sampler's seconds aside)"
else
	echo "FAIL: merged eval --ckpt JSON differs from the single run"; diff single-ckpt.json merged-ckpt/eval.json || true; status=1
fi
rm -rf "$work"
exit $status
