// Whether the box answered anything at all: tells a box that is off, unplugged or at another
// address from one that answers but speaks no API boxwarden knows (the unreachable message).
#pragma once

#include <atomic>

#include "net/http_client.hpp"

namespace bw {

// Passes every request on to `inner` and notes whether one got an answer from the other end:
// an HTTP response (any status), or a connection that was accepted and then spoke something
// else (a TLS port, a refused certificate). A refused connection, a timeout or no route is no
// answer.
class AnswerWatchHttpClient final : public HttpClient {
 public:
  explicit AnswerWatchHttpClient(HttpClient& inner) : m_inner(inner) {}

  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override;
  bool rehearsing() const override { return m_inner.rehearsing(); }
  bool answered() const { return m_answered.load(); }

 private:
  HttpClient& m_inner;
  std::atomic<bool> m_answered{false};
};

}  // namespace bw
