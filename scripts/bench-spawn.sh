#!/usr/bin/env bash
# Compares two berth binaries on the plan benchmark's workload: `berth plan --offline` on the repository
# scripts/bench-plan.sh builds (100,000 commits, 5,000 tags), RUNS interleaved runs of each, median wall
# time, median peak RSS and the ratio B/A. Made to compare process spawners (see CONTRIBUTING.md, "Why
# BerthProcess and not swift-subprocess"), but any two builds do.
# Usage: scripts/bench-spawn.sh BERTH_A BERTH_B [RUNS]   (default 15)
#   BENCH_REPO=DIR picks the repository (default .bench/plan-repo; generated here with bench-plan.sh's generator
#   when missing). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { sed -n '2,8p' "$0" >&2; exit 64; }
a=$(realpath "$1") b=$(realpath "$2") runs=${3:-15}
repo=${BENCH_REPO:-$(pwd)/.bench/plan-repo}
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$(dirname "$repo")/home"
mkdir -p "$HOME"

if [[ ! -f "$repo/.complete" ]]; then
  echo "== generating $repo with scripts/bench-plan.sh's generator" >&2
  rm -rf "$repo" && git init -q -b main "$repo"
  awk '/<<.PY. \| git -C "\$repo" fast-import/{f=1;next} f&&/^PY$/{exit} f' scripts/bench-plan.sh | python3 - |
    git -C "$repo" fast-import --quiet
  git -C "$repo" checkout -q main && git -C "$repo" gc -q && touch "$repo/.complete"
fi
for berth in "$a" "$b"; do echo "   $berth plan: $("$berth" plan -C "$repo" -q --offline | tr '\n' ' ')" >&2; done

python3 - "$runs" "$repo" "$a" "$b" <<'PY'
import os, statistics, subprocess, sys, time
runs, repo, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def measure(argv):  # wall ms and peak RSS MiB, as in bench-plan.sh
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (res := os.wait4(proc.pid, os.WNOHANG))[0]:
        time.sleep(0.0005)
    if res[1] != 0:
        raise SystemExit(f"{argv} failed with status {res[1]}")
    return (time.perf_counter() - start) * 1000, res[2].ru_maxrss / 1024
cmds = {"A": [a, "plan", "--offline", "-C", repo], "B": [b, "plan", "--offline", "-C", repo]}
results = {k: [] for k in cmds}
for argv in cmds.values():
    measure(argv)  # warm the page cache
for _ in range(runs):  # interleaved, so machine noise hits both alike
    for k, argv in cmds.items():
        results[k].append(measure(argv))
med = {k: statistics.median(w for w, _ in v) for k, v in results.items()}
print("| binary | runs | median wall (ms) | min–max (ms) | vs A | median peak RSS (MiB) |")
print("|---|---:|---:|---:|---:|---:|")
for k, path in (("A", a), ("B", b)):
    walls = [w for w, _ in results[k]]
    print(f"| {k}: `{path}` | {runs} | {med[k]:.1f} | {min(walls):.1f}–{max(walls):.1f} | {med[k] / med['A']:.2f}× "
          f"| {statistics.median(r for _, r in results[k]):.1f} |")
PY
