// --dry-run runs the very code of a change: a plugin's apply() goes through this client,
// which sends what reads the box and writes down, without sending it, every request marked
// HttpRequest::changes_box, answering it as the box answers a change that works. So the
// requests a dry run shows are the ones a real run would send, and cannot drift from them.
#pragma once

#include <string>
#include <vector>

#include "net/http_client.hpp"

namespace bw {

class RecordingHttpClient final : public HttpClient {
 public:
  explicit RecordingHttpClient(HttpClient& inner) : m_inner(inner) {}

  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override;
  bool rehearsing() const override { return m_on; }

  // From start() to stop(), changes are written down instead of sent; stop() returns them
  // ("METHOD URL what"), in order.
  void start();
  std::vector<std::string> stop();

 private:
  HttpClient& m_inner;
  bool m_on = false;
  std::vector<std::string> m_recorded;
};

}  // namespace bw
