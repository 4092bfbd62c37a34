// Discovery when the --timeout deadline runs out while the plugins look at the box: the error
// says the deadline ran out and what to do, not that the box speaks no known API. The real
// plugins run against a fake HTTP client: nothing leaves the process. Time is a ManualClock
// that the fakes move on as a silent box would spend it: nothing sleeps.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "discovery/discovery.hpp"
#include "tests/fakes/loopback_only.hpp"
#include "net/answer_watch.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/manual_clock.hpp"

namespace bw {
namespace {

using namespace std::chrono_literals;

// No SSDP answer; optionally waits out the whole deadline first (a --timeout shorter than
// the SSDP wait).
class SilentSsdp : public SsdpScanner {
 public:
  SilentSsdp(test::ManualClock& clock, bool use_all_time) : m_clock(clock), m_use_all_time(use_all_time) {}
  SsdpResult search(const std::string&, std::chrono::milliseconds wait, const Deadline& deadline,
                    Multicast, const Cutoff*) override {
    if (m_use_all_time) {
      m_clock.advance(deadline.slice(wait));
    }
    return {};
  }

 private:
  test::ManualClock& m_clock;
  bool m_use_all_time;
};

enum class Box { silent, refuses, not_a_router };

// A box that never answers (every request lasts until its timeout or the deadline), one that
// refuses connections at once, or a web server that is not a router (404 everywhere).
class FakeHttp : public HttpClient {
 public:
  FakeHttp(Box box, test::ManualClock& clock) : m_box(box), m_clock(clock) {}
  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override {
    ++requests;
    switch (m_box) {
      case Box::silent:
        m_clock.advance(deadline.slice(req.timeout));
        throw Error(ErrorKind::unreachable, "fake: timed out: " + req.url);
      case Box::refuses:
        throw Error(ErrorKind::unreachable, "fake: connection refused: " + req.url);
      case Box::not_a_router:
        break;
    }
    HttpResponse r;
    r.status = 404;
    r.body = "not found";
    return r;
  }
  int requests = 0;

 private:
  Box m_box;
  test::ManualClock& m_clock;
};

class DiscoveryDeadline : public ::testing::Test {
 protected:
  test::LoopbackOnly loopback_only;  // only 127.0.0.0/8 and no multicast, whatever the fakes do

  // The message of the Error discover() throws; fails the test when it does not throw one
  // of kind unreachable.
  test::ManualClock clock;

  std::string discover_error(Box box, std::chrono::milliseconds budget, std::chrono::milliseconds timeout_said,
                             bool ssdp_uses_all_time = false) {
    FakeHttp fake(box, clock);
    AnswerWatchHttpClient http(fake);
    Deadline deadline(budget, clock);
    SessionContext ctx{http, deadline, Credentials{}};
    SilentSsdp ssdp(clock, ssdp_uses_all_time);
    DiscoveryProbes probes{ssdp, [] { return std::optional<std::string>(); },
                           [](const std::string&, std::chrono::milliseconds, const Cutoff*) {
                             return std::optional<std::string>();
                           },
                           [&http] { return http.answered(); }};
    DiscoveryOptions opts;
    opts.gateway = HostPort{"127.0.0.1", 1};
    opts.ssdp_wait = 2000ms;
    opts.timeout = timeout_said;
    try {
      discover(opts, ctx, probes);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unreachable) << e.what();
      EXPECT_GT(fake.requests, 0) << "no plugin tried the box";
      return e.what();
    }
    ADD_FAILURE() << "discover() found a box";
    return "";
  }

};

TEST_F(DiscoveryDeadline, ASilentBoxIsReportedAsATimeout) {
  std::string why = discover_error(Box::silent, 400ms, 400ms);
  EXPECT_EQ(clock.elapsed(), 400ms) << "the silent box had all of the deadline, and no more";
  EXPECT_EQ(why.find("speaks neither"), std::string::npos) << why;
  EXPECT_NE(why.find("did not answer within the 0.4 s --timeout"), std::string::npos) << why;
  EXPECT_NE(why.find("127.0.0.1"), std::string::npos) << why;
  EXPECT_NE(why.find("longer --timeout"), std::string::npos) << why;  // what to do
}

TEST_F(DiscoveryDeadline, WithoutTheTimeoutValueTheMessageStillSaysTheDeadlineRanOut) {
  std::string why = discover_error(Box::silent, 300ms, 0ms);
  EXPECT_EQ(why.find("speaks neither"), std::string::npos) << why;
  EXPECT_NE(why.find("before the --timeout deadline ran out"), std::string::npos) << why;
}

TEST_F(DiscoveryDeadline, DeadlineSpentBeforeThePluginsIsATimeoutToo) {
  // --timeout shorter than the SSDP wait: nothing is left when the plugins start.
  std::string why = discover_error(Box::refuses, 300ms, 5000ms, /*ssdp_uses_all_time=*/true);
  EXPECT_EQ(clock.elapsed(), 300ms);
  EXPECT_EQ(why.find("speaks neither"), std::string::npos) << why;
  EXPECT_NE(why.find("within the 5 s --timeout"), std::string::npos) << why;
}

TEST_F(DiscoveryDeadline, ABoxThatAnswersSomethingElseInTimeIsNotATimeout) {
  std::string why = discover_error(Box::not_a_router, 30s, 30s);
  EXPECT_NE(why.find("answers but speaks neither UPnP IGD nor a known vendor API"), std::string::npos) << why;
  EXPECT_NE(why.find("switch UPnP on"), std::string::npos) << why;
  EXPECT_EQ(why.find("--timeout"), std::string::npos) << why;
  EXPECT_EQ(clock.elapsed(), 0ms) << "boxes that answer at once spend no time";
}

// Refused everywhere, no SSDP, no NAT-PMP: nothing answered, so no UPnP hint (issue 10).
TEST_F(DiscoveryDeadline, ABoxThatAnswersNothingIsToldToBeCheckedNotToSwitchUpnpOn) {
  std::string why = discover_error(Box::refuses, 30s, 30s);
  EXPECT_NE(why.find("nothing answered at 127.0.0.1"), std::string::npos) << why;
  EXPECT_NE(why.find("switched on"), std::string::npos) << why;
  EXPECT_EQ(why.find("UPnP on"), std::string::npos) << why;
  EXPECT_EQ(clock.elapsed(), 0ms);
}

}  // namespace
}  // namespace bw
