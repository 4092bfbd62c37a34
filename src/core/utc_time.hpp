// UTC times as every document, backup and lock file writes them.
#pragma once

#include <ctime>
#include <string>

namespace bw {

// `t` in UTC with strftime's `format` ("" when it does not fit 63 characters).
std::string utc_text(std::time_t t, const char* format);
// The time now in UTC, RFC 3339 to the second: "2026-12-02T03:20:00Z".
std::string utc_now();

}  // namespace bw
