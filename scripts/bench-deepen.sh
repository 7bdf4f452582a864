#!/usr/bin/env bash
# Benchmarks what a CI checkout costs berth: a full clone + `berth plan` against a `git clone --depth 1`
# + `berth plan --deepen` (just enough history and tags), on a large repository built once with git
# fast-import (as scripts/bench-plan.sh does) and cached in .bench/:
#   30,000 commits, each changing one of 3,000 files with 4 KiB of fresh text (a ~150 MiB history),
#   300 release tags every 99 commits, the last one 300 commits before HEAD.
# Served two ways: file:// and git daemon on 127.0.0.1 (the git:// pack protocol over TCP, through a
# byte-counting relay). Reports per transport the median wall time (clone + plan), bytes received from
# the server (git daemon only: what crossed the socket) and the clone's .git on disk, over RUNS
# interleaved runs of each; both answers must agree.
# Usage: scripts/bench-deepen.sh [RUNS]   (default 7). BERTH=path benchmarks that binary instead of
# building `swift build -c release`. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-7}
# shellcheck source=scripts/bench-setup.sh
source scripts/bench-setup.sh

repo="$bench/deepen-origin.git"
if [[ ! -f "$repo/.complete" ]]; then
  echo "== generating 30,000 commits of 4 KiB changes and 300 release tags in $repo" >&2
  rm -rf "$repo"
  git init -q --bare -b main "$repo"
  python3 - <<'PY' | git -C "$repo" fast-import --quiet
import random, sys
commits, files, tags, tail, size = 30_000, 3_000, 300, 300, 4096
every = (commits - tail) // tags
rng = random.Random(12)
out = sys.stdout.buffer
types = ["feat", "fix", "chore", "docs", "fix", "refactor", "test", "fix"]
version = [1, 0, 0]
tagged = 0
for n in range(1, commits + 1):
    when = 1_600_000_000 + n * 60
    msg = f"{types[n % len(types)]}(core): change number {n}\n\nBody of change {n}.\n".encode()
    out.write(f"commit refs/heads/main\nmark :{n}\n".encode())
    out.write(f"author Bench <bench@berth.invalid> {when} +0000\n".encode())
    out.write(f"committer Bench <bench@berth.invalid> {when} +0000\n".encode())
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    # Fresh text every time (words from a fixed vocabulary), so each commit adds real bytes to the history.
    words = " ".join(rng.choice(("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", f"{rng.random():.6f}")) for _ in range(size // 7))
    blob = (words[:size] + "\n").encode()
    out.write(b"M 644 inline src/f%04d.txt\ndata %d\n%s\n" % (n % files, len(blob), blob))
    back = commits - tail - n
    if back >= 0 and back % every == 0 and back // every < tags:
        tagged += 1
        version = [version[0], version[1] + 1, 0] if tagged % 10 == 0 else [version[0], version[1], version[2] + 1]
        name = "v%d.%d.%d" % tuple(version)
        tmsg = f"release {name}\n".encode()
        out.write(f"tag {name}\nfrom :{n}\ntagger Bench <bench@berth.invalid> {when} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(tmsg), tmsg))
PY
  git -C "$repo" gc -q
  touch "$repo/.complete"
fi
echo "== $repo: $(git -C "$repo" rev-list --count main) commits, $(git -C "$repo" tag | wc -l) tags, $(du -sh "$repo" | cut -f1) on disk" >&2

python3 - "$runs" "$repo" "$berth" "$bench/deepen-work" <<'PY'
import os, shutil, socket, statistics, subprocess, sys, threading, time
runs, repo, berth, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

# git daemon serving the bare repository's parent, and a relay in front that counts the bytes it sends on.
daemon_port, relay_port = free_port(), free_port()
daemon = subprocess.Popen(
    ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={daemon_port}", "--export-all",
     f"--base-path={os.path.dirname(repo)}", os.path.dirname(repo)],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
received = [0]
lock = threading.Lock()

def pipe(src, dst, count):
    try:
        while data := src.recv(1 << 16):
            if count:
                with lock:
                    received[0] += len(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

def relay():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", relay_port))
    server.listen(16)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(("127.0.0.1", daemon_port))
        threading.Thread(target=pipe, args=(client, upstream, False), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client, True), daemon=True).start()

threading.Thread(target=relay, daemon=True).start()
for _ in range(100):
    if subprocess.run(["git", "ls-remote", f"git://127.0.0.1:{daemon_port}/{os.path.basename(repo)}", "HEAD"],
                      capture_output=True).returncode == 0:
        break
    time.sleep(0.1)

urls = {"file://": f"file://{repo}", "git daemon (127.0.0.1)": f"git://127.0.0.1:{relay_port}/{os.path.basename(repo)}"}
ways = {
    "full clone + berth plan": ([], []),
    "git clone --depth 1 + berth plan --deepen": (["--depth", "1"], ["--deepen"]),
}

def du(path):
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
    return total

def once(url, clone_args, plan_args, n):
    target = os.path.join(work, f"run-{n}")
    shutil.rmtree(target, ignore_errors=True)
    with lock:
        received[0] = 0
    start = time.perf_counter()
    subprocess.run(["git", "clone", "-q"] + clone_args + [url, target], check=True)
    plan = subprocess.run([berth, "plan", "-q", "-C", target] + plan_args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if plan.returncode != 0:
        raise SystemExit(f"berth plan {plan_args} failed: {plan.stderr.strip()}")
    time.sleep(0.05)  # the relay's last bytes
    with lock:
        got = received[0]
    disk = du(os.path.join(target, ".git"))
    shutil.rmtree(target)
    return wall, got, disk, plan.stdout.split()

results = {}
answers = set()
n = 0
for _ in range(runs):
    for transport, url in urls.items():
        for way, (clone_args, plan_args) in ways.items():
            n += 1
            wall, got, disk, tags = once(url, clone_args, plan_args, n)
            answers.add(tuple(tags))
            results.setdefault((transport, way), []).append((wall, got, disk))
daemon.terminate()
if len(answers) != 1:
    raise SystemExit(f"the plans disagree: {answers}")
print(f"plan: {' '.join(answers.pop())}", file=sys.stderr)
print(f"| transport | checkout | wall (median of {runs}) | received from the server | .git on disk |")
print("|---|---|---:|---:|---:|")
for (transport, way), rows in results.items():
    wall = statistics.median(r[0] for r in rows)
    got = statistics.median(r[1] for r in rows)
    disk = statistics.median(r[2] for r in rows)
    got_text = f"{got / 2**20:.2f} MiB" if transport.startswith("git daemon") else "—"
    print(f"| {transport} | {way} | {wall * 1000:.0f} ms | {got_text} | {disk / 2**20:.2f} MiB |")
PY
