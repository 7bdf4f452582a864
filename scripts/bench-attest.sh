#!/usr/bin/env bash
# Signing and attesting a two-platform release on a local Docker Distribution 2.8 (Debian's docker-registry):
# the example Gin service built once by `berth build` for linux/amd64 and linux/arm64 (an index, two
# manifests, an SPDX referrer each), then per run copied by digest, with its SBOM referrers, into a fresh
# repository and `berth attest IMAGE@DIGEST --key KEY --sign` timed there: a signature and a provenance on
# each of the 3 subjects, an SBOM attestation on each platform manifest, with cosign's legacy .sig/.att
# tags (and once more without them), then `berth verify --require provenance --require sbom`.
# Reports the median wall time and the registry requests of each (from the registry's access log).
# Usage: scripts/bench-attest.sh [RUNS=7] [BERTH=/work/.build-release/release/berth]
#        (needs docker-registry, go, curl, python3; build berth first:
#         swift build -c release --product berth --scratch-path /work/.build-release)
set -euo pipefail
runs=${1:-7}
root="$(cd "$(dirname "$0")/.." && pwd)"
berth=$(realpath "${2:-/work/.build-release/release/berth}" 2>/dev/null || true)
[[ -x $berth ]] || { echo "bench-attest: no berth binary at ${2:-/work/.build-release/release/berth}" >&2; exit 1; }
for tool in docker-registry go curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-attest: needs $tool" >&2; exit 1; }
done
work=$(mktemp -d /tmp/berth-bench-attest.XXXXXX)
# shellcheck source=scripts/bench-registry-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-registry-start.sh"
trap '[[ -z ${registry_pid:-} ]] || { kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
start_registry "$work"

# A hermetic repository with the example committed at a fixed date.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME" "$work/repo/examples"
cp -r "$root/examples/gin-service" "$work/repo/examples/"
rm -f "$work/repo/examples/gin-service/gin-service"
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@berth.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@berth.invalid \
  GIT_AUTHOR_DATE="@1704067200 +0000" GIT_COMMITTER_DATE="@1704067200 +0000" git -C "$work/repo" commit -q -m "feat: gin service"
service="$work/repo/examples/gin-service"

echo "== berth build: linux/amd64 + linux/arm64 into $host/bench/app" >&2
digest=$(cd "$service" && GOCACHE="$work/gocache" "$berth" build --json -q --no-record --images "$host/bench/app" \
  --platform linux/amd64 --platform linux/arm64 | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
children=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$host/v2/bench/app/manifests/$digest" |
  python3 -c 'import json,sys; print(" ".join(m["digest"] for m in json.load(sys.stdin)["manifests"]))')
echo "   index $digest, manifests: $children" >&2

cd "$work"
export BERTH_KEY_PASSPHRASE="bench pass $RANDOM"
"$berth" key generate -q -o encrypted >/dev/null
"$berth" key generate -q -o plain --unencrypted >/dev/null

requests() { grep -cE '"(GET|HEAD|PUT|POST|PATCH|DELETE) /v2' "$work/registry.log" || true; }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
fresh() { # $1: repository → the image with its SBOM referrers, nothing else attached
  "$berth" registry cp -q "$host/bench/app@$digest" "$host/$1:v1" >/dev/null
  for child in $children; do
    "$berth" registry cp -q "$host/bench/app:sha256-${child#sha256:}" "$host/$1:sha256-${child#sha256:}" >/dev/null
  done
}
declare -A wall used
timed() { # $1: row name, rest: the berth command → wall (ms) and requests appended to the row
  local name=$1 before start
  shift
  before=$(requests); start=$(now_ms)
  "$@" >"$work/out.txt" 2>"$work/err.txt" || { echo "bench-attest: $name failed:" >&2; cat "$work/err.txt" >&2; exit 1; }
  wall[$name]="${wall[$name]:-} $(( $(now_ms) - start ))"
  sleep 0.2 # the access log is written after the answer
  used[$name]="${used[$name]:-} $(( $(requests) - before ))"
}
for run in $(seq "$runs"); do
  echo "== run $run/$runs" >&2
  for variant in encrypted plain legacy-off; do
    repo="bench/$variant-$run"
    fresh "$repo"
    case $variant in
      encrypted) timed "attest --sign (encrypted key)" "$berth" attest -q "$host/$repo@$digest" --key encrypted.key --sign \
        --source-repository https://github.com/acme/gin-service --ref refs/heads/main ;;
      plain) timed "attest --sign (unencrypted key)" "$berth" attest -q "$host/$repo@$digest" --key plain.key --sign \
        --source-repository https://github.com/acme/gin-service --ref refs/heads/main ;;
      legacy-off) timed "attest --sign --no-legacy-tags (unencrypted key)" "$berth" attest -q "$host/$repo@$digest" \
        --key plain.key --sign --no-legacy-tags --source-repository https://github.com/acme/gin-service --ref refs/heads/main ;;
    esac
  done
  timed "verify --require provenance --require sbom" "$berth" verify -q "$host/bench/encrypted-$run@$digest" \
    --key encrypted.pub --require provenance --require sbom --source-ref refs/heads/main
  fresh "bench/sign-$run"
  timed "sign alone (unencrypted key)" "$berth" sign -q "$host/bench/sign-$run@$digest" --key plain.key
done

echo
echo "berth $("$berth" --version), $runs runs, Docker Distribution $(docker-registry --version 2>/dev/null | awk '{print $3}') on 127.0.0.1"
echo
echo "| step | median wall | min–max | requests |"
echo "|---|---:|---:|---:|"
for name in "attest --sign (encrypted key)" "attest --sign (unencrypted key)" "attest --sign --no-legacy-tags (unencrypted key)" \
  "verify --require provenance --require sbom" "sign alone (unencrypted key)"; do
  # shellcheck disable=SC2086
  times=$(printf '%s\n' ${wall[$name]})
  # shellcheck disable=SC2086
  counts=$(printf '%s\n' ${used[$name]} | sort -n | uniq | tr '\n' ' ')
  printf '| %s | %s ms | %s–%s ms | %s|\n' "$name" "$(median <<<"$times")" "$(sort -n <<<"$times" | head -1)" \
    "$(sort -n <<<"$times" | tail -1)" "$counts"
done
echo
echo "Every attest waits before the final check of what it wrote: 4× its longest read-to-write gap of a shared tag, at least 50 ms (RaceWindow)."
echo "What signing adds to berth build itself: scripts/bench-build-sign.sh."
