#!/usr/bin/env bash
# Benchmarks the canary analysis judges on synthetic metrics (seeded, so every run prints the same
# rates): per scenario, RUNS simulated canaries of three 60-second analysis intervals each, judged by
# the comparison judge (Mann-Whitney + Hodges–Lehmann against stable) and by the threshold judge
# (success rate ≥ 0.95 over ≥ 50 requests, p99 ≤ 2× stable's expected p99), with the default
# AnalysisRun limits. Prints a Markdown table per POINTS (points a side per interval the comparison
# judge sees: 60 is one a second, 4 is one per 15 s scrape): how often each judge aborted within three
# intervals (detection; on the good canary, false alarms), paused, and at which interval (median).
# Usage: scripts/bench-canary-judges.sh [RUNS] [SEED] [POINTS…]   (default 500 1 60 4)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-500}
seed=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
points=("$@")
[ ${#points[@]} -gt 0 ] || points=(60 4)
echo "== building (release)" >&2
swift build -c release --product berth-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
for count in "${points[@]}"; do
  echo "### $count points a side per interval"
  echo
  "$bin/berth-bench" canary-judges "$runs" "$seed" "$count"
  echo
done
