#!/bin/sh
# SSCS convention study with the exact score (docs/samplers.md, "SSCS
# conventions"): the four combinations of score time (midpoint, start) and
# half-step β (per-half, first-half) on CLD and PSLD with constant and
# linear β, quadratic and uniform striding, 20..200 NFE, on diamond,
# 8gaussians and gaussian; MMD² against fresh data over 4 seeds with
# standard errors and paired differences. The three data sets run as three
# single-threaded processes (each value depends only on its data set, seed
# and configuration, so the split changes no number) whose outputs are
# concatenated; about 25 minutes on the loaded 2-core machine, ~4 CPU
# minutes per data set. (-raw FILE and -report FILES print the same tables
# from values saved as they are measured.)
set -eu
cd "$(dirname "$0")/.."
go build -o bench/.samplerbench ./sampler/cmd/samplerbench
for d in diamond 8gaussians gaussian; do
	GOMAXPROCS=1 bench/.samplerbench -sscs -n 2000 -reps 4 -seed 1 -data "$d" "$@" >"bench/.sscs_$d.md" &
done
wait
cat bench/.sscs_diamond.md bench/.sscs_8gaussians.md bench/.sscs_gaussian.md >bench/sscs_results.md
rm -f bench/.samplerbench bench/.sscs_diamond.md bench/.sscs_8gaussians.md bench/.sscs_gaussian.md
cat bench/sscs_results.md
