#!/usr/bin/env bash
# The whole test suite, as CI runs it: layering, formatting, build, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-layering.sh
scripts/format.sh --check
swift build
swift test
FUZZ_BUILD_CONFIG=debug scripts/fuzz.sh 10 # every parser fuzzed 10 s (Fuzz/README.md); ~7.5 min with the build
