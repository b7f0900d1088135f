#!/bin/sh
# gDDIM with the exact score (docs/samplers.md, "gDDIM"): MMD² of 3000
# samples against 3000 fresh data points (phasespace eval, seed 1) for gDDIM
# orders 1–3 with K = R, the order-3 sampler with K = L, and EM and SSCS
# with quadratic striding for comparison, at 10..50 NFE (denoising step
# included), seed 5, on diamond and 8gaussians, CLD and PSLD at their
# defaults. Prints a markdown table; a few minutes on 2 cores.
set -eu
cd "$(dirname "$0")/.."
ps=$(mktemp -d)/phasespace
go build -o "$ps" ./cmd/phasespace
csv=$(mktemp --suffix .csv)
nfes="10 20 30 50"
mmd() { # data, then sample flags
	d=$1
	shift
	"$ps" sample --exact "$d" --n 3000 --seed 5 --striding quadratic --out "$csv" "$@" >/dev/null
	"$ps" eval --samples "$csv" --data "$d" --metrics mmd --n 3000 --seed 1 | awk '/^mmd2/ {printf "%.5f", $2}'
}
for d in diamond 8gaussians; do
	"$ps" sample --exact "$d" --n 3000 --seed 5 --sampler em --nfe 2 --out "$csv" >/dev/null
	floor=$("$ps" eval --samples "$csv" --data "$d" --metrics mmd --n 3000 --seed 1 | awk '/^mmd2/ {print $5}')
	echo
	echo "$d (real-vs-real MMD² at this N and seed: $floor)"
	echo
	printf '| sampler | SDE |'
	for n in $nfes; do printf ' NFE %s |' "$n"; done
	echo
	printf '|---|---|'
	for n in $nfes; do printf -- '---|'; done
	echo
	for s in cld psld; do
		for row in "gddim q=1 R:--sampler gddim --order 1" "gddim q=2 R:--sampler gddim --order 2" \
			"gddim q=3 R:--sampler gddim --order 3" "gddim q=3 L:--sampler gddim --order 3 --param L" \
			"EM-QS:--sampler em" "SSCS-QS:--sampler sscs"; do
			name=${row%%:*}
			flags=${row#*:}
			printf '| %s | %s |' "$name" "$s"
			for n in $nfes; do
				# shellcheck disable=SC2086
				printf ' %s |' "$(mmd "$d" --sde "$s" --nfe "$n" $flags)"
			done
			echo
		done
	done
done
