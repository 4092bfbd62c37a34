// HttpClient: the only way plugins talk HTTP. Bodies are capped and every request ends
// by the deadline; a real implementation uses libcurl, tests use a fake.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bw {

class Deadline;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  size_t max_response_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000};  // per request, also bounded by the deadline
  bool use_netrc = false;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::string> headers;  // raw "Name: value" lines of the final response
  std::string header(const std::string& name) const;  // first match, case-insensitive
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Throws Error(unreachable) on connection failure or timeout, Error(protocol) when the
  // body exceeds max_response_bytes.
  virtual HttpResponse perform(const HttpRequest& req, const Deadline& deadline) = 0;
};

std::unique_ptr<HttpClient> make_curl_http_client();

}  // namespace bw
