#!/usr/bin/env bash
# Scripted check of the `kure` launcher (issue 11), on a copy of the working tree so that the real
# target/ is untouched:
#   - it works through a symlink from another directory;
#   - the first build is quiet: one "building" line on stderr, no Maven warnings, no escape codes;
#   - a second run does not rebuild; a source file newer than the jar makes it rebuild;
#   - a failing build exits 1 and shows the end of its log.
# Usage: .ci/launcher-check.sh   (needs JDK 25 and mvn; about three builds without the CUDA fatbin)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd -P)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/repo" "$tmp/elsewhere"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tmp/repo")
chmod +x "$tmp/repo/kure"
ln -s "$tmp/repo/kure" "$tmp/elsewhere/kure-link"
cd "$tmp/elsewhere"
export KURE_MVN_ARGS="-Dkure.skipFatbin=true"
fail() { echo "launcher-check: FAIL: $*" >&2; exit 1; }

./kure-link --version >out.txt 2>err.txt || fail "first run through a symlink exited $? ($(cat err.txt))"
grep -q '^kure ' out.txt || fail "no version line: $(cat out.txt)"
[[ "$(grep -c . err.txt)" == 1 ]] && grep -q '^kure: building' err.txt \
    || fail "the first build should print exactly one 'building' line on stderr, got: $(cat err.txt)"
if grep -q $'\e' err.txt out.txt; then fail "escape codes on the terminal"; fi
if grep -qi 'warning' err.txt; then fail "Maven warnings on the terminal: $(cat err.txt)"; fi
[[ -s "$tmp/repo/target/kure-build.log" || -f "$tmp/repo/target/kure-build.log" ]] || fail "no build log"

./kure-link --version >out.txt 2>err.txt || fail "second run exited $?"
[[ ! -s err.txt ]] || fail "second run should not rebuild or print anything on stderr: $(cat err.txt)"

sleep 1
touch "$tmp/repo/src/main/java/dev/kure/cli/Main.java"
./kure-link --version >out.txt 2>err.txt || fail "run after a source change exited $?"
grep -q '^kure: building' err.txt || fail "a source newer than the jar did not trigger a rebuild"

sleep 1
echo "this is not Java" >>"$tmp/repo/src/main/java/dev/kure/cli/Main.java"
set +e
./kure-link --version >out.txt 2>err.txt
code=$?
set -e
[[ "$code" == 1 ]] || fail "a broken build should exit 1, exited $code"
grep -q 'build failed' err.txt && grep -q 'ERROR' err.txt || fail "a failed build should show its log: $(cat err.txt)"

echo "launcher-check: OK (symlink, quiet first build, no needless rebuild, rebuild on change, failure shown)"
