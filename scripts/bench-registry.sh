#!/usr/bin/env bash
# Benchmarks berth's registry client against skopeo on a local Docker Distribution (Debian's
# docker-registry), side by side in one run: wall time and requests (from the registry's access log) for
#   1. retagging one image under 1,000 new tags,
#   2. copying a 10-layer image to another repository,
#   3. listing 10,000 tags.
# Usage: scripts/bench-registry.sh   (needs docker-registry, skopeo, umoci; .ci/run installs them)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/berth-bench-registry.XXXXXX)
# shellcheck source=scripts/bench-registry-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-registry-start.sh"
trap '[[ -z ${registry_pid:-} ]] || { kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
start_registry "$work"

echo "== building berth (release)" >&2
swift build -c release --product berth >/dev/null
berth="$root/.build/release/berth"

requests() { grep -cE '"(GET|HEAD|PUT|POST|PATCH|DELETE) /v2' "$work/registry.log" || true; }
now_ms() { date +%s%3N; }
row() { local wall="$3"; [[ $wall =~ ^[0-9]+$ ]] && wall="$wall ms"; printf '| %s | %s | %s | %s |\n' "$1" "$2" "$wall" "$4"; }

echo "== seeding: a 10-layer image (1 MiB of random bytes per layer) built with umoci" >&2
umoci init --layout "$work/layout" >/dev/null
umoci new --image "$work/layout:app" >/dev/null
for i in $(seq 10); do
  mkdir -p "$work/layer$i/data"
  head -c 1048576 /dev/urandom > "$work/layer$i/data/blob$i"
  umoci insert --rootless --image "$work/layout:app" "$work/layer$i/data" "/data$i" >/dev/null
done
skopeo copy --quiet --dest-tls-verify=false "oci:$work/layout:app" "docker://$host/bench/app:v1"

echo "| task | tool | wall | requests |"
echo "|---|---|---:|---:|"

# 1. Retag under 1,000 new tags.
tags=$(seq -f 'b%g' 1000)
before=$(requests); start=$(now_ms)
"$berth" registry tag -q "$host/bench/app:v1" $tags
row "retag under 1,000 tags" "berth registry tag" $(( $(now_ms) - start )) $(( $(requests) - before ))
before=$(requests); start=$(now_ms)
"$berth" registry tag -q "$host/bench/app:v1" one-more
berth_one=$(( $(requests) - before ))
before=$(requests); start=$(now_ms)
for t in $(seq -f 's%g' 1000); do
  skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "docker://$host/bench/app:v1" "docker://$host/bench/app:$t"
done
row "retag under 1,000 tags" "skopeo copy (×1,000)" $(( $(now_ms) - start )) $(( $(requests) - before ))
before=$(requests)
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "docker://$host/bench/app:v1" "docker://$host/bench/app:skopeo-one-more"
skopeo_one=$(( $(requests) - before ))
row "one retag" "berth registry tag" "–" "$berth_one"
row "one retag" "skopeo copy" "–" "$skopeo_one"

# 2. Copy the 10-layer image to another repository.
before=$(requests); start=$(now_ms)
"$berth" registry cp -q "$host/bench/app:v1" "$host/bench/copy-berth:v1" >/dev/null
row "copy 10 layers to another repo" "berth registry cp" $(( $(now_ms) - start )) $(( $(requests) - before ))
before=$(requests); start=$(now_ms)
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "docker://$host/bench/app:v1" "docker://$host/bench/copy-skopeo:v1"
row "copy 10 layers to another repo" "skopeo copy" $(( $(now_ms) - start )) $(( $(requests) - before ))

# 3. List 10,000 tags (the 2,002 above plus 8,000 more).
"$berth" registry tag -q "$host/bench/app:v1" $(seq -f 'x%g' 7998)
count=$("$berth" registry ls "$host/bench/app" | wc -l)
echo "   tags in bench/app: $count" >&2
for tool in berth skopeo; do
  best=""
  for run in 1 2 3 4 5; do
    before=$(requests); start=$(now_ms)
    if [[ $tool == berth ]]; then "$berth" registry ls "$host/bench/app" >/dev/null
    else skopeo list-tags --tls-verify=false "docker://$host/bench/app" >/dev/null; fi
    elapsed=$(( $(now_ms) - start )); used=$(( $(requests) - before ))
    best="$best $elapsed"
  done
  median=$(tr ' ' '\n' <<<"$best" | grep -v '^$' | sort -n | sed -n 3p)
  row "list $count tags (median of 5)" "$tool" "$median" "$used"
done
