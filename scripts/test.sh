#!/usr/bin/env bash
# The whole test suite, as CI runs it: layering, formatting, build, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-layering.sh
scripts/format.sh --check
swift build
scripts/test-archive.sh # the release archive runs berth plan with no Swift toolchain around
# CI keeps only the tail of the output: on a failure, the failed tests' lines are repeated last.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One test at a time: the integration tests wait on real processes (registries, nginx, Prometheus, go
# builds), and run side by side on 2 cores they hold the cooperative threads long enough that async
# tests' timeouts fire late. Serial took 357 s against 317 s in parallel, and no test starves.
if ! swift test --no-parallel 2>&1 | tee "$log"; then
  echo "== failed tests (repeated from above) =="
  grep -E 'recorded an issue|^✘ Test .* failed' "$log" | cut -c1-400 | tail -n 60
  exit 1
fi
FUZZ_BUILD_CONFIG=debug scripts/fuzz.sh 10 # every parser fuzzed 10 s (Fuzz/README.md); ~7.5 min with the build
