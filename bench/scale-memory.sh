#!/usr/bin/env bash
# scale-memory.sh: peak resident memory (GNU time's maximum RSS) and wall
# time of `phasespace sample` from a checkpoint with the README demo's
# network, at n = 10⁴, 10⁵ and 10⁶, in chunks of the default --batch
# (10,000) and, for comparison, in one chunk of n (the behaviour before
# chunking). The network is trained for 50 steps only: memory and time
# depend on its size, not on its training. NFE 20 keeps the largest run to
# about a minute on 2 cores (time grows linearly with NFE, memory does not).
# Results: docs/scale.md, "Bounded memory".
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-$(mktemp -d)}
go build -o "$work/phasespace" ./cmd/phasespace
ps="$work/phasespace"
[ -d "$work/ckpt" ] || "$ps" train --data 8gaussians --steps 50 --quiet --out "$work/ckpt" >/dev/null
sizes=${SIZES:-"10000 100000 1000000"}
one_chunk_max=${ONE_CHUNK_MAX:-100000} # one chunk of 10⁶ needs ~16 GB: not run
echo "| n | --batch | max RSS (MB) | wall (s) |"
echo "|---:|---:|---:|---:|"
for n in $sizes; do
	for batch in 0 "$n"; do
		if [ "$batch" = "$n" ] && [ "$n" -gt "$one_chunk_max" ]; then continue; fi
		/usr/bin/time -f "%M %e" -o "$work/time" "$ps" sample --ckpt "$work/ckpt" --nfe 20 --n "$n" --batch "$batch" --out "$work/s.csv" >/dev/null 2>&1
		read -r kb secs <"$work/time"
		echo "| $n | $([ "$batch" = 0 ] && echo "0 (10000)" || echo "$batch") | $((kb / 1024)) | $secs |"
	done
done
