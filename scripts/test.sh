#!/usr/bin/env bash
# The whole test suite, as CI runs it: layering, formatting, build, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-layering.sh
scripts/format.sh --check
swift build
swift test
