#!/usr/bin/env bash
# Installs berth on a CI runner from its release archive, checked against its SHA-256 file: seconds, no
# Swift toolchain. BERTH_VERSION (1.4.0) and BERTH_RELEASES (where releases are published, as
# BERTH_RELEASES/vVERSION/ARCHIVE; on GitHub https://github.com/OWNER/berth/releases/download) say what
# and from where. Puts berth on PATH for this shell and, on GitHub, for the job's later steps.
# action.yml runs this file; `berth init` writes the same lines into the workflows it generates
# (Sources/BerthCLI/Scaffold/BerthInstallScript.swift, checked equal by scripts/test-archive.sh).
set -euo pipefail
# berth-install-begin
: "${BERTH_VERSION:?set BERTH_VERSION to the berth release to install, such as 1.4.0}"
: "${BERTH_RELEASES:?set BERTH_RELEASES to where berth releases are published}"
archive="berth-$BERTH_VERSION-linux-$(uname -m).tar.gz"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
curl -fsSLo "$dest/$archive" "$BERTH_RELEASES/v$BERTH_VERSION/$archive"
curl -fsSLo "$dest/$archive.sha256" "$BERTH_RELEASES/v$BERTH_VERSION/$archive.sha256"
(cd "$dest" && sha256sum -c "$archive.sha256" >/dev/null)
tar -xzf "$dest/$archive" -C "$dest"
export PATH="$dest/${archive%.tar.gz}:$PATH"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest/${archive%.tar.gz}" >>"$GITHUB_PATH"; fi
berth --version
# berth-install-end
