// The Livebox plugin's transport (livebox.md 2.1): plain HTTP first; HTTPS with trust on first
// use when plain HTTP is refused, gets no answer, or is redirected to https:// on the box's own
// address; never a redirect elsewhere, never the password over plain HTTP after that.
#include <chrono>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/recording_http_client.hpp"
#include "vendors/livebox/livebox.hpp"
#include "vendors_livebox_fake_http.hpp"

namespace bw {
namespace {

using livebox_test::FakeLivebox;

// The box: https:// requests reach the fake Livebox; plain http:// ones get `plain`.
class Transport : public HttpClient {
 public:
  enum class Plain { serve, refuse, no_http, timeout, redirect };
  Plain plain = Plain::serve;
  std::string location;
  FakeLivebox box;
  std::vector<HttpRequest> seen;

  HttpResponse perform(const HttpRequest& req, const Deadline& d) override {
    seen.push_back(req);
    if (req.url.rfind("http://", 0) == 0) {
      switch (plain) {
        case Plain::serve:
          break;
        case Plain::refuse:
          throw HttpError(HttpFailure::refused, "cannot reach: Couldn't connect to server");
        case Plain::no_http:
          throw HttpError(HttpFailure::not_http, "cannot reach: Empty reply from server");
        case Plain::timeout:
          throw HttpError(HttpFailure::timeout, "no complete answer in time");
        case Plain::redirect: {
          HttpResponse r;
          r.status = 301;
          r.headers = {"Location: " + location};
          return r;
        }
      }
    } else if (req.tls.trust != TlsTrust::first_use) {
      ADD_FAILURE() << "https without pinning: " << req.url;
    }
    return box.perform(req, d);
  }

  bool any_plain_request_has_password() const {
    for (const auto& r : seen) {
      if (r.url.rfind("http://", 0) == 0 && r.body.find("createContext") != std::string::npos) {
        return true;
      }
    }
    return false;
  }
};

class LiveboxTls : public ::testing::Test {
 protected:
  Transport net;
  RecordingHttpClient rec{net};
  Deadline deadline{std::chrono::seconds(30)};

  std::unique_ptr<Session> open(uint16_t port = 0) {
    Credentials c;
    c.password = Secret(net.box.password);
    c.use_netrc = false;
    SessionContext ctx{rec, deadline, c};
    return livebox_plugin().open(Target{"192.168.1.1", port, ""}, ctx);
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> u;
    for (const auto& r : net.seen) {
      u.push_back(r.url);
    }
    return u;
  }
};

TEST_F(LiveboxTls, PlainHttpThatAnswersStaysPlain) {
  open()->read_state();
  for (const auto& u : urls()) {
    EXPECT_EQ(u, "http://192.168.1.1/ws");
  }
}

TEST_F(LiveboxTls, RefusedPlainHttpMovesToHttps443) {
  net.plain = Transport::Plain::refuse;
  open()->read_state();
  EXPECT_EQ(urls()[0], "http://192.168.1.1/ws");
  for (size_t i = 1; i < urls().size(); ++i) {
    EXPECT_EQ(urls()[i], "https://192.168.1.1/ws");
  }
  EXPECT_FALSE(net.any_plain_request_has_password());
}

TEST_F(LiveboxTls, NamedPortThatIsNotHttpIsTriedWithTls) {
  net.plain = Transport::Plain::no_http;
  open(8443)->read_state();
  EXPECT_EQ(urls()[0], "http://192.168.1.1:8443/ws");
  EXPECT_EQ(urls().back(), "https://192.168.1.1:8443/ws");
  EXPECT_FALSE(net.any_plain_request_has_password());
}

TEST_F(LiveboxTls, RedirectToTheBoxOwnHttpsIsFollowed) {
  net.plain = Transport::Plain::redirect;
  net.location = "https://192.168.1.1:8443/ws";
  auto s = open();
  s->read_state();
  EXPECT_EQ(urls()[1], "https://192.168.1.1:8443/ws");
  EXPECT_EQ(urls().back(), "https://192.168.1.1:8443/ws");
  EXPECT_FALSE(net.any_plain_request_has_password());
  Change a;
  a.kind = ChangeKind::disable_dmz;
  rec.start();
  s->apply(a);
  for (const auto& line : rec.stop()) {
    EXPECT_EQ(line.rfind("POST https://192.168.1.1:8443/ws ", 0), 0u) << line;
  }
}

TEST_F(LiveboxTls, RedirectOffTheGatewayIsNeverFollowed) {
  for (const char* where : {"https://evil.example/ws", "https://192.168.1.2/ws", "http://192.168.1.1:8080/ws",
                            "https://admin@192.168.1.1/ws", "/ws", ""}) {
    net.seen.clear();
    net.plain = Transport::Plain::redirect;
    net.location = where;
    try {
      open();
      FAIL() << "followed " << where;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unsupported) << where;
      EXPECT_NE(std::string(e.what()).find("never elsewhere"), std::string::npos) << e.what();
    }
    EXPECT_EQ(net.seen.size(), 1u) << where;  // nothing sent anywhere else
  }
}

TEST_F(LiveboxTls, TimeoutIsNotARefusal) {
  net.plain = Transport::Plain::timeout;
  EXPECT_THROW(open(), HttpError);
  EXPECT_EQ(net.seen.size(), 1u);
}

TEST_F(LiveboxTls, NeitherHttpNorHttpsSaysBoth) {
  class Nothing : public HttpClient {
   public:
    HttpResponse perform(const HttpRequest& req, const Deadline&) override {
      throw HttpError(HttpFailure::refused, "cannot reach " + req.url + ": Couldn't connect to server");
    }
  } nothing;
  Credentials c;
  SessionContext ctx{nothing, deadline, c};
  try {
    livebox_plugin().open(Target{"192.168.1.1", 0, ""}, ctx);
    FAIL();
  } catch (const HttpError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("http://192.168.1.1/ws"), std::string::npos) << m;
    EXPECT_NE(m.find("https://192.168.1.1/ws"), std::string::npos) << m;
    EXPECT_EQ(exit_code_for(e.kind()), ExitCode::unreachable);
  }
}

TEST_F(LiveboxTls, ChangedKeyIsNotHiddenAsNoLivebox) {
  class Changed : public HttpClient {
   public:
    HttpResponse perform(const HttpRequest& req, const Deadline&) override {
      if (req.url.rfind("http://", 0) == 0) {
        throw HttpError(HttpFailure::refused, "refused");
      }
      throw HttpError(HttpFailure::key_changed, "the box at 192.168.1.1:443 shows another certificate key");
    }
  } changed;
  Credentials c;
  SessionContext ctx{changed, deadline, c};
  EXPECT_THROW(livebox_plugin().matches(Target{"192.168.1.1", 0, ""}, ctx), HttpError);
}

}  // namespace
}  // namespace bw
