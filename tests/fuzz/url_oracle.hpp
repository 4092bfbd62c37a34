// The SSRF oracle shared by the fuzz targets: whenever boxwarden's own check
// (location_on_host) accepts a URL as "on the gateway", libcurl, which will fetch it, must
// parse it to scheme http, that very host and a port in 1..65535. A mismatch means a
// hostile LOCATION or controlURL could aim our requests elsewhere.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include <curl/curl.h>

namespace bw::fuzz {

inline void check_on_host(const std::string& url, const std::string& host) {
  CURLU* u = curl_url();
  // The flags libcurl itself uses for CURLOPT_URL are a subset of these.
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc == CURLUE_OK) {
    char* scheme = nullptr;
    char* got_host = nullptr;
    char* port = nullptr;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &got_host, 0);
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    long p = port ? std::strtol(port, nullptr, 10) : -1;
    bool ok = scheme && std::string(scheme) == "http" && got_host && host == got_host && p >= 1 && p <= 65535;
    if (!ok) {
      std::fprintf(stderr, "URL accepted as on %s but libcurl reads scheme=%s host=%s port=%s: %s\n",
                   host.c_str(), scheme ? scheme : "-", got_host ? got_host : "-", port ? port : "-",
                   url.c_str());
      std::abort();
    }
    curl_free(scheme);
    curl_free(got_host);
    curl_free(port);
  }
  curl_url_cleanup(u);
}

}  // namespace bw::fuzz
