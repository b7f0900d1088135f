#!/bin/sh
# Smallest NFE at the floor (docs/samplers.md, "Smallest NFE at the floor"):
# for VP, CLD and PSLD × {EM, SSCS, gDDIM q = 1..3 with R and L} × {uniform,
# quadratic} striding, the first rung of the NFE ladder 5..500 (confirmed by
# the next rung) at which the MMD² of 3000 samples (exact score, seed 1)
# against 3000 fresh data points is at most mean + 2 s.d. of 40 real-vs-real
# pairs, and the CPU time per 1000 samples there; the ODE at rtol = atol
# 1e-2..1e-5. On one core: about 14 minutes (under load). Per-rung MMD² values go
# to bench/samplertable_rungs.log.
set -eu
cd "$(dirname "$0")/.."
GOMAXPROCS=1 go run ./sampler/cmd/samplerbench -table -n 3000 -seed 1 "$@" \
	2>bench/samplertable_rungs.log | tee bench/samplertable_results.md
