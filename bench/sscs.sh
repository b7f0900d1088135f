#!/bin/sh
# SSCS convention study with the exact score (docs/samplers.md, "SSCS
# conventions"): the four combinations of score time (midpoint, start) and
# half-step β (per-half, first-half) on CLD and PSLD with constant and
# linear β, quadratic and uniform striding, 20..200 NFE, on diamond,
# 8gaussians and gaussian; MMD² against fresh data over 5 seeds with
# standard errors and paired differences. About 25 minutes on one core.
set -eu
cd "$(dirname "$0")/.."
GOMAXPROCS=1 go run ./sampler/cmd/samplerbench -sscs -n 3000 -reps 5 -seed 1 "$@" | tee bench/sscs_results.md
