#!/usr/bin/env bash
# Compares the engine's training step (forward, MSE, backward, Adam, EMA:
# enginebench, the Go half of bench/engine.sh) at two commits, alternating
# their runs so that a change of the machine's speed hits both alike, and
# prints each run and the medians of the median step times with their ratio.
#
#   bench/engine_ab.sh OLD_COMMIT [NEW_COMMIT]   (env: REPS=7 MODEL=mlp STEPS=50 THREADS=2)
#
# NEW_COMMIT defaults to the working tree.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=${2:-}
REPS=${REPS:-7} MODEL=${MODEL:-mlp} STEPS=${STEPS:-50} THREADS=${THREADS:-2}
tmp=$(mktemp -d)
trap 'for w in "$tmp"/src-*; do git worktree remove --force "$w" >/dev/null 2>&1 || true; done; rm -rf "$tmp"' EXIT
build() { # build COMMIT OUT
	if [ -z "$1" ]; then
		go build -o "$2" ./nn/cmd/enginebench
		return
	fi
	git worktree add -q "$tmp/src-$(basename "$2")" "$1"
	(cd "$tmp/src-$(basename "$2")" && go build -o "$2" ./nn/cmd/enginebench)
}
build "$old" "$tmp/old.bin"
build "$new" "$tmp/new.bin"
: >"$tmp/old.ms" && : >"$tmp/new.ms"
for ((i = 0; i < REPS; i++)); do
	for side in old new; do
		# enginebench prints: model go threads median-ms steps/s gemm-ms gflop peak
		ms=$("$tmp/$side.bin" -model "$MODEL" -steps "$STEPS" -threads "$THREADS" | awk '{print $4}')
		echo "$side run $i: $ms ms/step"
		echo "$ms" >>"$tmp/$side.ms"
	done
done
med() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(med "$tmp/old.ms") mn=$(med "$tmp/new.ms")
echo "median ms/step: old $mo, new $mn, new/old $(awk -v a="$mn" -v b="$mo" 'BEGIN{printf "%.3f", a/b}')"
