#include "net/url.hpp"

#include <strings.h>

#include <charconv>
#include <memory>

#include <curl/curl.h>

namespace bw {

namespace {

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::optional<std::string> part(CURLU* u, CURLUPart what, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, what, &text, flags) != CURLUE_OK || text == nullptr) {
    return std::nullopt;
  }
  std::string out(text);
  curl_free(text);
  return out;
}

}  // namespace

std::optional<UrlParts> parse_url(const std::string& url) {
  std::unique_ptr<CURLU, UrlFree> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;  // not absolute (no guessed scheme), or malformed
  }
  UrlParts p;
  auto scheme = part(u.get(), CURLUPART_SCHEME);
  auto host = part(u.get(), CURLUPART_HOST);
  if (!scheme || !host || host->empty() || part(u.get(), CURLUPART_USER) || part(u.get(), CURLUPART_PASSWORD)) {
    return std::nullopt;  // user info: never
  }
  if (*scheme != "http" && *scheme != "https") {
    return std::nullopt;
  }
  p.scheme = *scheme;
  p.host = *host;
  if (p.host.size() > 2 && p.host.front() == '[' && p.host.back() == ']') {
    p.host = p.host.substr(1, p.host.size() - 2);
  }
  if (auto port = part(u.get(), CURLUPART_PORT)) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), v);
    if (ec != std::errc() || end != port->data() + port->size() || v == 0 || v > 65535) {
      return std::nullopt;
    }
    p.port = static_cast<uint16_t>(v);
  }
  return p;
}

bool same_host(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.c_str(), b.c_str(), a.size()) == 0;
}

}  // namespace bw
