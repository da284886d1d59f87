#!/usr/bin/env bash
# Builds and runs the host-only checks of kernels/kure_common.cuh with nvcc (no GPU needed).
# Exits 0 with a message when nvcc is absent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nvcc="${NVCC:-nvcc}"
if ! command -v "$nvcc" >/dev/null 2>&1; then
    echo "native/test: nvcc not found; skipping the host checks of the CUDA header"
    exit 0
fi
out="${1:-$root/target/native-test}"
mkdir -p "$out"
"$nvcc" -std=c++17 -O2 --fmad=false -Werror all-warnings -Xcompiler -ffp-contract=off,-Wall,-Wextra,-Werror \
    -I "$root/kernels" -o "$out/test_host" "$here/test_host.cu" -lm
"$out/test_host"
"$nvcc" -std=c++17 -O2 --fmad=false -Werror all-warnings -Xcompiler -ffp-contract=off,-Wall,-Wextra,-Werror \
    -I "$root/kernels" -o "$out/test_fp_host" "$here/test_fp_host.cu" -lm
"$out/test_fp_host"
