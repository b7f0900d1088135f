#!/usr/bin/env bash
# The long image benchmark of docs/images.md: VP, CLD and PSLD U-Nets on
# 14x14 MNIST at the same wall-clock training budget, then bits/dim and
# FD/KID/precision/recall/class-KL with a grid per sampler x NFE.
#
# Fairness on a 2-core machine: every SDE trains on one dedicated core
# (taskset + GOMAXPROCS=1), two at a time, the third after them, so that each
# gets the same budget of one core and none shares it. Evaluation (which does
# not depend on the thread count) then runs one SDE per core, and a last
# command assembles OUT/results.md from the cached cells.
#
#   BUDGET=20m OUT=runs/imagebench bench/imagebench.sh
#
# An interrupted run resumes: rerun the same command.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${BUDGET:-20m}
OUT=${OUT:-runs/imagebench}
DATA=${DATA:-mnist}
BIN=${BIN:-$(mktemp -d)/phasespace}
go build -o "$BIN" ./cmd/phasespace
mkdir -p "$OUT"
common=(--data "$DATA" --budget "$BUDGET" --out "$OUT")
source bench/pinned.sh # on CORE ARGS...: one imagebench pinned to one core
# 1. VP and CLD train side by side, one core each.
on 0 --sdes vp --train-only >"$OUT/train-vp.log" 2>&1 &
on 1 --sdes cld --train-only >"$OUT/train-cld.log" 2>&1 &
wait
# 2. PSLD trains on core 0 while core 1 trains the classifier and evaluates VP
#    and CLD; then core 0 evaluates PSLD.
(on 0 --sdes psld --train-only >"$OUT/train-psld.log" 2>&1 &&
	until [ -f "$OUT/classifier.safetensors" ]; do sleep 10; done &&
	on 0 --sdes psld >"$OUT/eval-psld.log" 2>&1) &
on 1 --sdes vp,cld >"$OUT/eval-vp-cld.log" 2>&1 &
wait
# 3. Every cell is cached: this only assembles the table.
"$BIN" imagebench "${common[@]}"
echo "results: $OUT/results.md, grids: $OUT/grids/"
