#include "net/recording_http_client.hpp"

namespace bw {

HttpResponse RecordingHttpClient::perform(const HttpRequest& req, const Deadline& deadline) {
  if (!m_on || !req.changes_box) {
    return m_inner.perform(req, deadline);
  }
  // The URL of a box's API carries no secret (sessions travel in headers, never recorded).
  m_recorded.push_back(req.method + " " + (req.shown_url.empty() ? req.url : req.shown_url) +
                       (req.what.empty() ? "" : " " + req.what));
  HttpResponse r;
  r.status = 200;
  r.body = req.reply_when_not_sent;
  return r;
}

void RecordingHttpClient::start() {
  m_on = true;
  m_recorded.clear();
}

std::vector<std::string> RecordingHttpClient::stop() {
  m_on = false;
  return std::move(m_recorded);
}

}  // namespace bw
