#!/usr/bin/env bash
# Benchmarks `berth plan` against `git describe --tags` and git-cliff `--bumped-version` on two shapes of
# a large repository, each built once with git fast-import and cached in .bench/:
#   recent-release: 100,000 commits, 5,000 tags, the last tag 10 commits before HEAD;
#   busy:           100,000 commits, 5,000 tags, 5,000 commits since the last tag (a busy repository
#                   between releases).
# Reports, per shape, the median wall time and the median peak RSS of RUNS interleaved runs of each.
# Usage: scripts/bench-plan.sh [RUNS]   (default 15). BERTH=path benchmarks that binary instead of
# building `swift build -c release`. SHAPES="busy" runs one shape. Needs python3; installs git-cliff from
# PyPI in .bench/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-15}
# shellcheck source=scripts/bench-setup.sh
source scripts/bench-setup.sh

# generate REPO TAIL: 100,000 commits, 5,000 tags, the last one TAIL commits before HEAD.
generate() {
  local repo=$1 tail=$2
  [[ -f "$repo/.complete" ]] && return
  echo "== generating 100,000 commits and 5,000 tags, the last $tail commits before HEAD, in $repo" >&2
  rm -rf "$repo"
  git init -q -b main "$repo"
  python3 - "$tail" <<'PY' | git -C "$repo" fast-import --quiet
import sys
commits, tags, tail = 100_000, 5_000, int(sys.argv[1])
every = (commits - tail) // tags      # the tag count fixed, the tail untagged
types = ["feat", "fix", "chore", "docs", "fix", "refactor", "test", "fix"]
out = sys.stdout
version = [0, 1, 0]
tag_count = 0
for n in range(1, commits + 1):
    when = 1_600_000_000 + n * 60
    kind = types[n % len(types)]
    msg = f"{kind}(core): change number {n}\n\nBody of change {n}.\n"
    if n % 997 == 0:
        msg = f"feat!: breaking change {n}\n\nBREAKING CHANGE: api {n}\n"
    data = msg.encode()
    out.write(f"commit refs/heads/main\nmark :{n}\n")
    out.write(f"author Bench <bench@berth.invalid> {when} +0000\n")
    out.write(f"committer Bench <bench@berth.invalid> {when} +0000\n")
    out.write(f"data {len(data)}\n{msg}\n")
    if n == 1:
        out.write("M 644 inline README\ndata 6\nbench\n\n")
    back = commits - tail - n          # tags every `every` commits, counted back from the last one
    if back >= 0 and back % every == 0 and back // every < tags:
        tag_count += 1
        if tag_count % 50 == 0:
            version = [version[0] + 1, 0, 0]
        elif tag_count % 10 == 0:
            version = [version[0], version[1] + 1, 0]
        else:
            version[2] += 1
        name = "v%d.%d.%d" % tuple(version)
        if tag_count % 2:
            out.write(f"reset refs/tags/{name}\nfrom :{n}\n\n")
        else:
            tmsg = f"release {name}\n".encode()
            out.write(f"tag {name}\nfrom :{n}\ntagger Bench <bench@berth.invalid> {when} +0000\ndata {len(tmsg)}\n{tmsg.decode()}\n")
PY
  git -C "$repo" checkout -q main
  git -C "$repo" gc -q
  touch "$repo/.complete"
}

if [[ ! -x "$bench/venv/bin/git-cliff" ]]; then
  echo "== installing git-cliff from PyPI into $bench/venv" >&2
  python3 -m venv "$bench/venv"
  "$bench/venv/bin/pip" install -q git-cliff
fi
cliff="$bench/venv/bin/git-cliff"

# run SHAPE REPO: the answers, then the table.
run() {
  local shape=$1 repo=$2
  echo "== shape $shape: commits $(git -C "$repo" rev-list --count HEAD), tags $(git -C "$repo" tag | wc -l)" >&2
  echo "   berth version:                        $("$berth" version -C "$repo" -q --offline)" >&2
  echo "   berth plan tags:                      $("$berth" plan -C "$repo" -q --offline | tr '\n' ' ')" >&2
  echo "   git describe --tags:                  $(git -C "$repo" describe --tags)" >&2
  echo "   git-cliff --bumped-version --unreleased: $(cd "$repo" && "$cliff" --bumped-version --unreleased 2>/dev/null)" >&2
  echo "== $runs interleaved runs each; git-cliff over the whole history once, stopped after ${CLIFF_LIMIT:-300} s" >&2
  echo "### $shape"
  python3 - "$runs" "$repo" "$berth" "$cliff" "${CLIFF_LIMIT:-300}" <<'PY'
import os, signal, statistics, subprocess, sys, time
runs, repo, berth, cliff, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
repeated = [
    ("berth plan", [berth, "plan", "--offline", "-C", repo]),
    ("git describe --tags", ["git", "-C", repo, "describe", "--tags"]),
    ("git-cliff --bumped-version --unreleased", [cliff, "--bumped-version", "--unreleased"]),
]
once = ("git-cliff --bumped-version", [cliff, "--bumped-version"])

def measure(argv, timeout=None):
    """Wall ms and peak RSS MiB; wait4's rusage covers the process and the children it waited for."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if timeout and time.perf_counter() - start > timeout:
            proc.send_signal(signal.SIGKILL)
            os.wait4(proc.pid, 0)
            return None
        time.sleep(0.0005)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{argv} failed with status {status}")
    return wall * 1000, usage.ru_maxrss / 1024

results = {}
for name, argv in repeated:
    measure(argv)  # warm the page cache
for _ in range(runs):  # interleaved, so machine noise hits every command alike
    for name, argv in repeated:
        results.setdefault(name, []).append(measure(argv))
full = measure(once[1], timeout=limit)

describe = [w for w, _ in results["git describe --tags"]]
base = statistics.median(describe)
print("| command | runs | median wall (ms) | vs git describe (pairwise median) | median peak RSS (MiB) |")
print("|---|---:|---:|---:|---:|")
for name, _ in repeated:
    walls = [w for w, _ in results[name]]
    rss = [r for _, r in results[name]]
    pairwise = statistics.median(w / d for w, d in zip(walls, describe))
    print(f"| `{name}` | {runs} | {statistics.median(walls):.1f} | {pairwise:.2f}× | {statistics.median(rss):.1f} |")
if full is None:
    print(f"| `{once[0]}` | 1 | > {limit * 1000:.0f} (stopped) | > {limit * 1000 / base:.0f}× | – |")
else:
    print(f"| `{once[0]}` | 1 | {full[0]:.1f} | {full[0] / base:.2f}× | {full[1]:.1f} |")
PY
}

for shape in ${SHAPES:-recent-release busy}; do
  case $shape in
    recent-release) generate "$bench/plan-repo-recent" 10; run "$shape" "$bench/plan-repo-recent" ;;
    busy) generate "$bench/plan-repo-busy" 5000; run "$shape" "$bench/plan-repo-busy" ;;
    *) echo "unknown shape '$shape'; use recent-release or busy" >&2; exit 2 ;;
  esac
done
