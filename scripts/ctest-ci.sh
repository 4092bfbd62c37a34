#!/usr/bin/env bash
# Runs ctest with the given arguments (in the current directory, a build tree) and keeps its exit
# status; under CI (the CI environment variable set, as .ci/run sets it) a test that did not run
# is a failure as well: skipped (exit 77, GTEST_SKIP, a unittest skip), "Not Run" (a missing
# binary) or disabled. The tests fail on their own skips under CI already (tests/cli/ci_guard.py,
# tests/unit/skip_or_fail.hpp, tests/lab/lib.sh); this is the second lock, so that a new test
# that skips in its own way cannot make CI green without running (issue 12). Used by
# scripts/test.sh and scripts/sanitize.sh.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [[ -n ${CI:-} ]]; then
    # ctest lists every test that did not run under this heading, one per line, tab-indented.
    not_run=$(sed -n '/^The following tests did not run:/,/^[^[:space:]]/p' "$log" | grep -P '^\t' || true)
    if [[ -n $not_run ]]; then
        printf '\nctest-ci: CI is set, and these tests did not run (a skip is a failure):\n%s\n' "$not_run" >&2
        ((rc != 0)) || rc=1
    fi
    if grep -q '^No tests were found' "$log" || ! grep -q 'tests passed, .* tests failed out of [1-9]' "$log"; then
        echo "ctest-ci: CI is set, and ctest ran no test (or printed no summary)" >&2
        ((rc != 0)) || rc=1
    fi
fi
exit "$rc"
