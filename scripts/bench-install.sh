#!/usr/bin/env bash
# How long the CI install step takes: scripts/install-berth.sh (what action.yml and the workflows berth init
# writes run) fetching the release archive from a local server, checking its SHA-256 and unpacking it, N
# times; prints each and the median. The archive is built from BINARY (a statically linked berth, such as
# .build/static/debug/berth from scripts/test-archive.sh, or .build/release/berth from release-archive.sh).
# Usage: scripts/bench-install.sh BINARY [N]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: scripts/bench-install.sh BINARY [N]} runs=${2:-7}
work=$(mktemp -d)
scripts/release-archive.sh --binary "$binary" --version 0.0.0-bench --out "$work/releases/v0.0.0-bench" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >/dev/null 2>&1 &
server=$!
trap 'kill "$server"; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
echo "archive: $(du -h "$work"/releases/v0.0.0-bench/*.tar.gz | cut -f1)"
times=()
for i in $(seq "$runs"); do
  rm -rf "$work/runner" && mkdir "$work/runner"
  start=$(date +%s%N)
  env -i PATH=/usr/bin:/bin RUNNER_TEMP="$work/runner" BERTH_VERSION=0.0.0-bench BERTH_RELEASES="http://127.0.0.1:$port" \
    bash scripts/install-berth.sh >/dev/null
  times+=("$(( ($(date +%s%N) - start) / 1000000 ))")
  echo "run $i: ${times[-1]} ms"
done
echo "median: $(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p") ms"
