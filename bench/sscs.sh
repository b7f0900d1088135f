#!/bin/sh
# SSCS convention study with the exact score (docs/samplers.md, "SSCS
# conventions"): the four combinations of score time (midpoint, start) and
# half-step β (per-half, first-half) on CLD and PSLD with constant and
# linear β, quadratic and uniform striding, 20..200 NFE, on diamond,
# 8gaussians and gaussian; MMD² against fresh data over 4 seeds with
# standard errors and paired differences. The three data sets run as three
# single-threaded processes that write their values as they go (each value
# depends only on its data set, seed and configuration, so the split changes
# no number); the tables are then printed from those files. About 4 CPU
# minutes per data set (diamond, 8gaussians; gaussian less).
set -eu
cd "$(dirname "$0")/.."
go build -o bench/.samplerbench ./sampler/cmd/samplerbench
for d in diamond 8gaussians gaussian; do
	GOMAXPROCS=1 bench/.samplerbench -sscs -n 2000 -reps 4 -seed 1 -data "$d" -raw "bench/.sscs_$d.raw" "$@" >/dev/null &
done
wait
bench/.samplerbench -report bench/.sscs_diamond.raw,bench/.sscs_8gaussians.raw,bench/.sscs_gaussian.raw | tee bench/sscs_results.md
rm -f bench/.samplerbench bench/.sscs_diamond.raw bench/.sscs_8gaussians.raw bench/.sscs_gaussian.raw
