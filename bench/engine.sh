#!/usr/bin/env bash
# Benchmarks the phasespace/nn engine against PyTorch on the CPU: one full
# training step (forward, MSE, backward, Adam, EMA) of the toy MLP (in 4,
# out 2, 4×256, batch 512) and of the 28×28 U-Net (2→2 channels, 32/64/128,
# batch 64). PyTorch runs at 1 and 2 threads, the Go engine at GOMAXPROCS=2;
# runs alternate and each setting's median over REPS repetitions is
# reported, with the ratio (speed-up) against the faster PyTorch setting.
# For the Go engine the share of the cores' time spent in matrix products,
# their rate (GFLOP over the core time inside them, times the threads) and
# that rate as a fraction of the measured fp32 peak are shown too.
#
# Usage: bench/engine.sh   (env: REPS=5 MLP_STEPS=50 UNET_STEPS=3 WARMUP=2
#                           MODELS="mlp unet")
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-5}
MLP_STEPS=${MLP_STEPS:-50}
UNET_STEPS=${UNET_STEPS:-3}
WARMUP=${WARMUP:-2}
MODELS=${MODELS:-"mlp unet"}
source bench/torch_setup.sh # (from the repository root) sets PY, installs torch and OpenBLAS if missing

bin=$(mktemp -d)/enginebench
go build -o "$bin" ./nn/cmd/enginebench
results=$(mktemp)

# Same architecture check: the Go models' weights, read by a strict
# safetensors reader into the PyTorch models, must give the same outputs.
dump=$(mktemp -d)
for model in $MODELS; do
	"$bin" -model "$model" -dump "$dump"
	"$PY" bench/torch_ref.py --model "$model" --check "$dump"
done

for rep in $(seq "$REPS"); do
	for model in $MODELS; do
		steps=$MLP_STEPS
		[ "$model" = unet ] && steps=$UNET_STEPS
		OMP_NUM_THREADS=1 "$PY" bench/torch_ref.py --model "$model" --threads 1 --steps "$steps" --warmup "$WARMUP" >>"$results"
		"$bin" -model "$model" -threads 2 -steps "$steps" -warmup "$WARMUP" >>"$results"
		OMP_NUM_THREADS=2 "$PY" bench/torch_ref.py --model "$model" --threads 2 --steps "$steps" --warmup "$WARMUP" >>"$results"
	done
	echo "repetition $rep/$REPS done" >&2
done

"$PY" - "$results" <<'PY'
import statistics, sys
rows, gemm = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    key = (f[0], f[1], int(f[2]))
    rows.setdefault(key, []).append(float(f[3]))
    if f[1] == "go":
        # core-ms in GEMM, GFLOP of GEMM per step, measured peak GFLOP/s
        gemm.setdefault(key, []).append((float(f[5]), float(f[6]), float(f[7])))
print(f"{'model':6} {'engine':12} {'ms/step':>10} {'steps/s':>9} {'vs best torch':>14} {'GEMM share':>11} {'GEMM GFLOP/s':>13} {'of peak':>8}")
for model in ("mlp", "unet"):
    ts = [statistics.median(v) for (m, e, _), v in rows.items() if m == model and e == "torch"]
    if not ts:
        continue
    best = min(ts)
    for key, v in sorted(rows.items()):
        m, e, th = key
        if m != model:
            continue
        med = statistics.median(v)
        name = f"{'go nn' if e == 'go' else 'pytorch'} {th}t"
        extra = ""
        if key in gemm:
            core_ms = statistics.median(g[0] for g in gemm[key])
            gflop = statistics.median(g[1] for g in gemm[key])
            peak = statistics.median(g[2] for g in gemm[key])
            # GEMM rate over the cores' time inside it; share of the step's
            # core time (threads × wall) spent in GEMM.
            rate = gflop / (core_ms / 1000 / th)
            frac = f"{100 * rate / peak:7.0f}%" if peak > 0 else f"{'n/a':>8}"
            extra = f" {100 * core_ms / (th * med):10.0f}% {rate:13.1f} {frac}"
        print(f"{m:6} {name:12} {med:10.2f} {1000/med:9.2f} {best/med:13.2f}x{extra}")
PY
