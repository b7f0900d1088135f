#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it):
# all unit and property tests, then each fuzz target briefly on top of its
# committed seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -timeout 25m ./...
fuzztime="${FUZZTIME:-5s}"
for target in imagedata:FuzzReadIDX checkpoint:FuzzLoadManifest cmd/phasespace:FuzzKernelFlags cmd/phasespace:FuzzReadSamplesCSV nn/safetensors:FuzzRead; do
	pkg="${target%%:*}" name="${target##*:}"
	if ! log=$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "./$pkg" 2>&1); then
		echo "$log"
		echo "fuzz ${name}: FAILED"
		exit 1
	fi
	echo "fuzz ${name}: ok (${fuzztime})"
done
