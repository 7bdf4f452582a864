#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format; --check only reports (CI uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --check ]]; then
  swift format lint --strict --recursive Sources Tests Package.swift
  echo "format: ok"
else
  swift format format --in-place --recursive Sources Tests Package.swift
fi
