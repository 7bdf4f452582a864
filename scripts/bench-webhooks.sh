#!/usr/bin/env bash
# A burst of webhook deliveries against `berth serve` on 127.0.0.1: N Docker Distribution notifications
# (each its own event id) posted by C senders at once, each on a kept-alive connection; reports the wall
# time, the answers by status, and how many deliveries the ledger holds afterwards (every one recorded
# exactly once is the pass).
# Usage: scripts/bench-webhooks.sh [N=1000] [C=32] [BERTH=.build/release/berth]
set -euo pipefail
count=${1:-1000}
parallel=${2:-32}
root="$(cd "$(dirname "$0")/.." && pwd)"
berth=$(realpath "${3:-"$root/.build/release/berth"}" 2>/dev/null || true)
[[ -x $berth ]] || { echo "bench-webhooks: no $berth; swift build -c release --product berth first" >&2; exit 1; }
for tool in python3 sqlite3; do command -v "$tool" >/dev/null || { echo "bench-webhooks: needs $tool" >&2; exit 1; }; done
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/berth.yaml" <<YAML
server:
  webhooks:
    reconcile: "off"
    receivers:
      - name: distribution
        type: distribution
        secret_env: BENCH_WEBHOOK_AUTH
        registry: 127.0.0.1:5999
YAML
export BENCH_WEBHOOK_AUTH="Bearer bench-$RANDOM$RANDOM"
mkdir -p "$work/bodies"
for ((i = 0; i < count; i++)); do
  printf '{"events":[{"id":"bench-%06d","timestamp":"2026-12-01T00:00:00Z","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":499,"digest":"sha256:%064x","repository":"bench/app","url":"http://127.0.0.1:5999/v2/bench/app/manifests/sha256:%064x","tag":"t%d"},"request":{"host":"127.0.0.1:5999"},"actor":{}}]}' \
    "$i" "$i" "$i" "$i" >"$work/bodies/$i.json"
done
cd "$work"
"$berth" serve --config "$work/berth.yaml" --ledger "$work/ledger.sqlite" --listen 127.0.0.1:0 --auth none 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.log" | head -1)
[[ -n $url ]] || { cat "$work/serve.log" >&2; exit 1; }
start=$(date +%s.%N)
# C senders, each on one kept-alive connection (curl per delivery measured curl's own start-up).
python3 - "$url" "$count" "$parallel" "$work/bodies" >"$work/answers.txt" <<'PY'
import http.client, os, sys, threading, time, urllib.parse
url, count, parallel, bodies = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
headers = {"Authorization": os.environ["BENCH_WEBHOOK_AUTH"],
           "Content-Type": "application/vnd.docker.distribution.events.v1+json"}
answers, lock, next_index = [], threading.Lock(), iter(range(count))
def sender():
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    while True:
        with lock:
            index = next(next_index, None)
        if index is None:
            return
        body = open(f"{bodies}/{index}.json", "rb").read()
        began = time.perf_counter()
        connection.request("POST", url.path + "webhooks/distribution", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        with lock:
            answers.append((response.status, time.perf_counter() - began))
threads = [threading.Thread(target=sender) for _ in range(parallel)]
for thread in threads: thread.start()
for thread in threads: thread.join()
for status, seconds in answers: print(status, f"{seconds:.6f}")
PY
end=$(date +%s.%N)
sleep 1
recorded=$(sqlite3 "$work/ledger.sqlite" "SELECT count(*) FROM events WHERE kind = 'webhook-received'")
distinct=$(sqlite3 "$work/ledger.sqlite" "SELECT count(DISTINCT once_key) FROM events WHERE kind = 'webhook-received'")
echo "deliveries: $count, $parallel at a time"
echo "wall: $(echo "$end - $start" | bc) s"
echo "answers: $(cut -d' ' -f1 "$work/answers.txt" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
echo "latency p50/p99/max: $(cut -d' ' -f2 "$work/answers.txt" | sort -n | awk '{a[NR]=$1} END {printf "%.1f / %.1f / %.1f ms", a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000, a[NR]*1000}')"
echo "recorded: $recorded webhook-received events ($distinct distinct)"
[[ $recorded -eq $count && $distinct -eq $count ]] || { echo "bench-webhooks: LOST OR DUPLICATED deliveries" >&2; exit 1; }
