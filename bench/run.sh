#!/usr/bin/env bash
# Runs the JMH benchmarks jar and writes, under bench/results/:
#   <name>.json          JMH results (-rf json)
#   <name>.txt           the human-readable JMH output, ending with the summary table
#   <name>.machine.txt   the machine and JVM the numbers came from, and the load around the run
#   <name>.traffic.json  bytes per operation of every benchmark (@Traffic), for the GB/s columns
#   <name>.md, <name>.svg  the report (bench/report.py): GB/s, ratios to the baselines, plot
#
# Usage: bench/run.sh <name> [JMH arguments...]
#   bench/run.sh baseline                                   # full run, annotation defaults
#   bench/run.sh quick -f 1 -wi 2 -i 3 -w 1s -r 1s BaselineBench
#   bench/run.sh dram -f 1 -p size=268435456 BaselineBench # opt-in DRAM size (1 GiB per array)
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
name="$1"; shift

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="$here/results"
jar="$here/target/kure-benchmarks.jar"
mkdir -p "$(dirname "$results/$name")"

if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ ! -f "$jar" ]]; then
  echo "no $jar: run bench/build.sh first" >&2
  exit 1
fi

# The flags every JVM running Kure's SIMD code needs. The forked benchmark JVMs get them through
# @Fork(jvmArgsAppend = ...) in each benchmark class; the host JVM needs them to load the classes.
export KURE_BASELINE_LIB="${KURE_BASELINE_LIB:-$here/target/native/libkurebaseline.so}"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)

machine="$results/$name.machine.txt"
{
  echo "# Machine and JVM for results/$name.*"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host kernel: $(uname -srm)"
  echo "cpu model: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "cpus online: $(nproc)"
  lscpu | grep -E '^(Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)|L1d cache|L2 cache|L3 cache|Hypervisor vendor):' \
    | sed -E 's/: +/: /'
  for idx in /sys/devices/system/cpu/cpu0/cache/index*; do
    [[ -r "$idx/size" ]] || continue
    echo "cache cpu0 L$(cat "$idx/level") $(cat "$idx/type"): $(cat "$idx/size") (shared with cpus $(cat "$idx/shared_cpu_list"))"
  done
  echo "avx512f: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "jvm: $("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.name = //p') $("$java" -version 2>&1 | head -1)"
  echo "jvm flags: ${flags[*]} (forks: see @Fork jvmArgsAppend in each benchmark class)"
  echo "vector species: $("$java" "${flags[@]}" -cp "$jar" dev.kure.bench.Species 2>/dev/null || echo '?')"
  echo "jmh args: $*"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "note: this machine is shared with other engineers compiling on the same cores;"
  echo "      read every score with its error column, and compare only within one run."
} > "$machine"

"$java" "${flags[@]}" -cp "$jar" dev.kure.bench.TrafficTable "$results/$name.traffic.json" 2>/dev/null

set +e
"$java" "${flags[@]}" -jar "$jar" "$@" -rf json -rff "$results/$name.json" 2>&1 | tee "$results/$name.txt"
status=${PIPESTATUS[0]}
set -e
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$machine"
if [[ $status -ne 0 ]]; then
  echo "JMH exited with status $status" >&2
  exit "$status"
fi

python3 "$here/report.py" "$results/$name.json"
