#!/usr/bin/env bash
# `berth status` and `berth history` as a user runs them (a process per query, start-up and connection
# included), for two berth binaries side by side on the same ledgers: SQLite and PostgreSQL (a throwaway
# cluster on 127.0.0.1), each filled with EVENTS events by berth-bench. Runs interleave (A, B, A, B…)
# so both see the same machine noise; medians of RUNS each, and the ratio B/A.
# Usage: scripts/bench-ledger-cli.sh BEFORE_BINARY AFTER_BINARY [EVENTS] [RUNS]   (default 100000 21)
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2 events=${3:-100000} runs=${4:-21}
work=$(mktemp -d /tmp/berth-bench-ledger-cli.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -f "$work/pg/data/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
swift build -c release --product berth-bench >/dev/null
bench="$(swift build -c release --show-bin-path)/berth-bench"

ms() { # BINARY ARGS…: one run's wall time in microseconds
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }

compare() { # NAME LEDGER
  local name=$1 ledger=$2
  for query in "status" "history --env prod --limit 50"; do
    : > "$work/a" ; : > "$work/b"
    for _ in $(seq "$runs"); do
      # shellcheck disable=SC2086
      ms "$before" $query --ledger "$ledger" --image registry.example/acme/api >> "$work/a"
      # shellcheck disable=SC2086
      ms "$after" $query --ledger "$ledger" --image registry.example/acme/api >> "$work/b"
    done
    local a b
    a=$(median < "$work/a"); b=$(median < "$work/b")
    printf '| `berth %s`, %s | %s ms | %s ms | %s |\n' "${query%% *}" "$name" "$a" "$b" \
      "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')"
  done
}

echo "| query ($events events, median of $runs) | before | after | after/before |"
echo "|---|---:|---:|---:|"
"$bench" "$work/ledger.sqlite" "$events" 10 >/dev/null
compare SQLite "$work/ledger.sqlite"
if [ -n "$pgbin" ]; then
  mkdir -p "$work/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$work/pg" && chmod 755 "$work"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_postgres "$pgbin/initdb" -D "$work/pg/data" -U berth --auth=trust -E UTF8 >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
  as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$port" -U berth -d postgres -qc "CREATE DATABASE ledger" >/dev/null
  url="postgres://berth@127.0.0.1:$port/ledger?sslmode=disable"
  "$bench" "$url" "$events" 10 >/dev/null
  compare PostgreSQL "$url"
else
  echo "postgresql is not installed (apt-get install postgresql): PostgreSQL not measured" >&2
fi
