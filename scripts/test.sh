#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -timeout 20m ./...
