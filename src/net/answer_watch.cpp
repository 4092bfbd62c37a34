#include "net/answer_watch.hpp"

namespace bw {

HttpResponse AnswerWatchHttpClient::perform(const HttpRequest& req, const Deadline& deadline) {
  try {
    HttpResponse r = m_inner.perform(req, deadline);
    m_answered = true;
    return r;
  } catch (const HttpError& e) {
    switch (e.failure()) {
      case HttpFailure::not_http:
      case HttpFailure::untrusted:
      case HttpFailure::key_changed:
        m_answered = true;  // something accepted the connection and spoke
        break;
      case HttpFailure::refused:
      case HttpFailure::timeout:
      case HttpFailure::other:
        break;
    }
    throw;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::protocol) {
      m_answered = true;  // an answer, too long or malformed
    }
    throw;
  }
}

}  // namespace bw
