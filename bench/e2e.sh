#!/usr/bin/env bash
# End-to-end throughput of phasespace against PyTorch (issue #19), one
# command. Every setting runs REPS times, alternating, and each row reports
# the medians and one ratio:
#
#   train mlp     `phasespace train --data 8gaussians` (CLD, HSM, mixed
#                 score, MLP 4→256×4→2, batch 512) steps/s, against the same
#                 loop in PyTorch (bench/torch_e2e.py --task train-mlp) at 1
#                 and 2 threads (the faster counts); target ≥ 2×.
#   train unet    the same with the 28×28 U-Net (batch 64) on MNIST-shaped
#                 random pixels (an IDX directory written here); target ≥ 1.5×.
#   sample mlp    `phasespace sample --sampler sscs --nfe NFE --n 10000`
#                 samples/s from an MLP checkpoint; target ≥ 1.5×.
#   sample unet   the same with a 14×14 U-Net checkpoint, --n 256; ≥ 1.5×.
#   loop vs step  `phasespace train` (MLP) steps/s against `enginebench
#                 -model mlp -threads 2` (the engine's bare step: forward,
#                 MSE, backward, Adam, EMA); target ≥ 0.95. Both rates are
#                 steps over total time (enginebench's last column, the mean
#                 step); the engine's median step is printed beside it.
#   GEMM of peak  the MLP step's matrix products (enginebench's core time in
#                 gemm, at 2 threads) as a fraction of gemm.MeasurePeak;
#                 target ≥ 70%.
#
# phasespace's steps/s is read from its own loss.csv (elapsed_s column)
# over the steps after WARMUP, so process start, model building and the
# final checkpoint are excluded, as PyTorch's import and warm-up steps are;
# samples/s is what `phasespace sample` prints (sampling time only).
# Go runs with GOMAXPROCS=2, PyTorch with OMP_NUM_THREADS = torch.set_num_threads.
#
# Usage: bench/e2e.sh
#   env: REPS=5 MLP_STEPS=300 UNET_STEPS=4 WARMUP=2 NFE=200 MLP_N=10000
#        UNET_N=256 TORCH_THREADS="1 2" ROWS="train-mlp train-unet sample-mlp sample-unet"
#   tiny check: REPS=1 MLP_STEPS=10 UNET_STEPS=1 WARMUP=1 NFE=5 MLP_N=500 UNET_N=4 bench/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-5}
MLP_STEPS=${MLP_STEPS:-300}
UNET_STEPS=${UNET_STEPS:-4}
WARMUP=${WARMUP:-2}
NFE=${NFE:-200}
MLP_N=${MLP_N:-10000}
UNET_N=${UNET_N:-256}
TORCH_THREADS=${TORCH_THREADS:-"1 2"}
ROWS=${ROWS:-"train-mlp train-unet sample-mlp sample-unet"}
source bench/torch_setup.sh # (from the repository root) sets PY, installs torch and OpenBLAS if missing

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/phasespace" ./cmd/phasespace
go build -o "$work/enginebench" ./nn/cmd/enginebench
ps=$work/phasespace
results=$work/results

# 1. The PyTorch loop's kernel maths against phasespace's.
for t in 1e-05 0.01 0.3 1; do
	"$ps" kernel -t "$t" --json >"$work/kernel-$t.json"
done
"$PY" bench/torch_e2e.py --check-kernel "$work"/kernel-*.json
# The same loss scale: mean loss of the first 20 MLP steps in both loops
# (other random streams and initial weights, so equal only statistically).
"$ps" train --data 8gaussians --steps 20 --quiet --ckpt-every 0 --out "$work/first" >/dev/null
"$PY" bench/torch_e2e.py --task train-mlp --steps 20 --warmup 0 --log "$work/first-torch.csv" >/dev/null
awk -F, 'NR > 1 { s += $2; n++ } END { printf "mean loss of the first 20 MLP steps: phasespace %.4f, ", s / n }' "$work/first/loss.csv"
awk -F, '{ s += $2; n++ } END { printf "pytorch %.4f\n", s / n }' "$work/first-torch.csv"

# 2. MNIST-shaped random images (2048 training images, uint8 IDX files).
"$PY" bench/random_idx.py "$work/images" 2048

# 3. Checkpoints to sample from (untrained weights sample as fast).
if [[ " $ROWS " == *" sample-mlp "* ]]; then
	"$ps" train --data 8gaussians --steps 1 --quiet --out "$work/ckpt-mlp" >/dev/null
fi
if [[ " $ROWS " == *" sample-unet "* ]]; then
	"$ps" train --data "$work/images" --downsample --batch 8 --steps 1 --quiet --out "$work/ckpt-unet" >/dev/null
fi

# steps/s of a phasespace train run from its loss.csv, after WARMUP steps.
rate() {
	awk -F, -v w="$WARMUP" 'NR > 1 { s = $1; e = $6; if ($1 == w) e0 = $6 } END { printf "%.4f\n", (s - w) / (e - e0) }' "$1/loss.csv"
}
go_train() { # model data batch steps
	rm -rf "$work/run"
	GOMAXPROCS=2 "$ps" train --data "$2" --batch "$3" --steps $((WARMUP + $4)) --quiet --ckpt-every 0 --out "$work/run" >/dev/null
	echo "$1 go 2 $(rate "$work/run")" >>"$results"
}
go_sample() { # model ckpt n
	local line
	line=$(GOMAXPROCS=2 "$ps" sample --ckpt "$2" --sampler sscs --nfe "$NFE" --n "$3" --seed 1 --out "$work/s.csv")
	echo "$1 go 2 $(sed -n 's/.*(\([0-9.]*\) samples\/s).*/\1/p' <<<"$line")" >>"$results"
}

for rep in $(seq "$REPS"); do
	for row in $ROWS; do
		for th in $TORCH_THREADS; do
			case $row in
			train-mlp)
				[ "$th" = "${TORCH_THREADS%% *}" ] && go_train train-mlp 8gaussians 512 "$MLP_STEPS"
				[ "$th" = "${TORCH_THREADS%% *}" ] && "$work/enginebench" -model mlp -threads 2 -steps "$MLP_STEPS" -warmup "$WARMUP" |
					awk '{ print "engine-mlp go 2", 1000 / $9, $6, $7, $8, 1000 / $4 }' >>"$results"
				OMP_NUM_THREADS=$th "$PY" bench/torch_e2e.py --task train-mlp --threads "$th" --steps "$MLP_STEPS" --warmup "$WARMUP" |
					awk '{ print $1, $2, $3, $5 }' >>"$results"
				;;
			train-unet)
				[ "$th" = "${TORCH_THREADS%% *}" ] && go_train train-unet "$work/images" 64 "$UNET_STEPS"
				OMP_NUM_THREADS=$th "$PY" bench/torch_e2e.py --task train-unet --images "$work/images" --threads "$th" --steps "$UNET_STEPS" --warmup "$WARMUP" |
					awk '{ print $1, $2, $3, $5 }' >>"$results"
				;;
			sample-mlp)
				[ "$th" = "${TORCH_THREADS%% *}" ] && go_sample sample-mlp "$work/ckpt-mlp" "$MLP_N"
				OMP_NUM_THREADS=$th "$PY" bench/torch_e2e.py --task sample-mlp --threads "$th" --n "$MLP_N" --nfe "$NFE" --steps 1 --warmup 0 |
					awk '{ print $1, $2, $3, $4 }' >>"$results"
				;;
			sample-unet)
				[ "$th" = "${TORCH_THREADS%% *}" ] && go_sample sample-unet "$work/ckpt-unet" "$UNET_N"
				OMP_NUM_THREADS=$th "$PY" bench/torch_e2e.py --task sample-unet --side 14 --threads "$th" --n "$UNET_N" --nfe "$NFE" --steps 1 --warmup 0 |
					awk '{ print $1, $2, $3, $4 }' >>"$results"
				;;
			*) echo "e2e.sh: unknown row $row" >&2 && exit 2 ;;
			esac
		done
	done
	echo "repetition $rep/$REPS done" >&2
done

"$PY" - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs.setdefault((f[0], f[1], int(f[2])), []).append([float(x) for x in f[3:]])
med = {k: [statistics.median(col) for col in zip(*v)] for k, v in runs.items()}
print(f"{'row':12} {'unit':10} {'phasespace 2t':>14} {'pytorch best':>13} {'(threads)':>9} {'ratio':>7} {'target':>7}  runs")
targets = {"train-mlp": 2.0, "train-unet": 1.5, "sample-mlp": 1.5, "sample-unet": 1.5}
for row, target in targets.items():
    g = med.get((row, "go", 2))
    ts = [(v[0], th) for (r, e, th), v in med.items() if r == row and e == "torch"]
    if g is None or not ts:
        continue
    best, th = max(ts)
    unit = "steps/s" if row.startswith("train") else "samples/s"
    n = len(runs[(row, "go", 2)])
    print(f"{row:12} {unit:10} {g[0]:14.2f} {best:13.2f} {th:>9} {g[0] / best:6.2f}x {target:6.2f}x  {n}")
g, e = med.get(("train-mlp", "go", 2)), med.get(("engine-mlp", "go", 2))
if g and e:
    print(f"{'loop/step':12} {'steps/s':10} {g[0]:14.2f} {'engine ' + format(e[0], '.2f'):>13} {'2':>9} {g[0] / e[0]:6.2f}x {0.95:6.2f}x  {len(runs[('engine-mlp', 'go', 2)])}")
    print(f"  (loop against the engine's median step, {e[4]:.2f} steps/s: {g[0] / e[4]:.2f}x; the row above uses the mean of both)")
    core_ms, gflop, peak = e[1], e[2], e[3]
    if peak > 0 and core_ms > 0:
        rate = gflop / (core_ms / 1000 / 2)  # GFLOP over the 2 cores' time inside gemm
        print(f"MLP step GEMM: {rate:.1f} GFLOP/s = {100 * rate / peak:.0f}% of the measured peak {peak:.1f} GFLOP/s (target >= 70%)")
PY
