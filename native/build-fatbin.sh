#!/usr/bin/env bash
# Compiles kernels/ into ONE fatbin (SASS for every supported architecture from sm_80 up, plus PTX
# for forward compatibility). Usage:
#   native/build-fatbin.sh [OUTPUT]     (default: target/generated-resources/dev/kure/cuda/kure.fatbin)
# Environment: NVCC (default: nvcc on PATH), KURE_WERROR=1 turns warnings into errors,
# KURE_FATBIN_FORCE=1 rebuilds even when the output is newer than the sources.
# Without nvcc it prints one line and exits 0 having written nothing, so the Maven build passes on
# machines without the CUDA toolkit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/generated-resources/dev/kure/cuda/kure.fatbin}"
nvcc="${NVCC:-nvcc}"

if ! command -v "$nvcc" >/dev/null 2>&1; then
    echo "build-fatbin: nvcc not found; skipping the CUDA fatbin (the GPU backend will report it missing)"
    exit 0
fi

# Up to date: the output is newer than every kernel source and this script (a full build takes about
# 20 s of CPU for the 12 targets; KURE_FATBIN_FORCE=1 rebuilds anyway).
if [ -s "$out" ] && [ "${KURE_FATBIN_FORCE:-0}" != "1" ] \
   && [ -z "$(find "$root/kernels" "$here/build-fatbin.sh" -newer "$out" -type f 2>/dev/null | head -1)" ]; then
    echo "build-fatbin: $out is up to date"
    exit 0
fi

# Wanted SASS targets: Ampere, Ada, Hopper, Blackwell (data centre, Thor, consumer/DGX Spark).
wanted_sass=(80 86 87 89 90 100 103 110 120 121)
have_codes="$("$nvcc" --list-gpu-code 2>/dev/null || true)"
have_archs="$("$nvcc" --list-gpu-arch 2>/dev/null || true)"

gencode=()
sass_list=()
for a in "${wanted_sass[@]}"; do
    if grep -qx "sm_$a" <<<"$have_codes"; then
        gencode+=("-gencode=arch=compute_$a,code=sm_$a")
        sass_list+=("sm_$a")
    fi
done
if [ ${#sass_list[@]} -eq 0 ]; then
    echo "build-fatbin: $nvcc supports none of sm_${wanted_sass[*]}; cannot build" >&2
    exit 1
fi
# PTX: the oldest wanted virtual arch (JIT on any cc >= 8.0 without matching SASS) and the newest one
# nvcc knows (forward compatibility with architectures after it).
newest_ptx="$(grep -o 'compute_[0-9]*' <<<"$have_archs" | sed 's/compute_//' | sort -n | tail -1)"
ptx_list=("compute_80")
gencode+=("-gencode=arch=compute_80,code=compute_80")
if [ -n "$newest_ptx" ] && [ "$newest_ptx" != "80" ]; then
    gencode+=("-gencode=arch=compute_${newest_ptx},code=compute_${newest_ptx}")
    ptx_list+=("compute_${newest_ptx}")
fi

werror=()
if [ "${KURE_WERROR:-0}" = "1" ]; then werror=(-Werror all-warnings); fi

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# --fmad=false: no a*b+c contraction (bit parity with the CPU backends; the kernels also use
# __fmul_rn/__fadd_rn explicitly). IEEE float: no flush-to-zero, correctly rounded div and sqrt.
"$nvcc" -fatbin -std=c++17 -O3 --fmad=false -ftz=false -prec-div=true -prec-sqrt=true \
    "${werror[@]}" "${gencode[@]}" -I "$root/kernels" -o "$tmp" "$root/kernels/kure_all.cu"
mv "$tmp" "$out"
trap - EXIT
echo "build-fatbin: wrote $out ($(stat -c %s "$out") bytes; SASS ${sass_list[*]}; PTX ${ptx_list[*]}; $("$nvcc" --version | tail -1))"
