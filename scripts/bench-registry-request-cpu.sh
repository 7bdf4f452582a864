#!/usr/bin/env bash
# What one request costs Docker Distribution 2.8 (Debian's docker-registry) in CPU on this machine: the
# registry's user + system time (/proc/PID/stat) over N sequential requests of each kind on one
# keep-alive connection, from Python's http.client (not berth: the registry's side alone). Explains why
# the number of requests, not round trips, bounds what signing adds to a build on a 2-core machine that
# runs berth, Go and the registry. Same registry config as the other benchmarks (scripts/bench-registry-start.sh).
# Usage: scripts/bench-registry-request-cpu.sh [N=200]
set -euo pipefail
count=${1:-200}
for tool in docker-registry curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-registry-request-cpu: needs $tool" >&2; exit 1; }
done
work=$(mktemp -d /tmp/berth-bench-request-cpu.XXXXXX)
# shellcheck source=scripts/bench-registry-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-registry-start.sh"
trap '[[ -z ${registry_pid:-} ]] || { kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
start_registry "$work"
python3 - "$host" "$registry_pid" "$count" <<'PY'
import hashlib, http.client, json, os, sys, time
host, pid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ticks = os.sysconf("SC_CLK_TCK")
def cpu_ms():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / ticks
address, port = host.rsplit(":", 1)
connection = http.client.HTTPConnection(address, int(port))
def request(method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()
def measure(label, calls):
    before, start = cpu_ms(), time.monotonic()
    for call in calls: call()
    print(f"| {label} | {(cpu_ms() - before) / len(calls):.2f} ms | {(time.monotonic() - start) * 1000 / len(calls):.2f} ms |")
print(f"Docker Distribution on {host}, {n} sequential requests of each kind\n")
print("| request | registry CPU each | wall each |\n|---|---:|---:|")
sessions = []
def post():
    response, _ = request("POST", "/v2/bench/blobs/uploads/")
    assert response.status == 202, response.status
    sessions.append(response.getheader("Location"))
measure("POST /blobs/uploads/ (a session)", [post] * n)
blobs = [os.urandom(800) for _ in range(n)]
def put(i):
    location = sessions[i].split(host, 1)[-1]
    digest = "sha256:" + hashlib.sha256(blobs[i]).hexdigest()
    separator = "&" if "?" in location else "?"
    response, _ = request("PUT", f"{location}{separator}digest={digest}", blobs[i], {"Content-Type": "application/octet-stream"})
    assert response.status == 201, response.status
measure("PUT the blob (800 bytes)", [lambda i=i: put(i) for i in range(n)])
digest = "sha256:" + hashlib.sha256(blobs[0]).hexdigest()
measure("HEAD a blob", [lambda: request("HEAD", f"/v2/bench/blobs/{digest}")] * n)
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest, "size": 800},
            "layers": [{"mediaType": "application/octet-stream", "digest": digest, "size": 800}]}
def put_manifest(i):
    body = json.dumps(dict(manifest, annotations={"i": str(i)})).encode()
    response, _ = request("PUT", f"/v2/bench/manifests/t{i}", body, {"Content-Type": manifest["mediaType"]})
    assert response.status == 201, response.status
measure("PUT a manifest under a tag", [lambda i=i: put_manifest(i) for i in range(n)])
accept = {"Accept": manifest["mediaType"]}
measure("GET a manifest by tag", [lambda i=i: request("GET", f"/v2/bench/manifests/t{i}", headers=accept) for i in range(n)])
measure("GET a tag that isn't there", [lambda i=i: request("GET", f"/v2/bench/manifests/none{i}", headers=accept) for i in range(n)])
measure("GET /v2/", [lambda: request("GET", "/v2/")] * n)
PY
