#!/usr/bin/env bash
# The gDDIM image table of docs/images.md and docs/samplers.md: CLD and PSLD
# U-Nets on 14x14 MNIST trained with --param R (the full ε under gDDIM's
# R_t), then FD/KID/precision/recall of gDDIM at 10/20/50 (and 100/250) NFE beside SSCS
# and EM at 50/100/250 and the probability-flow ODE, on N samples each.
#
# Budget: the work of the 20-minute runs of bench/imagebench.sh (2983-3158
# steps on one quiet core) as a step cap, STEPS=3000, so that a machine
# busy with other work trains the same amount; BUDGET is only a backstop.
# CLD and PSLD train side by side, one pinned core each, then each is
# evaluated on its own core; a last command assembles OUT/results.md.
#
#   N=1000 OUT=runs/imagebench-gddim bench/imagebench-gddim.sh
#
# An interrupted run resumes: rerun the same command.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-3000}
BUDGET=${BUDGET:-120m}
N=${N:-1000}
OUT=${OUT:-runs/imagebench-gddim}
SAMPLERS=${SAMPLERS:-gddim:10,gddim:20,gddim:50,gddim:100,gddim:250,sscs:50,sscs:100,sscs:250,em:50,em:100,em:250,ode:1e-3}
BIN=${BIN:-$(mktemp -d)/phasespace}
go build -o "$BIN" ./cmd/phasespace
mkdir -p "$OUT"
common=(--data mnist --param R --steps "$STEPS" --budget "$BUDGET" --samplers "$SAMPLERS" --n "$N" --out "$OUT")
source bench/pinned.sh # on CORE ARGS...: one imagebench pinned to one core
on 0 --sdes cld --train-only >"$OUT/train-cld.log" 2>&1 &
on 1 --sdes psld --train-only >"$OUT/train-psld.log" 2>&1 &
wait
# The classifier is trained once (core 1, 3 epochs, seed 1) before the two
# evaluations start, so they do not both train it.
[ -f "$OUT/classifier.safetensors" ] ||
	"$BIN" classifier --data mnist --downsample --floor-n 100 --out "$OUT/classifier.safetensors" >"$OUT/classifier.log" 2>&1
on 0 --sdes cld --classifier "$OUT/classifier.safetensors" >"$OUT/eval-cld.log" 2>&1 &
on 1 --sdes psld --classifier "$OUT/classifier.safetensors" >"$OUT/eval-psld.log" 2>&1 &
wait
"$BIN" imagebench "${common[@]}" --sdes cld,psld --classifier "$OUT/classifier.safetensors"
echo "results: $OUT/results.md, grids: $OUT/grids/"
