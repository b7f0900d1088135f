#!/bin/sh
# Smallest NFE at the floor (docs/samplers.md, "Smallest NFE at the floor"):
# for VP, CLD and PSLD × {EM, SSCS, gDDIM q = 1..3 with R and L} × {uniform,
# quadratic} striding, the first rung of the NFE ladder 5..500 (confirmed by
# the next rung) at which the MMD² of 3000 samples (exact score, seed 1)
# against 3000 fresh data points is at most mean + 2 s.d. of 40 real-vs-real
# pairs, and the CPU time per 1000 samples there; the ODE at rtol = atol
# 1e-2..1e-5. On one core: about 14 minutes (under load). Writes
# $OUT_results.md and the per-rung MMD² values to $OUT_rungs.log, with
# OUT=bench/samplertable by default; extra arguments go to samplerbench, e.g.
#   OUT=bench/samplertable_sscs bench/samplertable.sh -only sscs
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-bench/samplertable}
GOMAXPROCS=1 go run ./sampler/cmd/samplerbench -table -n 3000 -seed 1 "$@" \
	2>"${out}_rungs.log" | tee "${out}_results.md"
