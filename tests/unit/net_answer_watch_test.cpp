// net/answer_watch.hpp: which failures of a request count as an answer from the box (the
// unreachable message tells "nothing answered" from "answers, no API we know" with it).
#include <chrono>
#include <optional>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "net/answer_watch.hpp"

namespace bw {
namespace {

// Fails every request with `failure` (or answers 404 without one).
class Failing : public HttpClient {
 public:
  explicit Failing(std::optional<HttpFailure> failure) : m_failure(failure) {}
  HttpResponse perform(const HttpRequest&, const Deadline&) override {
    if (m_failure) {
      throw HttpError(*m_failure, "fake");
    }
    HttpResponse r;
    r.status = 404;
    return r;
  }

 private:
  std::optional<HttpFailure> m_failure;
};

TEST(AnswerWatch, OnlyAnAnswerFromTheOtherEndCounts) {
  Deadline deadline(std::chrono::seconds(5));
  auto answered = [&](std::optional<HttpFailure> f) {
    Failing inner(f);
    AnswerWatchHttpClient watch(inner);
    try {
      watch.perform(HttpRequest{}, deadline);
    } catch (const HttpError&) {
    }
    return watch.answered();
  };
  EXPECT_TRUE(answered(std::nullopt));
  EXPECT_TRUE(answered(HttpFailure::not_http));
  EXPECT_TRUE(answered(HttpFailure::untrusted));
  EXPECT_FALSE(answered(HttpFailure::refused));
  EXPECT_FALSE(answered(HttpFailure::timeout));
  EXPECT_FALSE(answered(HttpFailure::other));
}

}  // namespace
}  // namespace bw
