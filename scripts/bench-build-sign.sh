#!/usr/bin/env bash
# What signing and attesting add to a build (issue 13's target: under 300 ms), on a local Docker
# Distribution 2.8 (Debian's docker-registry). The example Gin service is built by `berth build` for
# linux/amd64 and linux/arm64 (an index, two manifests, an SPDX referrer each) into a fresh repository
# per build, four ways in every run, in an order that rotates from run to run (interleaved, so load
# drifts hit every variant alike):
#   plain          berth build                                   (no signing: the baseline)
#   sign           berth build --sign --key plain.key             (unencrypted key, cosign's legacy tags too)
#   sign-enc       berth build --sign --key encrypted.key         (PBKDF2, 600,000 rounds, as key generate writes)
#   sign-nolegacy  berth build --sign --key plain.key, sign.legacy_tags: false in berth.yaml
# Every signed build writes a signature and a provenance on each of the 3 subjects and an SBOM
# attestation on each platform manifest (8 DSSE statements), through the sha256-<hex> fallback indexes.
# Reports each variant's median wall time, min–max, the median of its per-run difference from the plain
# build of the same run (the added time), the same difference of `seconds.push + seconds.sign` (everything
# after the image is assembled: the added time without the go build's and image's noise), the same
# difference of `seconds.goBuild + seconds.image` (what a signed build's work costs the Go build and the
# image on the 2 cores berth, Go and the registry share here: near 0 unless it runs meanwhile, as an
# encrypted key's decryption does), the median of berth's own `seconds.sign` (the signing that went on after the last tag landed, plus any wait for the
# key), and its registry requests (from the registry's access log).
# Usage: scripts/bench-build-sign.sh [RUNS=7] [BERTH=/work/.build-release/release/berth]
#        (needs docker-registry, go, curl, python3; build berth first:
#         swift build -c release --product berth --scratch-path /work/.build-release)
set -euo pipefail
runs=${1:-7}
root="$(cd "$(dirname "$0")/.." && pwd)"
berth=$(realpath "${2:-/work/.build-release/release/berth}" 2>/dev/null || true)
[[ -x $berth ]] || { echo "bench-build-sign: no berth binary at ${2:-/work/.build-release/release/berth}" >&2; exit 1; }
for tool in docker-registry go curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-build-sign: needs $tool" >&2; exit 1; }
done
work=$(mktemp -d /tmp/berth-bench-build-sign.XXXXXX)
# shellcheck source=scripts/bench-registry-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-registry-start.sh"
trap '[[ -z ${registry_pid:-} ]] || { kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
start_registry "$work"

# A hermetic repository with the example committed at a fixed date.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work/home" GOCACHE="$work/gocache"
mkdir -p "$HOME" "$work/repo/examples"
cp -r "$root/examples/gin-service" "$work/repo/examples/"
rm -f "$work/repo/examples/gin-service/gin-service"
export BERTH_KEY_PASSPHRASE="bench pass $RANDOM"
(cd "$work" && "$berth" key generate -q -o encrypted >/dev/null && "$berth" key generate -q -o plain --unencrypted >/dev/null)
# The same project with sign.legacy_tags off, committed beside berth.yaml so the tree stays clean.
cp "$work/repo/examples/gin-service/berth.yaml" "$work/repo/examples/gin-service/berth-nolegacy.yaml"
printf 'sign:\n  key: %s\n  legacy_tags: false\n' "$work/plain.key" >>"$work/repo/examples/gin-service/berth-nolegacy.yaml"
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@berth.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@berth.invalid \
  GIT_AUTHOR_DATE="@1704067200 +0000" GIT_COMMITTER_DATE="@1704067200 +0000" git -C "$work/repo" commit -q -m "feat: gin service"
service="$work/repo/examples/gin-service"


requests() { grep -cE '"(GET|HEAD|PUT|POST|PATCH|DELETE) /v2' "$work/registry.log" || true; }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
build() { # $1: repository, rest: extra options → "DIGEST SIGN_MS AFTER_MS BEFORE_MS" on stdout (SIGN_MS 0
  # without signing; AFTER_MS: push and sign, everything after the image is assembled, which signing can
  # lengthen; BEFORE_MS: go build and image, which work running beside them (a key's decryption) can lengthen)
  local repository=$1
  shift
  (cd "$service" && "$berth" build --json -q --no-record --images "$host/$repository" --platform linux/amd64 \
    --platform linux/arm64 "$@") |
    python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["seconds"]; print(d["digest"], round(1000*s.get("sign", 0)), round(1000*(s["push"]+s.get("sign", 0))), round(1000*(s["goBuild"]+s["image"])))'
}

echo "== warm-up: berth build and berth build --sign once each (Go's build cache, the page cache)" >&2
digest=$(build bench/warm | cut -d' ' -f1)
build bench/warm-signed --sign --key "$work/plain.key" >/dev/null
echo "   index $digest" >&2

variants=(plain sign sign-enc sign-nolegacy)
declare -A wall used last step last_after last_before
run_variant() { # $1: variant, $2: run → wall (ms) and requests appended
  local variant=$1 run=$2 before start out
  local repository="bench/$variant-$run"
  before=$(requests); start=$(now_ms)
  case $variant in
    plain) out=$(build "$repository") ;;
    sign) out=$(build "$repository" --sign --key "$work/plain.key") ;;
    sign-enc) out=$(build "$repository" --sign --key "$work/encrypted.key") ;;
    sign-nolegacy) out=$(build "$repository" --config berth-nolegacy.yaml) ;;
  esac
  local ms=$(( $(now_ms) - start ))
  local built sign_ms after_ms before_ms
  read -r built sign_ms after_ms before_ms <<<"$out"
  [[ $built == "$digest" ]] || { echo "bench-build-sign: $variant built $built, not $digest" >&2; exit 1; }
  step[$variant]="${step[$variant]:-} $sign_ms"
  last_after[$variant]=$after_ms
  last_before[$variant]=$before_ms
  sleep 0.2 # the access log is written after the answer
  wall[$variant]="${wall[$variant]:-} $ms"
  used[$variant]="${used[$variant]:-} $(( $(requests) - before ))"
  last[$variant]=$ms
}
diffs=()
declare -A added added_after added_before
for run in $(seq "$runs"); do
  # Rotate the order: run 1 plain first, run 2 sign first, …
  order=("${variants[@]:$(( (run - 1) % 4 ))}" "${variants[@]:0:$(( (run - 1) % 4 ))}")
  echo "== run $run/$runs: ${order[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for variant in "${order[@]}"; do run_variant "$variant" "$run"; done
  for variant in sign sign-enc sign-nolegacy; do
    added[$variant]="${added[$variant]:-} $(( last[$variant] - last[plain] ))"
    added_after[$variant]="${added_after[$variant]:-} $(( last_after[$variant] - last_after[plain] ))"
    added_before[$variant]="${added_before[$variant]:-} $(( last_before[$variant] - last_before[plain] ))"
  done
  echo "   plain ${last[plain]} ms, sign ${last[sign]} ms, sign-enc ${last[sign-enc]} ms, sign-nolegacy ${last[sign-nolegacy]} ms" >&2
done

# The signed builds verified: every subject signed, a provenance on each, an SBOM on each platform manifest.
for variant in sign sign-enc sign-nolegacy; do
  "$berth" verify -q "$host/bench/$variant-1@$digest" --key "$work/plain.pub" --require provenance --require sbom \
    >/dev/null 2>&1 || "$berth" verify -q "$host/bench/$variant-1@$digest" --key "$work/encrypted.pub" \
    --require provenance --require sbom >/dev/null || { echo "bench-build-sign: $variant-1 doesn't verify" >&2; exit 1; }
done

echo
echo "berth $("$berth" --version), $runs runs, Docker Distribution $(docker-registry --version 2>/dev/null | awk '{print $3}') on 127.0.0.1, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| build | median wall | min–max | added (median of per-run differences) | push + sign added (median of per-run differences) | go build + image added (same) | seconds.sign (median) | requests |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for variant in "${variants[@]}"; do
  # shellcheck disable=SC2086
  times=$(printf '%s\n' ${wall[$variant]})
  # shellcheck disable=SC2086
  counts=$(printf '%s\n' ${used[$variant]} | sort -n | uniq | tr '\n' ' ')
  if [[ $variant == plain ]]; then
    extra="—" inside="—" after="—" before="—"
  else
    # shellcheck disable=SC2086
    after="$(printf '%s\n' ${added_after[$variant]} | median) ms"
    # shellcheck disable=SC2086
    before="$(printf '%s\n' ${added_before[$variant]} | median) ms"
    # shellcheck disable=SC2086
    extra="$(printf '%s\n' ${added[$variant]} | median) ms"
    # shellcheck disable=SC2086
    inside="$(printf '%s\n' ${step[$variant]} | median) ms"
  fi
  printf '| %s | %s ms | %s–%s ms | %s | %s | %s | %s | %s|\n' "$variant" "$(median <<<"$times")" \
    "$(sort -n <<<"$times" | head -1)" "$(sort -n <<<"$times" | tail -1)" "$extra" "$after" "$before" "$inside" "$counts"
done
