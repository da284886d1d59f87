#!/usr/bin/env bash
# Runs `kure reproduce` (dev.kure.djl.Reproduce): called by the top-level `kure` launcher with the JDK in
# KURE_JDK, or directly (then JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64 must be JDK 25).
# Builds what it needs on first use and whenever a source file or POM is newer than the jar:
#   mvn -B -q -DskipTests install                            (the library, into the local Maven repository)
#   mvn -B -q -DskipTests -f integrations/djl/pom.xml package (target/kure-djl.jar and target/lib/)
# The build's log goes to integrations/djl/target/build.log and is shown only if the build fails.
set -euo pipefail

self="$(readlink -f "${BASH_SOURCE[0]}")"
here="$(dirname "$self")"
root="$(cd "$here/../.." && pwd)"
jdk="${KURE_JDK:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}"
if [[ ! -x "$jdk/bin/java" ]]; then
    echo "kure reproduce: no JDK at $jdk; set JAVA_HOME to a JDK 25" >&2
    exit 2
fi
jar="$here/target/kure-djl.jar"

stale() { # true when the jar is missing or older than any source or POM
    [[ ! -f "$jar" || ! -d "$here/target/lib" ]] && return 0
    [[ -n "$(find "$root/src/main" "$here/src/main" "$root/pom.xml" "$here/pom.xml" -newer "$jar" -print -quit)" ]]
}

if stale; then
    if ! command -v mvn >/dev/null 2>&1; then
        echo "kure reproduce: the DJL integration must be built and mvn is not on PATH (apt-get install -y maven)" >&2
        exit 2
    fi
    mkdir -p "$here/target"
    log="$here/target/build.log"
    echo "kure reproduce: building the library and the DJL integration (log: $log) ..." >&2
    if ! (cd "$root" && export JAVA_HOME="$jdk" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
          && mvn -B -q -DskipTests install && mvn -B -q -DskipTests -f "$here/pom.xml" package) >"$log" 2>&1; then
        cat "$log" >&2
        echo "kure reproduce: build failed (log above, also in $log)" >&2
        exit 1
    fi
fi

tty=false
if [[ -t 2 ]]; then tty=true; fi
exec "$jdk/bin/java" ${JAVA_OPTS:-} --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dai.djl.offline=true -Dkure.stderr.tty="$tty" -Dkure.command="./kure reproduce${*:+ $*}" \
    -cp "$jar:$here/target/lib/*" dev.kure.djl.Reproduce "$@" 2> >(grep --line-buffered -v '^WARNING: Using incubator modules: jdk.incubator.vector$' >&2)
