#!/usr/bin/env bash
# Benchmarks the ledger and the retention planner: 100,000 events appended one transaction each to a
# SQLite ledger and to a PostgreSQL one (a throwaway cluster on 127.0.0.1, default durability: fsync
# and synchronous_commit on), then `status` and `history` queried (in-process medians of 50, and the
# berth CLI's own wall time, process start and connection included), and a prune plan over 50,000
# tags (median of 10).
# Usage: scripts/bench-lifecycle.sh [EVENTS] [TAGS]   (default 100000 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
tags=${2:-50000}
work=$(mktemp -d /tmp/berth-bench-lifecycle.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -f "$work/pg/data/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "== building (release)" >&2
swift build -c release --product berth >/dev/null
swift build -c release --product berth-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

# The CLI, as a user runs it: a process per query (median of 20).
cli_ms() {
  local ledger=$1; shift
  local times=()
  for _ in $(seq 20); do
    local start end
    start=$(date +%s%N)
    "$bin/berth" "$@" --ledger "$ledger" --image registry.example/acme/api >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

measure() { # NAME LEDGER: berth-bench, then the two CLI queries, into $work/NAME.*
  local name=$1 ledger=$2
  echo "== $name" >&2
  "$bin/berth-bench" "$ledger" "$events" "$tags" > "$work/$name.json"
  cli_ms "$ledger" status > "$work/$name.status"
  cli_ms "$ledger" history --env prod --limit 50 > "$work/$name.history"
}

measure sqlite "$work/ledger.sqlite"
du -k "$work/ledger.sqlite" | cut -f1 > "$work/sqlite.size"

if [ -n "$pgbin" ]; then
  mkdir -p "$work/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$work/pg" && chmod 755 "$work"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_postgres "$pgbin/initdb" -D "$work/pg/data" -U berth --auth=trust -E UTF8 >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
  as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$port" -U berth -d postgres -qc "CREATE DATABASE ledger" >/dev/null
  measure postgres "postgres://berth@127.0.0.1:$port/ledger?sslmode=disable"
  as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$port" -U berth -d ledger -Atc "SELECT pg_database_size('ledger') / 1024" > "$work/postgres.size"
else
  echo "== postgresql is not installed (apt-get install postgresql): its column is left empty" >&2
fi

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def load(name):
    if not os.path.exists(f"{work}/{name}.json"):
        return None
    r = json.load(open(f"{work}/{name}.json"))
    for extra in ("status", "history", "size"):
        r[extra] = float(open(f"{work}/{name}.{extra}").read())
    return r
s, p = load("sqlite"), load("postgres")
def row(label, key, fmt, target=""):
    cells = [fmt(r[key]) if r else "not measured" for r in (s, p)]
    print(f"| {label} | {cells[0]} | {cells[1]} | {target} |")
print("| measure | SQLite (GRDB, WAL) | PostgreSQL (postgres-nio) | target |")
print("|---|---:|---:|---:|")
row(f"appends, one transaction each ({int(s['events']):,} events)", "appendsPerSecond", lambda v: f"{v:,.0f}/s", "≥ 5,000/s (SQLite)")
row(f"`status` at {int(s['events']):,} events, in-process", "statusMs", lambda v: f"{v:.2f} ms", "< 10 ms")
row("`berth status` CLI, process included", "status", lambda v: f"{v:.1f} ms")
row("`history --env prod --limit 50`, in-process", "historyMs", lambda v: f"{v:.2f} ms")
row("`berth history` CLI, process included", "history", lambda v: f"{v:.1f} ms")
row(f"prune plan over {int(s['tags']):,} tags ({int(s['pruneDeletes']):,} to delete)", "pruneMs", lambda v: f"{v:.1f} ms", "< 200 ms")
row("ledger size on disk", "size", lambda v: f"{v / 1024:.1f} MiB")
PY
