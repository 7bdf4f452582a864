#!/usr/bin/env bash
# Benchmarks `berth serve` with wrk (Debian's): the board page (`/`) and `/api/v1/board` over a ledger of
# SERVICES services × 3 environments and EVENTS events (berth-bench fill-board writes it through the
# ledger port), on SQLite, on PostgreSQL (a throwaway cluster on 127.0.0.1), and with two server replicas
# on that one PostgreSQL. Each target is measured twice:
#   paced: C connections, each waiting C/RATE s before its next request (wrk's delay()), so about RATE
#          requests per second reach the server; the rate wrk achieved is reported beside the p99;
#   saturated: C connections as fast as they go: the most the server answers, and the p99 then.
# Every request carries a viewer token. wrk's latency is from request sent to response read. On PostgreSQL
# the table also says how many statements the database ran per request during the run (pg_stat_statements'
# calls in the ledger's database: the servers' queries, their listeners' heartbeats, and this count's own).
# Usage: scripts/bench-serve.sh [SECONDS=20] [SERVICES=50] [EVENTS=100000]
#   BERTH=… and BENCH=… name the berth and berth-bench binaries (default: a release build);
#   RATE (200) and CONNECTIONS (10) shape the paced run; BACKENDS="sqlite postgres replicas" picks.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
services=${2:-50}
events=${3:-100000}
rate=${RATE:-200}
connections=${CONNECTIONS:-10}
for tool in wrk curl python3; do command -v "$tool" >/dev/null || { echo "bench-serve: needs $tool" >&2; exit 1; }; done
if [[ -z "${BERTH:-}" || -z "${BENCH:-}" ]]; then
  echo "== building berth and berth-bench (release)" >&2
  swift build -c release --product berth >/dev/null
  swift build -c release --product berth-bench >/dev/null
  bin=$(swift build -c release --show-bin-path)
fi
berth=$(realpath "${BERTH:-$bin/berth}")
benchbin=$(realpath "${BENCH:-$bin/berth-bench}")
work=$(mktemp -d /tmp/berth-bench-serve.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ -f "$work/pg/data/postmaster.pid" ]]; then as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
cat >berth.yaml <<'YAML'
image:
  names: [registry.example/acme/service-00]
environments:
  - name: dev
  - name: staging
  - name: prod
YAML

# serve LEDGER NAME: starts a server on a free port; its URL goes to NAME.url.
serve() {
  local ledger=$1 name=$2
  "$berth" serve --config berth.yaml --ledger "$ledger" --listen 127.0.0.1:0 2>"$name.log" &
  servers+=($!)
  for _ in $(seq 200); do grep -qs "listening on" "$name.log" && break; sleep 0.05; done
  grep -o 'http://[^ ]*' "$name.log" | head -1 >"$name.url"
  [[ -s "$name.url" ]] || { cat "$name.log" >&2; exit 1; }
}

# measure LABEL URL...: paced and saturated wrk runs on each path of each URL (several URLs: replicas
# measured at once, each paced at RATE/count).
measure() {
  local label=$1; shift
  local urls=("$@") count=$# path mode
  for path in "" api/v1/board; do
    # Both answer before the clock starts, and a first request warms the page cache.
    for url in "${urls[@]}"; do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url$path")
      [[ $code == 200 ]] || { echo "bench-serve: $url$path answered $code" >&2; exit 1; }
    done
    for mode in paced saturated; do
      local args=(-t 2 -c "$connections" -d "${seconds}s" --latency -H "Authorization: Bearer $token")
      if [[ $mode == paced ]]; then
        # Each connection waits this long before each request: C connections at RATE per second in all,
        # less a tenth for the answer's own time (the rate wrk achieved is in the table).
        local per=$((connections * 900 * count / rate))
        echo "function delay() return $per end" >"pace-$count.lua"
        args+=(-s "pace-$count.lua")
      fi
      local before=""
      [[ -f pg.url && $label == PostgreSQL* ]] && before=$(statements)
      local n=0 pids=()
      for url in "${urls[@]}"; do
        wrk "${args[@]}" "$url$path" >"wrk-$n.txt" 2>&1 &
        pids+=($!)
        n=$((n + 1))
      done
      wait "${pids[@]}"
      local ran=""
      [[ -n $before ]] && ran=$(($(statements) - before))
      python3 - "$label" "/$path" "$mode" "$count" "$ran" wrk-*.txt <<'PY' >>results.md
import re, sys
label, path, mode, count, ran, files = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6:]
def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps, p50, p99, errors, requests = 0.0, [], [], 0, 0
for name in files[:count]:
    out = open(name).read()
    requests += int(re.search(r"(\d+) requests in", out).group(1))
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50.append(ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1)))
    p99.append(ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(map(int, m.groups())) if m else 0
per = f"{int(ran) / max(requests, 1):.2f}" if ran else "–"
print(f"| {label} | `{path}` | {mode} | {rps:.0f} | {max(p50):.1f} | {max(p99):.1f} | {errors} | {per} |")
PY
      rm -f wrk-*.txt
    done
  done
}

# statements: how many statements PostgreSQL has run in the ledger's database so far.
statements() {
  "$pgbin/psql" "$(cat pg.url)" -Atqc \
    "SELECT sum(calls) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

echo "| ledger | path | load | requests/s | p50 (ms) | p99 (ms) | errors | PostgreSQL statements per request |" >results.md
echo "|---|---|---|---:|---:|---:|---:|---:|" >>results.md

for backend in ${BACKENDS:-sqlite postgres replicas}; do
  case $backend in
    sqlite)
      echo "== SQLite: filling $services services, $events events" >&2
      "$benchbin" fill-board "$work/ledger.sqlite" "$services" "$events" >&2
      token=$("$berth" token create --config berth.yaml --ledger "$work/ledger.sqlite" --name bench --role viewer -q)
      serve "$work/ledger.sqlite" sqlite
      echo "== SQLite: wrk, ${seconds}s a run" >&2
      measure SQLite "$(cat sqlite.url)"
      ;;
    postgres | replicas)
      [[ -n $pgbin ]] || { echo "== postgresql is not installed: $backend skipped" >&2; continue; }
      if [[ ! -f pg.url ]]; then
        mkdir -p "$work/pg"
        [[ "$(id -u)" == 0 ]] && chown postgres "$work/pg" && chmod 755 "$work"
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        as_postgres "$pgbin/initdb" -D "$work/pg/data" -U berth --auth=trust -E UTF8 >/dev/null
        as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
          -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements" start >/dev/null
        as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$port" -U berth -d postgres -qc "CREATE DATABASE ledger" >/dev/null
        as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$port" -U berth -d ledger -qc "CREATE EXTENSION pg_stat_statements" >/dev/null
        echo "postgres://berth@127.0.0.1:$port/ledger?sslmode=disable" >pg.url
        echo "== PostgreSQL: filling $services services, $events events" >&2
        "$benchbin" fill-board "$(cat pg.url)" "$services" "$events" >&2
        token=$("$berth" token create --config berth.yaml --ledger "$(cat pg.url)" --name bench --role viewer -q)
      fi
      if [[ $backend == postgres ]]; then
        serve "$(cat pg.url)" postgres
        echo "== PostgreSQL: wrk, ${seconds}s a run" >&2
        measure PostgreSQL "$(cat postgres.url)"
      else
        serve "$(cat pg.url)" replica-a
        serve "$(cat pg.url)" replica-b
        echo "== two replicas on one PostgreSQL: wrk on both at once, ${seconds}s a run" >&2
        measure "PostgreSQL, 2 replicas" "$(cat replica-a.url)" "$(cat replica-b.url)"
      fi
      ;;
    *) echo "unknown backend '$backend'; use sqlite, postgres or replicas" >&2; exit 2 ;;
  esac
done
echo "berth serve under wrk: $services services × 3 environments, $events events; paced = $connections connections at $rate requests/s in all; ${seconds} s a run; $(nproc) cores"
cat results.md
