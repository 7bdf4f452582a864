#!/usr/bin/env bash
# Benchmarks the ledger and the retention planner: 100,000 events appended one transaction each to a
# SQLite ledger, then `status` and `history` queried (in-process medians of 50, and the berth CLI's own
# wall time, process start included), and a prune plan over 50,000 tags (median of 10).
# Usage: scripts/bench-lifecycle.sh [EVENTS] [TAGS]   (default 100000 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
tags=${2:-50000}
work=$(mktemp -d /tmp/berth-bench-lifecycle.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== building (release)" >&2
swift build -c release --product berth >/dev/null
swift build -c release --product berth-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
"$bin/berth-bench" "$work/ledger.sqlite" "$events" "$tags" > "$work/result.json"

# The CLI, as a user runs it: a process per query (median of 20).
cli_ms() {
  local times=()
  for _ in $(seq 20); do
    local start end
    start=$(date +%s%N)
    "$bin/berth" "$@" --ledger "$work/ledger.sqlite" --image registry.example/acme/api >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
status_cli=$(cli_ms status)
history_cli=$(cli_ms history --env prod --limit 50)
python3 - "$work/result.json" "$status_cli" "$history_cli" "$(du -k "$work/ledger.sqlite" | cut -f1)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("| measure | SQLite (GRDB, WAL) | target |")
print("|---|---:|---:|")
print(f"| appends, one transaction each ({int(r['events']):,} events) | {r['appendsPerSecond']:,.0f}/s | ≥ 5,000/s |")
print(f"| `status` at {int(r['events']):,} events, in-process | {r['statusMs']:.2f} ms | < 10 ms |")
print(f"| `berth status` CLI, process included | {float(sys.argv[2]):.1f} ms | |")
print(f"| `history --env prod --limit 50`, in-process | {r['historyMs']:.2f} ms | |")
print(f"| `berth history` CLI, process included | {float(sys.argv[3]):.1f} ms | |")
print(f"| prune plan over {int(r['tags']):,} tags ({int(r['pruneDeletes']):,} to delete) | {r['pruneMs']:.1f} ms | < 200 ms |")
print(f"| ledger file | {int(sys.argv[4]) / 1024:.1f} MiB | |")
PY
