#!/usr/bin/env bash
# Runs a go command on this service offline, with Debian's Gin (golang-github-gin-gonic-gin-dev).
# Debian ships a GOPATH tree, not a module cache, so the service is linked into a temporary GOPATH at
# its import path and built in GOPATH mode next to /usr/share/gocode. No downloads.
# Usage: scripts/go-offline.sh build -trimpath -ldflags "…" -o OUT   |   scripts/go-offline.sh test
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/example.com"
ln -s "$here" "$gopath/src/example.com/gin-service"
cd "$gopath/src/example.com/gin-service"
export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$gopath/cache}" CGO_ENABLED="${CGO_ENABLED:-0}"
sub=$1; shift
go "$sub" "$@" .
