#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/sanitize.sh [CTEST ARGS...]      e.g. scripts/sanitize.sh -L unit
#
# Configures build-asan/ (override with BUILD_DIR) with -DBOXWARDEN_SANITIZE=ON and
# -DBOXWARDEN_FUZZ=ON (so the fuzz seeds and past crash inputs are replayed too), builds it,
# and runs ctest there: unit, cli, fuzz replays and, as root, the lab tests. Any ASan report
# (memory error or leak) or UBSan report aborts the process under test, which fails its test.
# Installs what it needs first (scripts/install-deps.sh). Environment: JOBS (build and ctest
# jobs, default nproc), BUILD_DIR. Exit status: ctest's (0 when everything passed), 2 when the
# build failed. .ci/run runs it after scripts/test.sh.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
bash "$src/scripts/install-deps.sh"
build=${BUILD_DIR:-$src/build-asan}
jobs=${JOBS:-$(nproc)}

echo "== configuring and building $build (ASan + UBSan)"
t0=$SECONDS
mkdir -p "$build"
if ! { cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON -DBOXWARDEN_SANITIZE=ON \
        -DBOXWARDEN_FUZZ=ON >"$build/configure.log" 2>&1 &&
       cmake --build "$build" -j "$jobs" >"$build/build.log" 2>&1; }; then
    tail -n 40 "$build/configure.log" "$build/build.log" 2>/dev/null >&2
    echo "sanitize.sh: the build failed (logs: $build/configure.log, $build/build.log)" >&2
    exit 2
fi
echo "   built in $((SECONDS - t0)) s"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Tests that measure memory or time allow for the sanitizers' overhead (tests/lab/hostile_suite.py).
export BOXWARDEN_SANITIZED=1

echo "== ctest under ASan + UBSan"
t0=$SECONDS
cd "$build"
set +e
bash "$src/scripts/ctest-ci.sh" --output-on-failure -j "$jobs" "$@"
rc=$?
set -e
echo "   ctest took $((SECONDS - t0)) s (exit $rc)"
exit $rc
