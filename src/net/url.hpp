// URLs through libcurl's URL API (CURLU): the one parser for every plugin, the same one the
// transfers use, so that what is checked is what is fetched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bw {

struct UrlParts {
  std::string scheme;  // lower case: "http", "https"
  std::string host;    // without brackets for IPv6 literals
  uint16_t port = 0;   // 0 when the URL names none
};

// nullopt for anything but an absolute http(s) URL, and for one that carries user info.
std::optional<UrlParts> parse_url(const std::string& url);

// Case-insensitive host comparison (DNS names and IP literals).
bool same_host(const std::string& a, const std::string& b);

}  // namespace bw
