#!/usr/bin/env bash
# Benchmarks `berth build` against `buildah bud` (vfs storage, chroot isolation) + `buildah push` on
# examples/gin-service, side by side in one run, pushing to a local Docker Distribution:
#   cold: empty Go build cache / empty containers storage, a new repository (every blob pushed);
#   warm: caches kept from the previous run, the same repository.
# Reports the median wall time of each, berth's own part (everything but go build), the pushed image's
# size (config + layers) and whether two builds gave the same digest.
#
# There is no network here, so buildah can't pull golang:1.19. The script makes the equivalent builder
# image from this machine's Go 1.19 and Debian's Gin tree (the same toolchain and sources berth's go
# build uses), pushes it to the local registry, and builds the example's Dockerfile with only the
# builder's FROM and GOPATH-mode lines changed (printed below). buildah cold pulls that image like a
# fresh CI runner pulls golang:1.19; its cache mounts keep the Go build cache between warm runs.
# Usage: scripts/bench-build.sh [RUNS]   (default 3; needs golang-go, golang-github-gin-gonic-gin-dev,
#        buildah, docker-registry)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-3}
work=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
host="127.0.0.1:$port"
cat > "$work/config.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $host
YML
docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
cleanup() {
  kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://$host/v2/" >/dev/null 2>&1 && break; sleep 0.05; done

echo "== building berth (release)" >&2
swift build -c release --product berth >/dev/null
berth="$root/.build/release/berth"

# A hermetic repository with the example committed at a fixed date, so every build plans 0.1.0.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME" "$work/repo/examples"
cp -r examples/gin-service "$work/repo/examples/"
rm -f "$work/repo/examples/gin-service/gin-service"
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@berth.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@berth.invalid \
  GIT_AUTHOR_DATE="@1704067200 +0000" GIT_COMMITTER_DATE="@1704067200 +0000" git -C "$work/repo" commit -q -m "feat: gin service"
service="$work/repo/examples/gin-service"

echo "== the builder image for buildah: Go 1.19 and Debian's Gin tree from this machine" >&2
stage="$work/golang-rootfs"
mkdir -p "$stage/usr/lib" "$stage/usr/share" "$stage/usr/bin" "$stage/bin" "$stage/lib/x86_64-linux-gnu" "$stage/lib64" \
  "$stage/tmp" "$stage/root" "$stage/etc"
# As in the official image: root's home is /root, so the Go cache is /root/.cache/go-build (the cache mount).
echo 'root:x:0:0:root:/root:/bin/sh' > "$stage/etc/passwd"
cp -a /usr/lib/go-1.19 "$stage/usr/lib/"; cp -a /usr/share/go-1.19 "$stage/usr/share/"; cp -a /usr/share/gocode "$stage/usr/share/"
ln -s ../lib/go-1.19/bin/go "$stage/usr/bin/go"
cp /usr/bin/dash "$stage/bin/sh"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$stage/lib/x86_64-linux-gnu/"; cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
tar -C "$stage" -cf "$work/golang-rootfs.tar" .
storage_conf() { # $1: storage directory
  mkdir -p "$1"
  printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$1" "$1" > "$1/storage.conf"
  echo "$1/storage.conf"
}
export BUILDAH_ISOLATION=chroot
CONTAINERS_STORAGE_CONF=$(storage_conf "$work/seed-storage") bash -c "
  set -e
  ctr=\$(buildah from scratch)
  buildah add -q \$ctr '$work/golang-rootfs.tar' / >/dev/null
  buildah config --env PATH=/usr/bin:/bin --env GOPATH=/go:/usr/share/gocode --env GO111MODULE=off \$ctr
  buildah commit -q \$ctr localhost/golang-offline:1.19 >/dev/null
  buildah push -q --tls-verify=false localhost/golang-offline:1.19 docker://$host/golang-offline:1.19
"
rm -rf "$stage" "$work/golang-rootfs.tar" "$work/seed-storage"

# The example's Dockerfile with the builder from the local registry and GOPATH mode (no module cache offline).
sed -e "s|^FROM golang:1.19-bookworm AS build|FROM $host/golang-offline:1.19 AS build|" \
    -e "s|^WORKDIR /src|WORKDIR /go/src/example.com/gin-service|" \
    -e "s|^RUN --mount=type=cache,target=/go/pkg/mod go mod download|RUN true|" \
    "$service/Dockerfile" > "$work/Dockerfile.bench"
echo "== Dockerfile.bench differs from examples/gin-service/Dockerfile by:" >&2
diff "$service/Dockerfile" "$work/Dockerfile.bench" >&2 || true

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
image_size() { # $1: repository:tag → bytes of config + layers
  curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$host/v2/${1%%:*}/manifests/${1##*:}" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["size"]+sum(l["size"] for l in m["layers"]))'
}
digest_of() { curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
  "http://$host/v2/${1%%:*}/manifests/${1##*:}" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}'; }

berth_build() { # $1: repository, $2: GOCACHE → "wall_ms own_ms digest"
  local start json
  start=$(now_ms)
  json=$(cd "$service" && GOCACHE="$2" "$berth" build --json -q --images "$host/$1")
  local wall=$(( $(now_ms) - start ))
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); s=d["seconds"]; print(sys.argv[1], round(int(sys.argv[1]) - s["goBuild"]*1000), d["digest"])' "$wall" "$json"
}
buildah_build() { # $1: repository, $2: storage directory → "wall_ms digest"
  local conf start ref
  conf=$(storage_conf "$2")
  ref="$host/$1:v0.1.0"
  start=$(now_ms)
  local epoch=1704067200 head created=2024-01-01T00:00:00Z
  head=$(git -C "$work/repo" rev-parse HEAD)
  (cd "$service" && CONTAINERS_STORAGE_CONF=$conf buildah bud -q --tls-verify=false --layers=false --timestamp $epoch \
    --identity-label=false -f "$work/Dockerfile.bench" --build-arg VERSION=0.1.0 --build-arg VCS_REF=$head \
    --build-arg BUILD_DATE=$created --build-arg SOURCE_DATE_EPOCH=$epoch -t "$ref" . >/dev/null 2>"$work/buildah.err" \
    && CONTAINERS_STORAGE_CONF=$conf buildah push -q --tls-verify=false "$ref" "docker://$ref" 2>>"$work/buildah.err") \
    || { cat "$work/buildah.err" >&2; exit 1; }
  echo "$(( $(now_ms) - start )) $(digest_of "$1:v0.1.0")"
}

declare -a berth_cold berth_warm berth_own_cold berth_own_warm buildah_cold buildah_warm
berth_digests=(); buildah_digests=()
for run in $(seq "$runs"); do
  echo "== run $run/$runs" >&2
  read -r wall own digest < <(berth_build "bench/berth-$run" "$work/gocache-$run")
  berth_cold+=("$wall"); berth_own_cold+=("$own"); berth_digests+=("$digest")
  read -r wall own digest < <(berth_build "bench/berth-$run" "$work/gocache-$run")
  berth_warm+=("$wall"); berth_own_warm+=("$own"); berth_digests+=("$digest")
  read -r wall digest < <(buildah_build "bench/buildah-$run" "$work/storage-$run")
  buildah_cold+=("$wall"); buildah_digests+=("$digest")
  read -r wall digest < <(buildah_build "bench/buildah-$run" "$work/storage-$run")
  buildah_warm+=("$wall"); buildah_digests+=("$digest")
  chmod -R u+w "$work/storage-$run" 2>/dev/null; rm -rf "$work/storage-$run" "$work/gocache-$run"
done

same() { [[ $(printf '%s\n' "$@" | sort -u | wc -l) -eq 1 ]] && echo "yes (${1:7:12}…)" || echo "no: $(printf '%s ' "$@")"; }
bc=$(printf '%s\n' "${berth_cold[@]}" | median); bw=$(printf '%s\n' "${berth_warm[@]}" | median)
oc=$(printf '%s\n' "${berth_own_cold[@]}" | median); ow=$(printf '%s\n' "${berth_own_warm[@]}" | median)
uc=$(printf '%s\n' "${buildah_cold[@]}" | median); uw=$(printf '%s\n' "${buildah_warm[@]}" | median)
echo
echo "| case | berth build | buildah bud + push | ratio | berth's own part |"
echo "|---|---:|---:|---:|---:|"
printf '| cold | %s ms | %s ms | %.1f× | %s ms |\n' "$bc" "$uc" "$(echo "$uc / $bc" | bc -l)" "$oc"
printf '| warm | %s ms | %s ms | %.1f× | %s ms |\n' "$bw" "$uw" "$(echo "$uw / $bw" | bc -l)" "$ow"
echo
echo "| | berth | buildah |"
echo "|---|---:|---:|"
echo "| image size (config + layers) | $(image_size bench/berth-1:v0.1.0) B | $(image_size bench/buildah-1:v0.1.0) B |"
echo "| same digest in all $(( runs * 2 )) builds | $(same "${berth_digests[@]}") | $(same "${buildah_digests[@]}") |"
echo
echo "runs: $runs; medians; cold = empty Go cache / empty storage and a new repository, warm = the same again."
