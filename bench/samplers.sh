#!/bin/sh
# Sampler benchmark with the exact score (docs/samplers.md): MMD² and energy
# distance against fresh data for EM and SSCS (uniform and quadratic
# striding) at 10..500 NFE and the probability-flow ODE at three tolerances,
# on diamond and 8gaussians, VP/CLD/PSLD. About 6 minutes on 2 cores.
set -eu
cd "$(dirname "$0")/.."
mkdir -p docs/img
go run ./sampler/cmd/samplerbench -n 2000 -seed 1 -png docs/img "$@" | tee bench/samplers_results.md
