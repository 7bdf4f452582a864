# Sourced by the git benchmarks (bench-plan.sh, bench-deepen.sh) from the repository root: a hermetic
# git (no user or system configuration, HOME in .bench/) and the berth to measure in $berth — the
# binary $BERTH names, else a release build.
bench="$root/.bench"
mkdir -p "$bench"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$bench/home"
mkdir -p "$HOME"

if [[ -n "${BERTH:-}" ]]; then
  berth=$BERTH
else
  echo "== building berth (release)" >&2
  swift build -c release --product berth >/dev/null
  berth="$root/.build/release/berth"
fi
