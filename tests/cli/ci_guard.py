"""Under CI a skipped test is a failure (issue 12, "CI that cannot pass by skipping").

Every Python test of tests/cli ends with ci_guard.main() (unittest suites) or asks
ci_guard.skip() (script-style tests) instead of skipping on its own: outside CI a test that
cannot run here (no strace, no script(1), no 'unshare -rn') is skipped and says why; with the
CI environment variable set (CI=true, as .ci/run sets it) the same skip fails the run, so a
missing package in scripts/install-deps.sh cannot turn into a green CI. Not a test itself.
"""
import os
import sys
import unittest


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip(what, why):
    """A script-style test cannot run `what` because of `why`: prints "skip ..." and returns True
    outside CI; under CI returns False, and the caller reports and counts a failure."""
    if in_ci():
        return False
    print(f"skip {what} ({why})")
    return True


def report_skips(result, stream=sys.stderr):
    """Prints each skip of a unittest result; returns True when they make the run fail (CI)."""
    for test, reason in result.skipped:
        label = "FAIL (CI is set, a skip is a failure)" if in_ci() else "skipped"
        print(f"{label}: {test}: {reason}", file=stream)
    return in_ci() and bool(result.skipped)


def run_suite(suite, verbosity=2):
    """Runs a unittest suite; the exit status fails on an error, a failure, or a skip under CI."""
    result = unittest.TextTestRunner(verbosity=verbosity).run(suite)
    failed = report_skips(result) or not result.wasSuccessful()
    return 1 if failed else 0


def main(verbosity=2):
    """unittest.main() for the module that runs it, with skips failing under CI."""
    program = unittest.main(module="__main__", verbosity=verbosity, exit=False)
    failed = report_skips(program.result) or not program.result.wasSuccessful()
    sys.exit(1 if failed else 0)
