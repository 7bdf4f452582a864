#!/usr/bin/env bash
# Fails when an import crosses a layer, when the pure core (BerthCore, BerthOCI) does I/O, or when the
# CLI (BerthCLI) writes to a store, the ledger or git itself instead of through a core lifecycle service.
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
  [BerthRegistry]="BerthCore BerthOCI Foundation AsyncHTTPClient NIOCore NIOHTTP1 NIOSSL Logging"
  [BerthLayout]="BerthCore BerthOCI Foundation Glibc"
  [BerthConfig]="BerthCore BerthOCI Foundation Yams TOMLKit"
  [BerthMetrics]="BerthCore BerthOCI Foundation AsyncHTTPClient NIOCore NIOHTTP1"
  [BerthDeploy]="BerthCore BerthOCI BerthProcess Foundation Glibc Darwin AsyncHTTPClient NIOCore NIOHTTP1 Logging"
  [BerthTraffic]="BerthCore BerthOCI BerthProcess Foundation Glibc Darwin"
  [BerthServer]="BerthCore BerthOCI Foundation Hummingbird HTTPTypes Logging Crypto"
  [BerthTrust]="BerthCore BerthOCI Foundation Crypto _CryptoExtras"
  [BerthCLI]="BerthCore BerthOCI BerthGit BerthConfig BerthRegistry BerthLayout BerthBuild BerthLedger BerthDeploy BerthTraffic BerthMetrics BerthTrust BerthServer ArgumentParser Foundation"
  [berth]="BerthCLI"
  [berth-bench]="BerthCore BerthLedger Foundation"
  [berth-traffic-bench]="BerthCore BerthTraffic Foundation Glibc"
  [BerthTestSupport]="BerthCore BerthOCI BerthProcess Foundation Glibc Testing"
)
# Calls that mean I/O, the wall clock or global state: banned in the pure core.
banned='FileManager|ProcessInfo|FileHandle|Process\(|URLSession|Date\(\)|\bDate\.now\b|Data\(contentsOf:|String\(contentsOfFile:|\bprint\(|\bexit\(|getenv|fopen|DispatchQueue'
# Store, ledger and git writes: the CLI leaves them to the core's lifecycle services. Only the ledger's
# forms of `append` are named, since `.append(` is also the array method.
cli_writes='\.(pushManifest|pushBlob|deleteTag|deleteManifest|createAnnotatedTag|pushTag)\(|[[:alnum:]_]*[Ll]edger\.append\(|\.append\([[:space:]]*(all:|LedgerEvent\()|\.commit\([[:space:]]*files:'
# Whole-line `//` and `///` comments are exempt from both lists.
comment='^[^:]+:[0-9]+:[[:space:]]*///?'

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
    done < <(grep -rnE "$banned" --include='*.swift' "$dir" | grep -vE "$comment" || true)
  fi
  if [[ $target == BerthCLI ]]; then
    while IFS= read -r hit; do
      file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; code=${rest#*:}
      # Name each write on the line: pushManifest, ledger.append, append(all:), append(LedgerEvent(...)), commit(files:).
      calls=$(grep -oE "$cli_writes" <<<"$code" | sed -E 's/[[:space:]]+//g; s/^\.//; s/LedgerEvent\($/LedgerEvent(...))/; s/\($//; s/:$/:)/' | paste -sd, - | sed 's/,/, /g')
      echo "layering: ${file#"$sources"/}:$line: BerthCLI calls a store/ledger/git write ($calls); call a core lifecycle service instead" >&2
      status=1
    done < <(grep -rnE "$cli_writes" --include='*.swift' "$dir" | grep -vE "$comment" || true)
  fi
done
[[ $status -eq 0 ]] && echo "layering: ok"
exit $status
