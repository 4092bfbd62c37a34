// The FRITZ!Box plugin's session against a scripted fake HttpClient (no network): the user from
// the box's user list, digest credentials on every authenticated call and never in a URL or a
// header of ours, a 401 after the digest and a 606 as rights errors (exit 4) naming where
// FRITZ!OS grants the right, a second-factor fault, and the description's fingerprint.
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "vendors/fritzbox/fritzbox.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

std::string fritz_fixture(const std::string& name) {
  std::ifstream in(fs::path(BOXWARDEN_FIXTURES) / "fritzbox" / name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fritz_reply(const std::string& action, const std::string& values) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:" + action +
         "Response xmlns:u=\"urn:dslforum-org:service:X:1\">" + values + "</u:" + action +
         "Response></s:Body></s:Envelope>";
}

std::string fritz_fault(int code) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><detail>"
         "<UPnPError xmlns=\"urn:dslforum-org:control-1-0\"><errorCode>" +
         std::to_string(code) + "</errorCode><errorDescription>x</errorDescription></UPnPError></detail>"
                                "</s:Fault></s:Body></s:Envelope>";
}

// Answers by SOAP action (the SOAPAction header's part after '#'); records every request.
class FakeFritz : public HttpClient {
 public:
  std::function<HttpResponse(const std::string& action, const HttpRequest&)> on_action;
  std::vector<HttpRequest> seen;

  HttpResponse perform(const HttpRequest& req, const Deadline&) override {
    seen.push_back(req);
    HttpResponse r;
    if (req.method == "GET") {
      r.status = req.url.ends_with("/tr64desc.xml") ? 200 : 404;
      r.body = r.status == 200 ? fritz_fixture("tr64desc.xml") : "";
      return r;
    }
    std::string action;
    for (const std::string& h : req.headers) {
      if (h.rfind("SOAPAction: ", 0) == 0) {
        action = h.substr(h.find('#') + 1);
        action.pop_back();  // the closing quote
      }
    }
    if (action == "GetSecurityPort") {
      return {500, fritz_fault(401), {}, {}};
    }
    if (action == "X_AVM-DE_GetUserList") {
      return {200, fritz_reply(action, "<NewX_AVM-DE_UserList>&lt;List&gt;&lt;Username last_user=\"1\"&gt;boxadmin"
                                       "&lt;/Username&gt;&lt;/List&gt;</NewX_AVM-DE_UserList>"),
              {}, {}};
    }
    return on_action(action, req);
  }
};

struct FritzRun {
  FakeFritz http;
  Deadline deadline{std::chrono::seconds(30)};
  Credentials creds;
  std::vector<std::string> told;

  std::unique_ptr<Session> open() {
    creds.password = Secret("pw-ä\"1");
    creds.use_netrc = false;
    SessionContext ctx(http, deadline, creds);
    ctx.tell = [this](const std::string& s) { told.push_back(s); };
    Target t;
    t.address = "192.168.178.1";
    EXPECT_TRUE(fritzbox_plugin().matches(t, ctx));
    return fritzbox_plugin().open(t, ctx);
  }
};

TEST(FritzboxSession, UserFromTheBoxAndDigestOnEveryAuthenticatedCall) {
  FritzRun run;
  run.http.on_action = [](const std::string& action, const HttpRequest&) -> HttpResponse {
    if (action == "GetDefaultConnectionService") {
      return {200, fritz_reply(action, "<NewDefaultConnectionService>1.WANIPConnection.1</NewDefaultConnectionService>"),
              {}, {}};
    }
    if (action == "GetPortMappingNumberOfEntries") {
      return {200, fritz_reply(action, "<NewPortMappingNumberOfEntries>1</NewPortMappingNumberOfEntries>"), {}, {}};
    }
    if (action == "GetGenericPortMappingEntry") {
      return {200, fritz_reply(action, "<NewRemoteHost></NewRemoteHost><NewExternalPort>3389</NewExternalPort>"
                                       "<NewProtocol>TCP</NewProtocol><NewInternalPort>3389</NewInternalPort>"
                                       "<NewInternalClient>192.168.178.20</NewInternalClient><NewEnabled>1</NewEnabled>"
                                       "<NewPortMappingDescription>RDP</NewPortMappingDescription>"
                                       "<NewLeaseDuration>0</NewLeaseDuration>"),
              {}, {}};
    }
    if (action == "GetInfo") {
      return {200, fritz_reply(action, "<NewEnable>0</NewEnable><NewEnabled>1</NewEnabled><NewPort>4443</NewPort>"), {}, {}};
    }
    return {500, fritz_fault(401), {}, {}};
  };
  auto s = run.open();
  RouterState st = s->read_state();
  EXPECT_EQ(st.vendor, "fritzbox");
  EXPECT_EQ(st.model, "FRITZ!Box 7590");  // from tr64desc (DeviceInfo answered nothing usable)
  ASSERT_EQ(st.port_forwards.size(), 1u);
  EXPECT_EQ(st.port_forwards[0].external_port, 3389);
  EXPECT_EQ(st.remote_admin_enabled, true);
  EXPECT_EQ(st.upnp_igd_enabled, false);
  EXPECT_FALSE(st.dmz);  // not in TR-064: unknown
  EXPECT_TRUE(st.static_forwards_known);
  EXPECT_EQ(run.told.size(), 1u);  // the plain HTTP warning
  int authenticated = 0;
  for (const HttpRequest& r : run.http.seen) {
    EXPECT_EQ(r.url.find("pw-"), std::string::npos);
    for (const std::string& h : r.headers) {
      EXPECT_EQ(h.find("pw-"), std::string::npos) << h;
    }
    if (!r.digest_user.empty()) {
      ++authenticated;
      EXPECT_EQ(r.digest_user, "boxadmin");  // the box's last user: no --user given
      EXPECT_EQ(r.digest_password.reveal(), "pw-ä\"1");
    }
  }
  EXPECT_GE(authenticated, 5);
}

TEST(FritzboxSession, RightsErrorsExit4NamingTheFritzOsMenu) {
  for (int variant : {401, 606}) {
    FritzRun run;
    run.http.on_action = [variant](const std::string&, const HttpRequest&) -> HttpResponse {
      if (variant == 401) {
        return {401, "<HTML>Unauthorized</HTML>", {}, {}};
      }
      return {500, fritz_fault(606), {}, {}};
    };
    auto s = run.open();
    try {
      s->read_state();
      ADD_FAILURE() << variant << ": no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::auth) << variant;
      EXPECT_EQ(exit_code_for(e.kind()), ExitCode::auth);
      std::string m = e.what();
      EXPECT_NE(m.find("System > FRITZ!Box Users > boxadmin > \"FRITZ!Box settings\""), std::string::npos) << m;
      EXPECT_NE(m.find("FRITZ!Box-Benutzer"), std::string::npos) << m;
      EXPECT_EQ(m.find("pw-"), std::string::npos) << m;
    }
  }
}

TEST(FritzboxSession, SecondFactorAsksToConfirmOnTheBox) {
  FritzRun run;
  run.http.on_action = [](const std::string& action, const HttpRequest&) -> HttpResponse {
    if (action == "GetInfo") {
      return {200, fritz_reply(action, "<NewEnable>1</NewEnable><NewUPnPMediaServer>0</NewUPnPMediaServer>"), {}, {}};
    }
    if (action == "SetConfig") {
      return {500, fritz_fault(866), {}, {}};
    }
    return {500, fritz_fault(401), {}, {}};
  };
  auto s = run.open();
  Change c;
  c.kind = ChangeKind::disable_upnp;
  try {
    s->apply(c);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_NE(std::string(e.what()).find("confirm on the box"), std::string::npos) << e.what();
  }
}

TEST(FritzboxSession, FingerprintAsksTheGivenPort) {
  FakeFritz http;
  http.on_action = [](const std::string&, const HttpRequest&) { return HttpResponse{404, "", {}, {}}; };
  Deadline deadline{std::chrono::seconds(5)};
  SessionContext ctx(http, deadline);
  Target t;
  t.address = "192.168.1.1";
  t.port = 8080;
  EXPECT_TRUE(fritzbox_plugin().matches(t, ctx));  // the fake serves the fixture at any port
  EXPECT_EQ(http.seen.back().url, "http://192.168.1.1:8080/tr64desc.xml");
}

}  // namespace
}  // namespace bw
