#!/usr/bin/env bash
# Runs a go command on this service offline, with Debian's Gin and Prometheus client
# (golang-github-gin-gonic-gin-dev, golang-github-prometheus-client-golang-dev, and what they depend on).
# Debian ships a GOPATH tree, not a module cache, so the service is linked into a temporary GOPATH at
# its import path and built in GOPATH mode next to /usr/share/gocode. No downloads. The build cache is
# go's usual one (GOCACHE, else ~/.cache/go-build), so a second build is warm.
# Usage: scripts/go-offline.sh build -trimpath -ldflags "…" -o OUT .   |   scripts/go-offline.sh test ./...
# (berth build runs it through build.go_command in berth.yaml.)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${GOCACHE:-$(go env GOCACHE)}
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/example.com"
ln -s "$here" "$gopath/src/example.com/gin-service"
cd "$gopath/src/example.com/gin-service"
export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOCACHE="$cache" CGO_ENABLED="${CGO_ENABLED:-0}"
go "$@"
