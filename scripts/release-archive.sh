#!/usr/bin/env bash
# berth's release archive, for CI runners without a Swift toolchain:
#   DIST/berth-VERSION-linux-ARCH.tar.gz          berth (Swift runtime and Foundation linked in statically;
#                                                 it needs only libc, libm, libstdc++, libgcc_s, libz and
#                                                 libsqlite3), README.md, berth.spdx.json
#   DIST/berth-VERSION-linux-ARCH.tar.gz.sha256   its SHA-256, as `sha256sum -c` reads it
#   DIST/berth-VERSION.spdx.json                  berth's own SBOM: SPDX 2.3, every Swift package it is built from
# The archive is reproducible: same binary and commit, same bytes (sorted names, the commit's time, no owners).
#
# Usage: scripts/release-archive.sh [--out DIST] [--version V] [--binary PATH] [--print-toolset]
#   --version  default: what `berth plan` says of this commit (berth versions itself; --deepen when shallow)
#   --binary   package this berth instead of building `swift build -c release --static-swift-stdlib`
#   --print-toolset  write the toolset that links statically (ld.lld) to a temporary file and print its path
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist version="" binary="" print_toolset=0
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --print-toolset) print_toolset=1; shift ;;
    *) echo "release-archive: unknown argument '$1' (see the usage at the top of $0)" >&2; exit 64 ;;
  esac
done
# ld.lld, not gold: gold resolves the static Foundation archives in one pass and misses symbols that a
# later archive needs from an earlier one (CoreFoundation for Foundation's Bundle); lld doesn't.
static_toolset() {
  local toolset
  toolset=$(mktemp --suffix=.json)
  printf '{"schemaVersion": "1.0", "linker": {"path": "%s"}}\n' "$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld" >"$toolset"
  echo "$toolset"
}
if ((print_toolset)); then
  static_toolset
  exit 0
fi
if [[ -z $binary ]]; then
  toolset=$(static_toolset)
  swift build -c release --static-swift-stdlib --toolset "$toolset" --product berth
  rm -f "$toolset"
  binary=.build/release/berth
fi
[[ -x $binary ]] || { echo "release-archive: '$binary' is not an executable berth" >&2; exit 66; }
if ldd "$binary" 2>/dev/null | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime'; then
  echo "release-archive: '$binary' loads the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
  exit 65
fi
if [[ -z $version ]]; then
  # A shallow CI checkout fetches just the history and tags the plan needs (--deepen).
  history=--offline
  [[ $(git rev-parse --is-shallow-repository) == true ]] && history=--deepen
  version=$("$binary" plan "$history" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
fi
[[ -f Package.resolved ]] || swift package resolve
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
name="berth-$version-linux-$(uname -m)"
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
# Debug sections only: a Swift executable keeps the symbols its runtime reflects on.
strip --strip-debug -o "$stage/$name/berth" "$binary"
cp README.md "$stage/$name/"

# The SBOM: berth, and each pinned package as a dependency, with its version, revision and purl.
python3 - "$version" "$epoch" "$(git rev-parse HEAD)" >"$stage/$name/berth.spdx.json" <<'PY'
import datetime, json, sys
version, epoch, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pins = sorted(json.load(open("Package.resolved"))["pins"], key=lambda pin: pin["identity"])
def spdx_id(name):
    return "SPDXRef-Package-" + "".join(c if c.isalnum() or c in ".-" else "-" for c in name)
def purl(location, tag):
    host_path = location.split("://", 1)[-1].removesuffix(".git")
    return f"pkg:swift/{host_path}@{tag}"
packages = [{
    "SPDXID": spdx_id("berth"), "name": "berth", "versionInfo": version, "downloadLocation": "NOASSERTION",
    "filesAnalyzed": False, "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
    "copyrightText": "NOASSERTION", "primaryPackagePurpose": "APPLICATION",
    "externalRefs": [{"referenceCategory": "OTHER", "referenceType": "gitoid", "referenceLocator": commit}],
}]
relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": spdx_id("berth")}]
for pin in pins:
    state = pin["state"]
    tag = state.get("version") or state["revision"]
    packages.append({
        "SPDXID": spdx_id(pin["identity"]), "name": pin["identity"], "versionInfo": tag,
        "downloadLocation": f"git+{pin['location']}@{state['revision']}", "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "LIBRARY",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl(pin["location"], tag)}],
    })
    relationships.append({"spdxElementId": spdx_id("berth"), "relationshipType": "DEPENDS_ON", "relatedSpdxElement": spdx_id(pin["identity"])})
created = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
document = {
    "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": f"berth-{version}",
    "documentNamespace": f"https://spdx.org/spdxdocs/berth-{version}-{commit}",
    "creationInfo": {"created": created, "creators": ["Tool: scripts/release-archive.sh"]},
    "packages": packages, "relationships": relationships,
}
json.dump(document, sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
PY
cp "$stage/$name/berth.spdx.json" "$out/berth-$version.spdx.json"
find "$stage/$name" -exec touch -h -d "@$epoch" {} +
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=go-w,u+rw,a+rX \
  -C "$stage" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
