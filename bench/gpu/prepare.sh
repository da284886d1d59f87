#!/usr/bin/env bash
# Prepares, on a machine WITH a JDK 25 and Maven (this one), everything bench/gpu/run-gpu.sh needs on a
# GPU machine that has CUDA, Python and PyTorch but no Java and no network:
#   .jre/                  trimmed Java 25 runtime (../shared/tools/device-jre.sh), git-ignored
#   target/gpu-kit/        kure.jar (with the fatbin), kure-tests.jar (GPU tests + GpuBench), lib/ (JCuda
#                          and its natives, trimmed to the driver binding), the JUnit console launcher
# Then dry-runs the kit here: the trimmed JRE starts, GpuBench prints the probe's "no GPU" reason and
# exits 2, and the console launcher runs the GPU test classes (skipped here, with the reason).
# Usage: bench/gpu/prepare.sh [--no-build]      (run from anywhere; needs nvcc for the fatbin)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
kit=target/gpu-kit

if [ "${1:-}" != "--no-build" ]; then
    command -v nvcc >/dev/null || { echo "prepare: nvcc is needed to build the fatbin the kit ships" >&2; exit 1; }
    mvn -B -q package -DskipTests
fi
jar="$(ls target/kure-*.jar | grep -v -e sources -e javadoc | head -1)"
unzip -l "$jar" | grep -q 'dev/kure/cuda/kure.fatbin' || { echo "prepare: $jar has no fatbin" >&2; exit 1; }

rm -rf "$kit"
mkdir -p "$kit/lib"
cp "$jar" "$kit/kure.jar"
"$JAVA_HOME/bin/jar" --create --file "$kit/kure-tests.jar" -C target/test-classes .
mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DexcludeGroupIds=org.junit.jupiter,org.junit.platform \
    -DoutputDirectory="$kit/lib"
junit="$(sed -n "s:.*<junit.version>\(.*\)</junit.version>.*:\1:p" pom.xml)"
platform="1.${junit#5.}"
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
    -DoutputDirectory="$kit"
mv "$kit"/junit-platform-console-standalone-*.jar "$kit/junit-platform-console-standalone.jar"
# JCuda's natives jar carries NVRTC, nvPTXCompiler and runtime bindings (26 MB unpacked); the backend
# uses the driver API only, so keep libJCudaDriver alone.
python3 - "$kit"/lib/jcuda-natives-*.jar <<'PY'
import sys, zipfile, os
src = sys.argv[1]; tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for e in zi.infolist():
        if e.filename.startswith("lib/") and "JCudaDriver" not in e.filename and not e.filename.endswith("/"):
            continue
        zo.writestr(e, zi.read(e.filename))
os.replace(tmp, src)
PY

if [ ! -x .jre/bin/java ] || ! .jre/bin/java --list-modules 2>/dev/null | grep -q jdk.incubator.vector; then
    ../shared/tools/device-jre.sh .jre
fi
grep -qx '.jre/' .gitignore || echo ".jre/ must be git-ignored" >&2

echo "kit sizes:"; du -sh .jre "$kit" "$kit"/* "$kit"/lib/* | sed 's/^/  /'
total=$(du -sck .jre "$kit" | tail -1 | cut -f1)
echo "  carried in all: $((total / 1024)) MiB (limit 64 MiB, the working tree counts too: $(git ls-files -z | du -ch --files0-from=- 2>/dev/null | tail -1 | cut -f1))"
[ "$total" -lt $((60 * 1024)) ] || { echo "prepare: the kit is too big to carry" >&2; exit 1; }

echo "dry run with the trimmed JRE:"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
# explicit jar list: the console launcher's --class-path does not expand "lib/*" as java -cp does
cp="$(ls "$kit"/kure.jar "$kit"/kure-tests.jar "$kit"/lib/*.jar | paste -sd: -)"
set +e
.jre/bin/java "${flags[@]}" -cp "$cp" dev.kure.cuda.GpuBench /tmp/kure-gpubench-dryrun.json 2>&1 | grep -v '^WARNING: Using incubator'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 2 ] || { echo "prepare: GpuBench should exit 2 without a GPU, exited $rc" >&2; exit 1; }
echo "  GpuBench exited 2 with the reason above (expected without a GPU)"
.jre/bin/java "${flags[@]}" -jar "$kit/junit-platform-console-standalone.jar" execute --class-path "$cp" \
    --select-class dev.kure.CudaConformanceTest --select-class dev.kure.cuda.CudaDeviceTest \
    --select-class dev.kure.cuda.CudaAvailabilityTest --details=summary --disable-banner 2>&1 \
    | grep -v '^WARNING: Using incubator' | tail -25
python3 -m py_compile bench/gpu/torch_bench.py bench/gpu/report.py && rm -rf bench/gpu/__pycache__
echo "prepare: ready. On the GPU machine: bash bench/gpu/run-gpu.sh   (carry .jre and $kit)"
