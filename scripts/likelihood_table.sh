#!/usr/bin/env bash
# Likelihood table of docs/likelihood.md: exact-score NLL of diamond and
# 8gaussians under VP, CLD and PSLD with the exact divergence, Hutchinson's
# estimator (both K = 1), and the importance-weighted bounds K = 8 and 64, against the
# data's true NLL on the same points and the entropy of docs/metrics.md
# (True entropies).
# Usage: [CKPTS="dir ..."] [SKIP_EXACT=1] scripts/likelihood_table.sh [N] > table.md
#        (N evaluation points, default 1000; CKPTS adds rows for trained checkpoints)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
go build -o /tmp/phasespace-lt ./cmd/phasespace
echo "| data | SDE | estimator | NLL ± s.e. (nats) | true NLL, same points | H(p) | NFE |"
echo "|---|---|---|---|---|---|---|"
exact_sets="diamond 8gaussians"
[ -n "${SKIP_EXACT:-}" ] && exact_sets=""
for data in $exact_sets; do
	for sde in vp cld psld; do
		for est in "exact" "hutchinson" "iw8" "iw64"; do
			args=(eval --exact "$data" --sde "$sde" --metrics nll --n "$n" --seed 1 --json)
			case "$est" in
			hutchinson) args+=(--divergence hutchinson --probes 1) ;;
			iw*) [ "$sde" = vp ] && continue; args+=(--iw "${est#iw}") ;;
			esac
			[ "$sde" = psld ] && args+=(--Gamma 0.01 --nu 4.01)
			/tmp/phasespace-lt "${args[@]}" | jq -r --arg d "$data" --arg s "$sde" --arg e "$est" \
				'"| \($d) | \($s) | \($e) | \(.nll.nll*1e4|round/1e4) ± \(.nll.se*1e4|round/1e4) | \(.nll.true_nll_same_points*1e4|round/1e4) | \(.nll.true_entropy) | \(.nll.nfe) |"'
		done
	done
done
# Trained checkpoints (for data without an exact score, e.g. checkerboard):
# CKPTS="results/checkerboard-cld-hsm ..." scripts/likelihood_table.sh 500
for ckpt in ${CKPTS:-}; do
	for est in "exact" "hutchinson" "iw8" "iw64"; do
		args=(eval --ckpt "$ckpt" --metrics nll --n "$n" --seed 1 --json)
		case "$est" in
		hutchinson) args+=(--divergence hutchinson --probes 1) ;;
		iw*) args+=(--iw "${est#iw}") ;;
		esac
		/tmp/phasespace-lt "${args[@]}" | jq -r --arg c "$(basename "$ckpt")" --arg e "$est" \
			'"| \(.model|split(" ")[0]|split("/")|.[-3] // $c) (trained) | \(.process.sde) | \($e) | \(.nll.nll*1e4|round/1e4) ± \(.nll.se*1e4|round/1e4) | \(.nll.true_nll_same_points // "–") | \(.nll.true_entropy // "–") | \(.nll.nfe) |"'
	done
done
