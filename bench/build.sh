#!/usr/bin/env bash
# Builds the Kure library (installed into the local Maven repository) and the JMH benchmarks jar
# bench/target/kure-benchmarks.jar. Run from anywhere:  bench/build.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

# JDK 25 is required (the poms refuse older ones); prefer Temurin 25 where it is installed.
if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [[ -n "${JAVA_HOME:-}" ]]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi

cd "$root"
mvn -B -q -DskipTests install
mvn -B -q -f bench/pom.xml package
# the C baseline the benchmarks call through FFM (gcc -O3 -march=native)
native/build-baseline.sh "$here/target/native/libkurebaseline.so"

jar="$here/target/kure-benchmarks.jar"
echo "built $jar"
java --add-modules jdk.incubator.vector -jar "$jar" -l 2>/dev/null
