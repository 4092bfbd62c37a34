// A unit test that cannot run here (a missing command, no root) skips outside CI and fails
// under CI (the CI environment variable set, as .ci/run sets it): a package missing from
// scripts/install-deps.sh cannot turn into a green CI (issue 12). Use instead of GTEST_SKIP.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace bw::test {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) {
    return false;
  }
  std::string_view v(ci);
  return !(v.empty() || v == "0" || v == "false" || v == "no");
}

}  // namespace bw::test

// Returns from the test: a skip with `reason`, or under CI a failure that says why.
#define BW_SKIP_OR_FAIL_IN_CI(reason)                                                  \
  do {                                                                                 \
    if (::bw::test::in_ci()) {                                                         \
      FAIL() << "CI is set, so this is a failure, not a skip: " << (reason);           \
    }                                                                                  \
    GTEST_SKIP() << (reason);                                                          \
  } while (0)
