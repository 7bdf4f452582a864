#!/usr/bin/env bash
# A big layer copied by berth registry cp and by skopeo copy, side by side, between an OCI layout and local
# Docker Distribution 2.8 registries (Debian's docker-registry, plain http on loopback).
#
# One image, a config and one layer of SIZE MiB of random bytes (built with umoci insert, so the layer is a
# gzip of a tar; random bytes don't compress), in a layout. Each run, for each tool in turn (the order
# alternates from run to run), times:
#   layout → registry      into a registry started fresh for that copy
#   registry → registry    from a long-lived source registry into a fresh one
#   registry → layout      into a new layout directory
#   repeat → other repo    layout → a new repository of a registry that already holds the blobs in another
#                          repository (each tool copied there once before, so its own blob cache knows where)
# and prints each tool's runs, the medians, and berth / skopeo on the medians (below 1 means berth is faster).
# With BEFORE=path/to/an/older/berth the older binary runs as a third tool, for a before/after table.
# berth's blob-location cache lives in the run's own XDG_CACHE_HOME; skopeo's in its usual place.
#
# Usage: scripts/bench-copy.sh [RUNS=5] [SIZE_MIB=200] [BERTH=.build/release/berth]
set -euo pipefail
runs=${1:-5}
size=${2:-200}
berth=$(realpath "${3:-.build/release/berth}")
[[ -x $berth ]] || { echo "bench-copy: no berth binary at $berth (swift build -c release --product berth)" >&2; exit 1; }
before_bin=${BEFORE:+$(realpath "$BEFORE")}
for tool in docker-registry skopeo umoci curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-copy: needs $tool" >&2; exit 1; }
done
source "$(dirname "$0")/bench-registry-start.sh"

work=$(mktemp -d /tmp/berth-bench-copy.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export XDG_CACHE_HOME=$work/cache

now_ns() { date +%s%N; }
# fresh_registry NAME: starts a registry under $work/NAME, sets $host, remembers its pid.
fresh_registry() {
  mkdir -p "$work/$1"
  start_registry "$work/$1"
  pids+=("$registry_pid")
}
# stop_registry NAME PID: stops one registry and frees its disk.
stop_registry() {
  kill "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || true
  rm -rf "${work:?}/$1"
}

echo "== seeding: one ${size} MiB layer of random bytes (umoci insert)" >&2
umoci init --layout "$work/layout" >/dev/null
umoci new --image "$work/layout:app" >/dev/null
mkdir -p "$work/payload"
head -c $((size << 20)) /dev/urandom > "$work/payload/big"
umoci insert --rootless --image "$work/layout:app" "$work/payload" /big >/dev/null
rm -rf "$work/payload"
fresh_registry source
source_host=$host
skopeo copy --quiet --dest-tls-verify=false "oci:$work/layout:app" "docker://$source_host/bench/app:v1"
expected=$(skopeo inspect --raw "oci:$work/layout:app" | sha256sum | cut -d' ' -f1)

# One registry that holds the image already, in a repository per tool, copied there by that tool.
fresh_registry holder
holder_host=$host
tools=(berth skopeo)
[[ -n $before_bin ]] && tools+=(before)
copy() { # TOOL SRC DST (berth-style references; oci:PATH:TAG or HOST/REPO:TAG)
  local tool=$1 src=$2 dst=$3
  case $tool in
    berth) "$berth" registry cp -q "$src" "$dst" >/dev/null ;;
    before) "$before_bin" registry cp -q "$src" "$dst" >/dev/null ;;
    skopeo)
      [[ $src == oci:* ]] || src="docker://$src"
      [[ $dst == oci:* ]] || dst="docker://$dst"
      skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "$src" "$dst" ;;
  esac
}
for tool in "${tools[@]}"; do copy "$tool" "oci:$work/layout:app" "$holder_host/first-$tool/app:v1"; done

declare -A times
check_digest() { # REF: the copy must keep the manifest's digest
  local got
  if [[ $1 == oci:* ]]; then got=$(skopeo inspect --raw "$1" | sha256sum | cut -d' ' -f1)
  else got=$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1); fi
  [[ $got == "$expected" ]] || { echo "bench-copy: $1 has another digest ($got, not $expected)" >&2; exit 1; }
}
timed() { # KEY TOOL SRC DST
  local start=$(now_ns)
  copy "$2" "$3" "$4"
  local ms=$(( ($(now_ns) - start) / 1000000 ))
  times[$1.$2]="${times[$1.$2]:-} $ms"
  check_digest "$4"
}

for run in $(seq "$runs"); do
  order=("${tools[@]}")
  (( run % 2 == 0 )) && order=($(printf '%s\n' "${tools[@]}" | tac))
  echo "== run $run of $runs (${order[*]}); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for tool in "${order[@]}"; do
    fresh_registry "dst-$tool-$run"; dst_host=$host; dst_pid=$registry_pid
    timed layout-registry "$tool" "oci:$work/layout:app" "$dst_host/bench/app:v1"
    stop_registry "dst-$tool-$run" "$dst_pid"
    fresh_registry "dst-$tool-$run"; dst_host=$host; dst_pid=$registry_pid
    timed registry-registry "$tool" "$source_host/bench/app:v1" "$dst_host/bench/app:v1"
    stop_registry "dst-$tool-$run" "$dst_pid"
    timed registry-layout "$tool" "$source_host/bench/app:v1" "oci:$work/out-$tool-$run:app"
    rm -rf "${work:?}/out-$tool-$run"
    timed repeat "$tool" "oci:$work/layout:app" "$holder_host/repeat-$tool-$run/app:v1"
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo
echo "| copy (${size} MiB layer) | tool | runs (ms) | median (ms) | berth / skopeo |"
echo "|---|---|---|---:|---:|"
for key in layout-registry registry-registry registry-layout repeat; do
  skopeo_median=$(median "${times[$key.skopeo]}")
  for tool in "${tools[@]}"; do
    m=$(median "${times[$key.$tool]}")
    ratio=$(awk -v a="$m" -v b="$skopeo_median" 'BEGIN {printf "%.2f", a / b}')
    [[ $tool == skopeo ]] && ratio="–"
    label=$key
    case $key in
      layout-registry) label="layout → fresh registry" ;;
      registry-registry) label="registry → fresh registry" ;;
      registry-layout) label="registry → new layout" ;;
      repeat) label="layout → another repo of a registry holding the blobs" ;;
    esac
    name=$tool; [[ $tool == before ]] && name="berth (before)"
    echo "| $label | $name | $(sed 's/^ //; s/ /, /g' <<<"${times[$key.$tool]}") | $m | $ratio |"
  done
done
