#!/usr/bin/env bash
# Coverage-guided fuzzing of berth's parsers (the Fuzz/ package, libFuzzer with AddressSanitizer).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default: 60 seconds, every target in Fuzz/Sources
#
# Builds Fuzz/ (release, -sanitize=fuzzer,address), then runs each target for the budget on a fresh temporary
# corpus seeded from Fuzz/Corpus/TARGET (the committed corpus is never written). Prints one line per target
# and exits non-zero when any target crashed, trapped, hung (-timeout=5) or ran out of memory, printing the
# reproducer's path. Leaks are not findings (-detect_leaks=0): berth is a short-lived CLI, and Foundation's
# once-built globals (a static NSRegularExpression) read as leaks to LeakSanitizer. Without libFuzzer in the
# toolchain (Xcode's, for one) it skips with a message and exits 0, except under CI=true, where that fails.
# FUZZ_BUILD_CONFIG=debug builds faster and runs slower; FUZZ_JOBS=N runs N targets at a time (default: one
# per core).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[[ $# -gt 0 ]] && shift
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 64
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(ls Fuzz/Sources)
fi
for target in "${targets[@]}"; do
  if [[ ! -d Fuzz/Sources/$target ]]; then
    echo "fuzz: no target '$target' (have: $(ls Fuzz/Sources | tr '\n' ' '))" >&2
    exit 64
  fi
done
config=${FUZZ_BUILD_CONFIG:-release}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/berth-fuzz.XXXXXX")
keep_scratch=false
cleanup() { [[ $keep_scratch == true ]] || rm -rf "$scratch"; }
trap cleanup EXIT

# Does this toolchain link libFuzzer? Probe with a one-line fuzz target rather than guessing paths.
cat >"$scratch/probe.swift" <<'EOF'
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }
EOF
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$scratch/probe.swift" -o "$scratch/probe" >"$scratch/probe.log" 2>&1; then
  echo "fuzz: this Swift toolchain can't link libFuzzer (swiftc -sanitize=fuzzer failed):"
  sed 's/^/  /' "$scratch/probe.log" | head -5
  if [[ ${CI:-} == true ]]; then
    echo "fuzz: FAILED: CI must fuzz; use a toolchain from swift.org (it ships libclang_rt.fuzzer)" >&2
    exit 1
  fi
  echo "fuzz: skipped (use a swift.org toolchain on Linux to fuzz)"
  echo "fuzz: 0 passed, 0 failed, ${#targets[@]} skipped"
  exit 0
fi

build_start=$SECONDS
if ! swift build -c "$config" --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
  >"$scratch/build.log" 2>&1; then
  tail -40 "$scratch/build.log" >&2
  echo "fuzz: FAILED: the Fuzz package doesn't build" >&2
  exit 1
fi
bin=$(swift build -c "$config" --package-path Fuzz --show-bin-path)
echo "fuzz: built ${#targets[@]} target(s) ($config) in $((SECONDS - build_start))s; ${seconds}s each"

# One target: fuzz it, then write its line (and, on a finding, what to look at) to $work/report.
fuzz_target() {
  local target=$1 work="$scratch/$1" status=0 runs cov corpus reproducer result kind
  mkdir -p "$work/corpus" "$work/artifacts"
  [[ -d Fuzz/Corpus/$target ]] && cp -R "Fuzz/Corpus/$target/." "$work/corpus/"
  # Swift's own crash backtracer would race libFuzzer's handler (and trip ASan reading the stack).
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    "$bin/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  [[ -n $runs ]] || runs=$(grep -oE '^#[0-9]+' "$work/log" | tail -1 | tr -d '#' || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -1 || true)
  corpus=$(ls "$work/corpus" | wc -l | tr -d ' ')
  reproducer=$(find "$work/artifacts" -type f | head -1)
  if [[ $status -eq 0 && -z $reproducer ]]; then
    result=ok
  else
    kind=$(grep -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+' "$work/log" | head -1 || true)
    result="FAILED (exit $status${kind:+, ${kind#ERROR: }})"
  fi
  {
    printf 'fuzz: %-20s %4ss  %10s runs  %-18s corpus %5s  %s\n' "$target" "$seconds" "${runs:-?}" "${cov:-cov: ?}" \
      "$corpus" "$result"
    if [[ $result != ok ]]; then
      grep -E 'Fatal error|Precondition failed|ERROR:|SUMMARY:|#[0-9]+ .* in .*/Sources/.*\.swift:' "$work/log" | head -8 \
        | sed 's/^/  /' || true
      echo "  log:        $work/log"
      [[ -z $reproducer ]] || echo "  reproducer: $reproducer (rerun: $bin/$target $reproducer)"
    fi
  } >"$work/report"
  [[ $result == ok ]]
}

# FUZZ_JOBS targets at a time (default: one per core; each libFuzzer process uses one).
jobs=${FUZZ_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || jobs=1
failed=0
if [[ $jobs -eq 1 ]]; then
  for target in "${targets[@]}"; do
    fuzz_target "$target" || failed=1
    cat "$scratch/$target/report"
  done
else
  running=0
  for target in "${targets[@]}"; do
    if [[ $running -ge $jobs ]]; then
      wait -n || failed=1
      running=$((running - 1))
    fi
    fuzz_target "$target" &
    running=$((running + 1))
  done
  while [[ $running -gt 0 ]]; do
    wait -n || failed=1
    running=$((running - 1))
  done
  for target in "${targets[@]}"; do cat "$scratch/$target/report"; done
fi
passed=0
for target in "${targets[@]}"; do
  if grep -q '^fuzz: .* ok$' "$scratch/$target/report"; then passed=$((passed + 1)); fi
done
if [[ $failed -ne 0 ]]; then
  keep_scratch=true
  echo "fuzz: FAILED; turn each reproducer into a regression test (Fuzz/README.md)"
fi
echo "fuzz: $passed passed, $((${#targets[@]} - passed)) failed"
exit $failed
