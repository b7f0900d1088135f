#!/usr/bin/env bash
# Byte-identity of two phasespace builds on the runs that fix the training
# and sampling results: each command runs with binary A and binary B, and
# every file it writes is compared (loss.csv without its wall-clock
# elapsed_s column, the checkpoint manifests without their wall-clock
# "seconds"), at GOMAXPROCS 1 and 2 each. Exit status 1 if any file differs.
#
# Usage: bench/same_output.sh OLD_BINARY NEW_BINARY
#   (e.g. go build -o /tmp/old/phasespace ./cmd/phasespace in another checkout)
set -euo pipefail
a=$1 b=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
run() { # name args... : run with both binaries, compare every file
	local name=$1
	shift
	for bin in a b; do
		local exe=$a
		[ $bin = b ] && exe=$b
		for procs in 1 2; do
			local out="$work/$name-$bin-$procs"
			mkdir -p "$out"
			(cd "$out" && GOMAXPROCS=$procs "$exe" "$@" >/dev/null)
			# the copy compared: loss.csv and the manifests without wall-clock times
			cp -r "$out" "$out.cmp"
			if [ -f "$out.cmp/run/loss.csv" ]; then
				cut -d, -f1-5 "$out/run/loss.csv" >"$out.cmp/run/loss.csv"
				find "$out.cmp/run" -name manifest.json -exec sed -i 's/"seconds": [0-9.e+-]*/"seconds": 0/' {} +
			fi
		done
	done
	for procs in 1 2; do
		for bproc in 1 2; do
			if ! diff -r "$work/$name-a-$procs.cmp" "$work/$name-b-$bproc.cmp" >/dev/null; then
				echo "DIFFERENT: $name (A at GOMAXPROCS $procs, B at $bproc)"
				diff -rq "$work/$name-a-$procs.cmp" "$work/$name-b-$bproc.cmp" || true
				bad=1
			fi
		done
	done
	echo "$name: $(find "$work/$name-a-1.cmp" -type f | wc -l) files compared, identical: $([ $bad = 0 ] && echo yes || echo NO)"
}
# 256 random 28×28 images (uint8 IDX files) for the U-Net runs.
python3 "$(dirname "$0")/random_idx.py" "$work/images" 256
run mlp60 train --data 8gaussians --steps 60 --ckpt-every 25 --quiet --out run
run clip40 train --data 8gaussians --steps 40 --clip 0.05 --quiet --out run
run sample-mlp sample --ckpt "$work/mlp60-a-1/run" --sampler sscs --nfe 20 --n 300 --seed 1 --out s.csv
run unet3 train --data "$work/images" --downsample --batch 16 --steps 3 --quiet --out run
run sample-unet sample --ckpt "$work/unet3-a-1/run" --sampler sscs --nfe 4 --n 3 --seed 1 --out s.csv
exit $bad
