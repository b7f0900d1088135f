#!/bin/sh
# SSCS convention study with the exact score (docs/samplers.md, "SSCS
# conventions"): the four combinations of score time (midpoint, start) and
# half-step β (per-half, first-half) on CLD and PSLD with constant and
# linear β, quadratic and uniform striding, 20..200 NFE, on diamond,
# 8gaussians and gaussian; MMD² against fresh data over 5 seeds with
# standard errors and paired differences. The three data sets run as three
# single-threaded processes (each cell depends only on its data set, seed
# and configuration, so the split does not change any number); about 30
# minutes on a loaded 2-core machine.
set -eu
cd "$(dirname "$0")/.."
go build -o bench/.samplerbench ./sampler/cmd/samplerbench
for d in diamond 8gaussians gaussian; do
	GOMAXPROCS=1 bench/.samplerbench -sscs -n 3000 -reps 5 -seed 1 -data "$d" "$@" >"bench/.sscs_$d.md" &
done
wait
cat bench/.sscs_diamond.md bench/.sscs_8gaussians.md bench/.sscs_gaussian.md >bench/sscs_results.md
rm -f bench/.samplerbench bench/.sscs_diamond.md bench/.sscs_8gaussians.md bench/.sscs_gaussian.md
cat bench/sscs_results.md
