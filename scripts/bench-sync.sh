#!/usr/bin/env bash
# berth registry sync against skopeo sync, between local Docker Distribution 2.8 registries (Debian's
# docker-registry, plain http on loopback).
#
# The source holds IMAGES small tagged images (a config and one 2 KiB layer each, pushed over the
# distribution API by a few lines of Python), each signed and attested by berth itself:
# `berth attest IMAGE@DIGEST --sign --no-provenance --sbom-file sbom.spdx.json` writes an SBOM attestation
# and a signature as OCI 1.1 referrers (in the sha256-<hex> fallback index: Distribution 2.8 has no referrers
# API) and cosign's legacy .sig and .att tags. Each run then copies the repository into a fresh registry:
#   berth registry sync --all-tags SRC/bench/app DST   (images, referrers, fallback indexes, .sig/.att tags)
#   skopeo sync --all --src docker --dest docker --src-tls-verify=false --dest-tls-verify=false SRC/bench/app DST
#     (skopeo copies the tags it lists: the images, and the .sig/.att and sha256-<hex> tags as images of their
#     own; the referrers the fallback indexes list come along as those indexes' children, but skopeo knows
#     nothing of referrers: on a registry with the referrers API it would copy none)
# and prints the median wall time of RUNS runs of each, and what each copied (counted at the destination).
#
# Usage: scripts/bench-sync.sh [RUNS=3] [IMAGES=100] [BERTH=.build/release/berth]
# (BERTH_SYNC_ARGS adds arguments to berth's sync, e.g. "--concurrency 8".)
set -euo pipefail
runs=${1:-3}
images=${2:-100}
berth=$(realpath "${3:-.build/release/berth}")
[[ -x $berth ]] || { echo "bench-sync: no berth binary at $berth (swift build -c release)" >&2; exit 1; }
for tool in docker-registry skopeo curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-sync: needs $tool" >&2; exit 1; }
done
source "$(dirname "$0")/bench-registry-start.sh"

work=$(mktemp -d /tmp/berth-bench-sync.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/source"
start_registry "$work/source"
pids+=("$registry_pid")
source_host=$host

# The images: config + one layer each, tagged 1.0.N, pushed with monolithic uploads.
python3 - "$source_host" "$images" <<'PY'
import hashlib, json, sys, urllib.request
host, count = sys.argv[1], int(sys.argv[2])
def put_blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = urllib.request.urlopen(urllib.request.Request(f"http://{host}/v2/bench/app/blobs/uploads/", method="POST"))
    location = start.headers["Location"]
    location = location if location.startswith("http") else f"http://{host}{location}"
    separator = "&" if "?" in location else "?"
    urllib.request.urlopen(urllib.request.Request(f"{location}{separator}digest={digest}", data=data, method="PUT",
        headers={"Content-Type": "application/octet-stream"}))
    return digest
for number in range(count):
    layer = hashlib.sha512(f"layer {number}".encode()).digest() * 32
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Labels": {"org.opencontainers.image.version": f"1.0.{number}"}}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put_blob(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put_blob(layer), "size": len(layer)}]},
        separators=(",", ":")).encode()
    urllib.request.urlopen(urllib.request.Request(f"http://{host}/v2/bench/app/manifests/1.0.{number}", data=manifest,
        method="PUT", headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
PY

# Each image signed and given an SBOM attestation by berth, four at a time.
cd "$work"
"$berth" key generate -q -o signer --unencrypted >/dev/null
cat > sbom.spdx.json <<'JSON'
{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"bench/app","documentNamespace":"https://example.com/bench/app","creationInfo":{"created":"2026-12-01T00:00:00Z","creators":["Tool: bench-sync"]},"packages":[]}
JSON
batch=()
for number in $(seq 0 $((images - 1))); do
  digest=$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$source_host/v2/bench/app/manifests/1.0.$number" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  "$berth" attest -q "$source_host/bench/app@$digest" --key signer.key --sign --no-provenance \
    --sbom-file sbom.spdx.json >/dev/null &
  batch+=("$!")
  if (( ${#batch[@]} == 4 || number == images - 1 )); then
    for pid in "${batch[@]}"; do wait "$pid" || { echo "bench-sync: berth attest failed" >&2; exit 1; }; done
    batch=()
  fi
done
echo "source: $images tags of bench/app, each with a signature and an SBOM attestation (referrers) and .sig/.att tags"

# What a destination holds: tags, and manifests reachable by digest that the source's referrers name.
count_destination() {
  local host=$1
  python3 - "$host" "$source_host" <<'PY'
import json, sys, urllib.request
dst, src = sys.argv[1], sys.argv[2]
accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"
def get(host, path):
    return urllib.request.urlopen(urllib.request.Request(f"http://{host}{path}", headers={"Accept": accept}))
def tags(host):
    try: return json.load(get(host, "/v2/bench/app/tags/list")).get("tags") or []
    except Exception: return []
source_tags, destination_tags = tags(src), set(tags(dst))
versions = [t for t in destination_tags if not t.startswith("sha256-")]
fallback = [t for t in source_tags if t.startswith("sha256-") and "." not in t]
referrers = present = 0
for tag in fallback:
    for entry in json.load(get(src, f"/v2/bench/app/manifests/{tag}"))["manifests"]:
        referrers += 1
        try:
            get(dst, f"/v2/bench/app/manifests/{entry['digest']}")
            present += 1
        except Exception: pass
legacy = [t for t in destination_tags if t.endswith(".sig") or t.endswith(".att")]
indexes = [t for t in destination_tags if t.startswith("sha256-") and "." not in t]
print(f"{len(versions)} version tags, {present}/{referrers} referrers, {len(indexes)} fallback indexes, {len(legacy)} .sig/.att tags")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/out.txt" 2>"$work/err.txt" || { echo "bench-sync: $* failed:" >&2; cat "$work/err.txt" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

: >"$work/berth.times"
: >"$work/skopeo.times"
for run in $(seq "$runs"); do
  for tool in berth skopeo; do
    mkdir -p "$work/$tool-$run"
    start_registry "$work/$tool-$run"
    pids+=("$registry_pid")
    if [[ $tool == berth ]]; then
      # shellcheck disable=SC2086
      timed "$berth" registry sync -q --all-tags ${BERTH_SYNC_ARGS:-} "$source_host/bench/app" "$host" >>"$work/berth.times"
    else
      timed skopeo sync --all --src docker --dest docker --src-tls-verify=false --dest-tls-verify=false \
        "$source_host/bench/app" "$host/bench" >>"$work/skopeo.times"
      # skopeo sync puts the repository's last component under the destination path: bench/app again.
    fi
    [[ $run == 1 ]] && echo "$tool copied: $(count_destination "$host")"
    kill "$registry_pid"
  done
done
berth_median=$(median <"$work/berth.times")
skopeo_median=$(median <"$work/skopeo.times")
echo "berth registry sync: median $berth_median s of $runs ($(tr '\n' ' ' <"$work/berth.times"))"
echo "skopeo sync:         median $skopeo_median s of $runs ($(tr '\n' ' ' <"$work/skopeo.times"))"
echo "skopeo / berth: $(echo "scale=2; $skopeo_median / $berth_median" | bc)x"
