#!/usr/bin/env bash
# Runs, on a GPU machine without Java (CUDA driver >= 580, Python + PyTorch), with the kit that
# bench/gpu/prepare.sh built (.jre and target/gpu-kit carried along):
#   1. the CUDA conformance suite and the device-buffer tests (JUnit console launcher),
#   2. the Kure GPU benchmarks (dev.kure.cuda.GpuBench),
#   3. the PyTorch baselines on the same GPU (bench/gpu/torch_bench.py),
#   4. a markdown report with the issue's targets (bench/gpu/report.py).
# Results go to $OUT (when set, e.g. by the device tool) and bench/results/gpu/. About 3-5 minutes on
# an H100; each step has its own timeout so the whole run stays under 8 minutes.
# Usage: bash bench/gpu/run-gpu.sh [floats]   (default 268435456 = 256 Mi floats per streaming tensor)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
n="${1:-268435456}"
res=bench/results/gpu
out="${OUT:-$res}"
mkdir -p "$res" "$out"
kit=target/gpu-kit
java=.jre/bin/java
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
# explicit jar list: the console launcher's --class-path does not expand "lib/*" as java -cp does
cp="$(ls "$kit"/kure.jar "$kit"/kure-tests.jar "$kit"/lib/*.jar | paste -sd: -)"
[ -x "$java" ] && [ -f "$kit/kure.jar" ] || { echo "run-gpu: no kit: run bench/gpu/prepare.sh first and carry .jre and $kit"; exit 1; }
export PYTHONUNBUFFERED=1

{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv; \
  "$java" -version 2>&1; python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'; } \
  > "$out/env.txt" 2>&1
cat "$out/env.txt"

echo "== 1. GPU tests"
# (no --reports-dir: the XML reports need java.xml, which the trimmed runtime leaves out)
timeout 240 "$java" "${flags[@]}" -jar "$kit/junit-platform-console-standalone.jar" execute --class-path "$cp" \
    --select-class dev.kure.CudaConformanceTest --select-class dev.kure.cuda.CudaDeviceTest \
    --select-class dev.kure.cuda.CudaAvailabilityTest --details=tree --disable-banner --disable-ansi-colors 2>&1 | grep -v '^WARNING: Using incubator' > "$out/tests.txt"
tests_rc=${PIPESTATUS[0]}
tail -40 "$out/tests.txt"
if [ "$tests_rc" = 0 ] && ! grep -qE '\[ +0 containers aborted' "$out/tests.txt"; then
    echo "run-gpu: GPU test classes were skipped (no usable GPU?): see the reason in $out/tests.txt"
    tests_rc=3
fi
echo "tests exit status: $tests_rc"

echo "== 2. Kure GPU benchmarks"
timeout 120 "$java" "${flags[@]}" -Xmx6g -cp "$cp" dev.kure.cuda.GpuBench "$out/kure.json" "$n" 2>&1 \
    | grep -v '^WARNING: Using incubator'
bench_rc=${PIPESTATUS[0]}

echo "== 3. PyTorch baselines"
timeout 120 python3 bench/gpu/torch_bench.py "$out/torch.json" "$n"
torch_rc=$?

echo "== 4. report"
grep -E '^\[ *[0-9]+ tests (successful|failed|aborted|skipped) *\]' "$out/tests.txt" > /tmp/kure-summary.txt || true
echo "exit status $tests_rc" >> /tmp/kure-summary.txt
if [ -f "$out/kure.json" ]; then
    python3 bench/gpu/report.py "$out/kure.json" "$( [ -f "$out/torch.json" ] && echo "$out/torch.json" || echo -)" \
        "$out/results.md" /tmp/kure-summary.txt
fi
if [ "$out" != "$res" ]; then
    cp "$out"/*.json "$out"/*.md "$out"/*.txt "$res"/ 2>/dev/null
fi
echo "run-gpu: tests $tests_rc, kure bench $bench_rc, torch bench $torch_rc; results in $out and $res"
[ "$tests_rc" = 0 ] && [ "$bench_rc" = 0 ] && [ "$torch_rc" = 0 ]
