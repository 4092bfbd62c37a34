#include "core/utc_time.hpp"

namespace bw {

std::string utc_text(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  return std::strftime(buf, sizeof buf, format, &tm) > 0 ? std::string(buf) : std::string();
}

std::string utc_now() {
  return utc_text(std::time(nullptr), "%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace bw
