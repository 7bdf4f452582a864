#!/usr/bin/env bash
# Fails when an import crosses a layer, or when the pure core (BerthCore, BerthOCI) does I/O.
# The table below is CONTRIBUTING.md's layering table; keep both in step.
# Usage: scripts/check-layering.sh [SOURCES_DIR]   (default: Sources next to this script)
set -euo pipefail
sources=${1:-"$(cd "$(dirname "$0")/.." && pwd)/Sources"}

declare -A allowed=(
  [BerthOCI]="Foundation Crypto"
  [BerthCore]="BerthOCI Foundation"
  [BerthProcess]="Foundation Glibc Darwin"
  [BerthGit]="BerthCore BerthOCI BerthProcess Foundation Glibc Darwin"
  [BerthBuild]="BerthCore BerthOCI BerthProcess Foundation Glibc Darwin"
  [BerthLedger]="BerthCore BerthOCI Foundation GRDB PostgresNIO Logging"
  [BerthRegistry]="BerthCore BerthOCI Foundation AsyncHTTPClient NIOCore NIOHTTP1 Logging"
  [BerthLayout]="BerthCore BerthOCI Foundation Glibc"
  [BerthConfig]="BerthCore BerthOCI Foundation Yams"
  [BerthCLI]="BerthCore BerthOCI BerthGit BerthConfig BerthRegistry BerthLayout BerthBuild BerthLedger BerthProcess ArgumentParser Foundation FoundationNetworking"
  [berth]="BerthCLI"
  [berth-bench]="BerthCore BerthLedger Foundation"
  [BerthTestSupport]="BerthCore BerthOCI BerthProcess Foundation Glibc"
)
# Calls that mean I/O, the wall clock or global state: banned in the pure core.
banned='FileManager|ProcessInfo|FileHandle|Process\(|URLSession|Date\(\)|\bprint\(|\bexit\(|getenv|fopen|DispatchQueue'

status=0
for dir in "$sources"/*/; do
  target=$(basename "$dir")
  if [[ ! -v allowed[$target] ]]; then
    echo "layering: target '$target' is not in the layering table; add it to scripts/check-layering.sh and CONTRIBUTING.md" >&2
    status=1
    continue
  fi
  while IFS= read -r hit; do
    file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; module=$(sed -E 's/^[0-9]+:[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)?import[[:space:]]+(class |struct |enum |protocol |func )?([A-Za-z_][A-Za-z0-9_]*).*/\4/' <<<"$rest")
    if [[ " ${allowed[$target]} " != *" $module "* ]]; then
      echo "layering: ${file#"$sources"/}:$line: $target may not import $module (allowed: ${allowed[$target]:-nothing})" >&2
      status=1
    fi
  # An identifier must follow `import`, so Go's `import (` in a template string isn't taken for one.
  done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)?import[[:space:]]+(class |struct |enum |protocol |func )?[A-Za-z_]' --include='*.swift' "$dir" || true)
  if [[ $target == BerthCore || $target == BerthOCI ]]; then
    while IFS= read -r hit; do
      echo "layering: ${hit#"$sources"/}: the pure core does no I/O, clock or global state; pass it in through a port or a parameter" >&2
      status=1
    done < <(grep -rnE "$banned" --include='*.swift' "$dir" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*///?' || true)
  fi
done
[[ $status -eq 0 ]] && echo "layering: ok"
exit $status
