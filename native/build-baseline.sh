#!/usr/bin/env bash
# Builds the C baseline (native/baseline.c) into a shared library for the benchmarks' FFM calls.
# Usage: native/build-baseline.sh [OUTPUT]   (default: target/native/libkurebaseline.so)
# Environment: CC (default gcc), BASELINE_CFLAGS (default: -O3 -march=native).
# Without a C compiler it prints one line and exits 0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/native/libkurebaseline.so}"
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build-baseline: $cc not found; skipping the C baseline"
    exit 0
fi
mkdir -p "$(dirname "$out")"
# -ffp-contract=off: no FMA contraction, so the fake-quant baseline equals PyTorch's rounding.
# No -ffast-math: the loops stay IEEE (and the compiler may not reorder the double sums).
"$cc" ${BASELINE_CFLAGS:--O3 -march=native} -ffp-contract=off -fPIC -shared -fvisibility=hidden \
    -Wall -Wextra -Werror -std=c11 -o "$out" "$here/baseline.c" -lm
echo "build-baseline: wrote $out"
