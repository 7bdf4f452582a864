#!/usr/bin/env bash
# The release archive works on a runner without Swift: builds berth statically linked (debug, in
# .build/static), packages it with scripts/release-archive.sh, checks the checksum, the SBOM and that two runs give
# the same bytes, then runs the unpacked berth with an empty environment (no toolchain on PATH, no library
# path) on a git repository and checks the version it plans. Ends with 'N passed, N failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
check() { # check NAME COMMAND...: runs COMMAND, counts it
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "archive: FAILED: $1" >&2; fi
}
work=$(mktemp -d)
toolset=$(scripts/release-archive.sh --print-toolset)
trap 'rm -rf "$work" "$toolset"' EXIT
# Its own scratch path: objects compiled for static linking autolink the static Foundation archives, and
# mixed into .build/debug they break the next ordinary link.
swift build --product berth --static-swift-stdlib --toolset "$toolset" --scratch-path .build/static >"$work/build.log" \
  || { grep -E 'error' "$work/build.log" | head -20 >&2; exit 1; }
cp .build/static/debug/berth "$work/berth-static"
archive=$(scripts/release-archive.sh --binary "$work/berth-static" --version 0.0.0-archive-test --out "$work/dist")
name=$(basename "$archive" .tar.gz)
check "the checksum file verifies" bash -c "cd '$work/dist' && sha256sum --quiet -c '$name.tar.gz.sha256'"
first=$(sha256sum <"$archive")
scripts/release-archive.sh --binary "$work/berth-static" --version 0.0.0-archive-test --out "$work/again" >/dev/null
check "the same binary and commit give the same archive bytes" test "$first" = "$(sha256sum <"$work/again/$name.tar.gz")"
mkdir "$work/unpacked"
tar -xzf "$archive" -C "$work/unpacked"
berth="$work/unpacked/$name/berth"
check "berth loads no Swift library" bash -c "! ldd '$berth' | grep -Eq 'libswift|libFoundation|libdispatch|/opt/swift'"
check "the SBOM names berth and every pinned package" python3 - "$work/unpacked/$name/berth.spdx.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
pins = {pin["identity"] for pin in json.load(open("Package.resolved"))["pins"]}
names = {package["name"] for package in document["packages"]}
assert document["spdxVersion"] == "SPDX-2.3", document["spdxVersion"]
assert names == pins | {"berth"}, names ^ (pins | {"berth"})
assert all(p["externalRefs"][0]["referenceLocator"].startswith("pkg:swift/") for p in document["packages"][1:])
PY

# A repository released as v1.4.0 with a fix since: berth plans 1.4.1, with only /usr/bin and /bin.
repo="$work/repo"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work" GIT_AUTHOR_DATE=2026-01-01T00:00:00Z \
  GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
git init -q -b main "$repo"
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m "feat: first"
git -C "$repo" tag v1.4.0
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m "fix: second"
plan=$(cd "$repo" && env -i PATH=/usr/bin:/bin HOME="$work" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
  "$berth" plan --offline --format github 2>&1) || true
check "berth plan runs in an empty environment and plans 1.4.1" grep -qx 'version=1.4.1' <<<"$plan"
[[ $failed -eq 0 ]] || echo "$plan" >&2

# The install steps `berth init` writes, run as GitHub and GitLab would, against a local release server.
mkdir -p "$work/releases/v0.0.0-archive-test" "$work/project"
cp "$archive" "$work/dist/$name.tar.gz.sha256" "$work/releases/v0.0.0-archive-test/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work" "$toolset"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
(cd "$work/project" && "$berth" init >/dev/null)
python3 - "$work/project" "$work" <<'PY'
import sys, yaml
project, work = sys.argv[1], sys.argv[2]
workflow = yaml.safe_load(open(f"{project}/.github/workflows/release.yml"))
step = next(s for s in workflow["jobs"]["release"]["steps"] if s.get("name") == "Install berth")
open(f"{work}/github-install.sh", "w").write(step["run"])
job = yaml.safe_load(open(f"{project}/.gitlab-ci.yml"))["berth-plan"]
open(f"{work}/gitlab-install.sh", "w").write("".join(job["before_script"]))
PY
sed -n '/# berth-install-begin/,/# berth-install-end/{//!p}' scripts/install-berth.sh >"$work/script-install.sh"
check "the generated GitHub step runs scripts/install-berth.sh's lines" cmp -s "$work/script-install.sh" "$work/github-install.sh"
check "the generated GitLab before_script runs the same lines" cmp -s "$work/script-install.sh" "$work/gitlab-install.sh"
installed() { # installed SHELL SCRIPT RUNNER_TEMP: runs an install step with only the CI's variables
  env -i PATH=/usr/bin:/bin HOME="$work" RUNNER_TEMP="$3" GITHUB_PATH="$3/github-path" BERTH_VERSION=0.0.0-archive-test \
    BERTH_RELEASES="http://127.0.0.1:$port" "$1" -e "$2"
}
mkdir "$work/gh" "$work/gl" "$work/bad"
check "GitHub's step installs berth and puts it on the job's PATH" bash -c \
  "$(declare -f installed); work='$work' port=$port; installed bash '$work/github-install.sh' '$work/gh' >/dev/null \
   && test -x \"\$(cat '$work/gh/github-path')/berth\""
check "GitLab's before_script installs berth under sh" bash -c \
  "$(declare -f installed); work='$work' port=$port; installed sh '$work/gitlab-install.sh' '$work/gl' | grep -Eq '^[0-9]+[.][0-9]+[.][0-9]+'"
printf 'x' >>"$work/releases/v0.0.0-archive-test/$name.tar.gz"
check "a tampered archive is refused by its checksum" bash -c \
  "$(declare -f installed); work='$work' port=$port; ! installed bash '$work/github-install.sh' '$work/bad' 2>/dev/null"
echo "archive: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
