// The Livebox plugin's session against a fake /ws (vendors_livebox_fake_http.hpp): login,
// the cookie whose name has '/', re-login once on 13, 401 waittime without retry, reads,
// and every change sent by id + origin and verified by reading again.
#include <chrono>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/recording_http_client.hpp"
#include "tests/fakes/changes.hpp"
#include "vendors/livebox/livebox.hpp"
#include "vendors/livebox/livebox_changes.hpp"
#include "vendors/livebox/livebox_parse.hpp"
#include "vendors/livebox/livebox_ws.hpp"
#include "vendors_livebox_fake_http.hpp"

namespace bw {
namespace {

using livebox_test::FakeLivebox;
using nlohmann::json;

class LiveboxSession : public ::testing::Test {
 protected:
  FakeLivebox box;
  RecordingHttpClient rec{box};  // sends everything but what a rehearsal (--dry-run) keeps
  Deadline deadline{std::chrono::seconds(30)};
  Target target{"192.168.1.1", 0, ""};

  std::unique_ptr<Session> open(const std::string& password = "pa\"ss") {
    SessionContext ctx{rec, deadline, credentials(password)};
    return livebox_plugin().open(target, ctx);
  }

  static Credentials credentials(const std::string& password) {
    Credentials c;
    c.password = Secret(password);
    c.use_netrc = false;
    return c;
  }

  void doctor_box() {
    box.forwards = {{"webui_RDP", FakeLivebox::rule("webui_RDP", "webui", "6", "3389", "192.168.1.10")},
                    {"upnp_7", FakeLivebox::rule("upnp_7", "upnp", "17", "3074", "192.168.1.30")},
                    {"cwmp_ACS", FakeLivebox::rule("cwmp_ACS", "cwmp", "6", "7547", "192.168.1.1")}};
    box.dmz = {{"webui", {{"SourceInterface", "data"}, {"DestinationIPAddress", "192.168.1.10"},
                          {"SourcePrefix", ""}, {"Status", "Enabled"}, {"Enable", true}}}};
  }

  static const PortForward& forward(const RouterState& s, const std::string& id) { return test::forward_by_id(s, id); }

  static Change action(ChangeKind kind) { return test::change(kind); }
  static Change forward_action(ChangeKind kind, const PortForward& f) { return test::forward_change(kind, f); }

  std::vector<std::string> rehearse(Session& s, const Change& c) { return test::rehearse(rec, s, c); }

  void expect_no_origin_only_delete() {
    for (const auto& s : box.calls_of("Firewall:deletePortForwarding")) {
      EXPECT_FALSE(s.body["parameters"].value("id", "").empty()) << s.request.body;
    }
    EXPECT_EQ(box.bulk_deletes, 0);
  }
};

TEST_F(LiveboxSession, LoginSendsTheWebUiBodyAndReplaysTheCookieExactly) {
  auto s = open();
  ASSERT_GE(box.seen.size(), 2u);
  EXPECT_EQ(box.seen[0].call(), "DeviceInfo:get");  // anonymous fingerprint first
  EXPECT_EQ(box.seen[0].request.url, "http://192.168.1.1/ws");
  const auto& login = box.seen[1];
  EXPECT_TRUE(login.has_header("Authorization: X-Sah-Login"));
  EXPECT_TRUE(login.has_header("Content-Type: application/x-sah-ws-4-call+json"));
  EXPECT_EQ(login.request.body,
            R"({"service":"sah.Device.Information","method":"createContext","parameters":)"
            R"({"applicationName":"webui","username":"admin","password":"pa\"ss"}})");
  RouterState st = s->read_state();
  const auto& call = box.seen.back();
  EXPECT_TRUE(call.has_header("Authorization: X-Sah ctx1"));
  EXPECT_TRUE(call.has_header("X-Context: ctx1"));
  EXPECT_TRUE(call.has_header("Cookie: a1b2c3d4/sessid=v1; a1b2c3d4/accept-language=fr,en"));
  EXPECT_EQ(box.logins, 1);
}

TEST_F(LiveboxSession, PortIsUsedWhenGiven) {
  target.port = 8080;
  auto s = open();
  EXPECT_EQ(box.seen[0].request.url, "http://192.168.1.1:8080/ws");
}

TEST_F(LiveboxSession, ReadsStateWithOriginsAndNoSecrets) {
  doctor_box();
  box.remote = true;
  box.remote_port = 40123;
  RouterState st = open()->read_state();
  EXPECT_EQ(st.vendor, "livebox");
  EXPECT_EQ(st.apis, std::vector<std::string>{"livebox"});
  EXPECT_EQ(st.model, "Livebox 7");
  EXPECT_EQ(st.firmware, "SG70-fr-G07");
  EXPECT_EQ(st.external_ip, "11.22.33.44");
  EXPECT_TRUE(st.static_forwards_known);
  ASSERT_EQ(st.port_forwards.size(), 3u);
  EXPECT_EQ(forward(st, "cwmp_ACS").origin, std::vector<std::string>{"cwmp"});
  EXPECT_EQ(forward(st, "upnp_7").protocol, Protocol::udp);
  ASSERT_TRUE(st.dmz);
  EXPECT_TRUE(st.dmz->enabled);
  EXPECT_EQ(st.dmz->host, "192.168.1.10");
  EXPECT_EQ(st.upnp_igd_enabled, true);
  EXPECT_EQ(st.remote_admin_enabled, true);
  std::string all = to_json(st).dump() + st.vendor_data.dump();
  EXPECT_EQ(all.find("never-read"), std::string::npos);
  EXPECT_EQ(all.find("pa\\\"ss"), std::string::npos);
  EXPECT_EQ(st.vendor_data["livebox"]["firewall_level"], "Medium");
  // Calls this fake lacks are reported, not fatal.
  EXPECT_TRUE(st.vendor_data["livebox"]["read_errors"].contains("Firewall:getPinhole"));
}

TEST_F(LiveboxSession, ExpiredContextReLogsInOnceAndRetries) {
  doctor_box();
  auto s = open();
  box.expire_after_calls = 0;  // the next authenticated call answers 13
  RouterState st = s->read_state();
  EXPECT_EQ(box.logins, 2);
  EXPECT_EQ(st.port_forwards.size(), 3u);
  EXPECT_TRUE(box.seen.back().has_header("Cookie: a1b2c3d4/sessid=v2; a1b2c3d4/accept-language=fr,en"));
}

TEST_F(LiveboxSession, PersistentPermissionDeniedReLogsInOnlyOnce) {
  doctor_box();
  auto s = open();
  box.always_13 = true;
  int before = box.logins;
  EXPECT_THROW(s->apply(action(ChangeKind::disable_dmz)), Error);
  EXPECT_EQ(box.logins, before + 1);  // one new login for the failed call, never a loop
}

TEST_F(LiveboxSession, ACallClosedToAdminCostsOneNewLoginNotOnePerRead) {
  doctor_box();
  box.closed_service = "OrangeRemoteAccess";
  auto s = open();
  RouterState first = s->read_state();
  RouterState second = s->read_state();
  EXPECT_EQ(box.logins, 2);  // the open, then one retry for the closed service
  EXPECT_TRUE(second.vendor_data["livebox"]["read_errors"].contains("OrangeRemoteAccess:get"));
  EXPECT_EQ(second.port_forwards.size(), 3u);
  // Another call still renews an expired session.
  box.expire_after_calls = 0;
  s->apply(action(ChangeKind::disable_dmz));
  EXPECT_EQ(box.logins, 3);
  EXPECT_TRUE(box.dmz.empty());
}

TEST_F(LiveboxSession, RefusedPasswordIsAnAuthErrorWithThePlainMessage) {
  try {
    open("wrong");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_NE(std::string(e.what()).find("the Livebox refused the password; it is printed under the box"),
              std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("wrong"), std::string::npos);
  }
  EXPECT_EQ(box.logins, 1);
}

TEST_F(LiveboxSession, ThrottledLoginReportsWaittimeAndStops) {
  box.login_waittime = 30;
  try {
    open();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_NE(std::string(e.what()).find("30 s"), std::string::npos) << e.what();
  }
  EXPECT_EQ(box.logins, 1);
}

TEST_F(LiveboxSession, RepeatersAndSpanishModelsAreUnsupported) {
  box.product_class = "WIFIREPARCFR";
  SessionContext ctx{box, deadline, credentials("pa\"ss")};
  EXPECT_FALSE(livebox_plugin().matches(target, ctx));
  try {
    open();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
  }
  EXPECT_EQ(box.logins, 0);
  box.spain = true;
  EXPECT_FALSE(livebox_plugin().matches(target, ctx));
  EXPECT_THROW(open(), Error);
  box.spain = false;
  box.product_class = "Livebox Fibre";
  EXPECT_TRUE(livebox_plugin().matches(target, ctx));
}

TEST_F(LiveboxSession, DeleteSendsIdOriginAndDestinationThenCommitsAndVerifies) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "webui_RDP")));
  auto dels = box.calls_of("Firewall:deletePortForwarding");
  ASSERT_EQ(dels.size(), 1u);
  EXPECT_EQ(dels[0].body["parameters"],
            (json{{"id", "webui_RDP"}, {"origin", "webui"}, {"destinationIPAddress", "192.168.1.10"}}));
  EXPECT_EQ(box.commits, 1);
  EXPECT_FALSE(box.forwards.contains("webui_RDP"));
  EXPECT_TRUE(box.forwards.contains("upnp_7"));
  // Already gone: verified by the listing, nothing sent again.
  s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "webui_RDP")));
  EXPECT_EQ(box.calls_of("Firewall:deletePortForwarding").size(), 1u);
  expect_no_origin_only_delete();
}

// Issue 12, case 4: the rule was re-pointed to another machine after it was read. The delete
// acts only on the rule that was read: the new one is left alone and the change is refused.
TEST_F(LiveboxSession, DeleteLeavesARuleRepointedSinceTheRead) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  box.forwards["webui_RDP"] = FakeLivebox::rule("webui_RDP", "webui", "6", "3389", "192.168.1.20");
  try {
    s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "webui_RDP")));
    FAIL() << "a re-pointed rule was deleted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
    EXPECT_NE(std::string(e.what()).find("192.168.1.20"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(box.calls_of("Firewall:deletePortForwarding").empty());
  EXPECT_EQ(box.forwards["webui_RDP"]["DestinationIPAddress"], "192.168.1.20");
}

// Restoring a deleted rule whose id another machine's rule now holds would replace that rule.
TEST_F(LiveboxSession, RestoreLeavesARuleThatTookTheSavedOnesPlace) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  PortForward saved = forward(st, "webui_RDP");
  s->apply(forward_action(ChangeKind::delete_port_forward, saved));
  box.forwards["webui_RDP"] = FakeLivebox::rule("webui_RDP", "webui", "6", "3389", "192.168.1.20");
  EXPECT_THROW(s->apply(forward_action(ChangeKind::add_port_forward, saved)), Error);
  EXPECT_EQ(box.forwards["webui_RDP"]["DestinationIPAddress"], "192.168.1.20");
}

TEST_F(LiveboxSession, ForwardWithoutIdIsFoundByPortNeverDeletedByOrigin) {
  doctor_box();
  auto s = open();
  PortForward igd;  // as the UPnP IGD plugin would report it: no Livebox id
  igd.protocol = Protocol::udp;
  igd.external_port = igd.external_port_end = 3074;
  igd.origin = {"upnp"};
  s->apply(forward_action(ChangeKind::delete_port_forward, igd));
  EXPECT_FALSE(box.forwards.contains("upnp_7"));
  igd.external_port = igd.external_port_end = 9999;  // nothing there: nothing deleted
  s->apply(forward_action(ChangeKind::delete_port_forward, igd));
  EXPECT_EQ(box.forwards.size(), 2u);
  for (const std::string& line : rehearse(*s, forward_action(ChangeKind::delete_port_forward, igd))) {
    EXPECT_EQ(line.find("deletePortForwarding"), std::string::npos) << line;
  }
  expect_no_origin_only_delete();
}

TEST_F(LiveboxSession, RefusedDeleteIsARefusedError) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  box.refuse = [](const json& b) { return b["method"] == "deletePortForwarding"; };
  try {
    s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "webui_RDP")));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
  }
  EXPECT_TRUE(box.forwards.contains("webui_RDP"));
}

TEST_F(LiveboxSession, AddRestoresTheSavedRuleExactly) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  json before = box.forwards;
  const PortForward& rdp = forward(st, "webui_RDP");
  s->apply(forward_action(ChangeKind::delete_port_forward, rdp));
  s->apply(forward_action(ChangeKind::add_port_forward, rdp));
  EXPECT_EQ(box.forwards, before);
  auto sets = box.calls_of("Firewall:setPortForwarding");
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].body["parameters"]["id"], "webui_RDP");
  EXPECT_EQ(sets[0].body["parameters"]["origin"], "webui");
  size_t n = box.seen.size();
  s->apply(forward_action(ChangeKind::add_port_forward, rdp));  // already there: no request but reads
  for (size_t i = n; i < box.seen.size(); ++i) {
    EXPECT_NE(box.seen[i].call(), "Firewall:setPortForwarding");
  }
}

TEST_F(LiveboxSession, ClosingOneProtocolOfATwoProtocolRuleKeepsTheOther) {
  box.forwards = {{"webui_game", FakeLivebox::rule("webui_game", "webui", "6,17", "3478", "192.168.1.30")}};
  auto s = open();
  RouterState st = s->read_state();
  ASSERT_EQ(st.port_forwards.size(), 2u);
  const PortForward& tcp = st.port_forwards[0].protocol == Protocol::tcp ? st.port_forwards[0] : st.port_forwards[1];
  s->apply(forward_action(ChangeKind::delete_port_forward, tcp));
  EXPECT_EQ(box.forwards["webui_game"]["Protocol"], "17");
  s->apply(forward_action(ChangeKind::add_port_forward, tcp));
  EXPECT_EQ(box.forwards["webui_game"]["Protocol"], "6,17");
  expect_no_origin_only_delete();
}

TEST_F(LiveboxSession, DisableAForwardInPlaceWithEveryMandatoryArgument) {
  doctor_box();
  livebox::WsClient ws(box, deadline, "http://192.168.1.1");
  ws.login("", Secret("pa\"ss"));
  PortForward rdp;
  for (const PortForward& f : livebox::parse_port_forwards(box.forwards)) {
    if (f.id == "webui_RDP") {
      rdp = f;
    }
  }
  livebox::set_forward_enabled(ws, rdp, false);
  EXPECT_EQ(box.forwards["webui_RDP"]["Enable"], false);
  auto sets = box.calls_of("Firewall:setPortForwarding");
  ASSERT_EQ(sets.size(), 1u);
  for (const char* arg : {"id", "origin", "sourceInterface", "internalPort", "destinationIPAddress", "protocol"}) {
    EXPECT_TRUE(sets[0].body["parameters"].contains(arg)) << arg;
  }
  EXPECT_EQ(box.commits, 1);
  livebox::set_forward_enabled(ws, rdp, true);
  EXPECT_EQ(box.forwards["webui_RDP"]["Enable"], true);
  EXPECT_EQ(box.forwards.size(), 3u);
}

TEST_F(LiveboxSession, DmzClearedAndRestoredExactly) {
  doctor_box();
  box.dmz["second"] = {{"SourceInterface", "data"}, {"DestinationIPAddress", "192.168.1.11"},
                       {"SourcePrefix", "1.2.3.4"}, {"Status", "Enabled"}, {"Enable", true}};
  json before = box.dmz;
  auto s = open();
  RouterState st = s->read_state();
  Change off = action(ChangeKind::disable_dmz);
  off.dmz = st.dmz;
  EXPECT_EQ(rehearse(*s, off).size(), 2u);
  EXPECT_EQ(box.dmz, before);  // rehearsed: nothing sent
  s->apply(off);
  EXPECT_TRUE(box.dmz.empty());
  EXPECT_EQ(box.calls_of("Firewall:deleteDMZ").size(), 2u);
  Change back = off;
  back.kind = ChangeKind::restore_dmz;
  s->apply(back);
  EXPECT_EQ(box.dmz, before);
}

TEST_F(LiveboxSession, UpnpOffFallsBackToTheFlatFormAndVerifies) {
  box.upnp_form = "flat";
  auto s = open();
  s->apply(action(ChangeKind::disable_upnp));
  EXPECT_FALSE(box.upnp);
  auto sets = box.calls_of("UPnP-IGD:set");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].body["parameters"], (json{{"parameters", {{"Enable", false}}}}));
  EXPECT_EQ(sets[1].body["parameters"], (json{{"Enable", false}}));
  s->apply(action(ChangeKind::enable_upnp));
  EXPECT_TRUE(box.upnp);
}

TEST_F(LiveboxSession, UpnpThatNeverChangesIsRefused) {
  box.upnp_form = "none";
  auto s = open();
  try {
    s->apply(action(ChangeKind::disable_upnp));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
  }
  EXPECT_TRUE(box.upnp);
}

TEST_F(LiveboxSession, RemoteAccessOffAndBackOnWithItsPort) {
  box.remote = true;
  box.remote_port = 40123;
  auto s = open();
  s->apply(action(ChangeKind::disable_remote_admin));
  EXPECT_FALSE(box.remote);
  s->apply(action(ChangeKind::enable_remote_admin));
  EXPECT_TRUE(box.remote);
  auto en = box.calls_of("RemoteAccess:enable");
  ASSERT_EQ(en.size(), 1u);
  EXPECT_EQ(en[0].body["parameters"]["port"], 40123);
}

TEST_F(LiveboxSession, DryRunNamesTheRequestsWithoutSecretsAndSendsNone) {
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  auto lines = rehearse(*s, forward_action(ChangeKind::delete_port_forward, forward(st, "webui_RDP")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"(POST http://192.168.1.1/ws Firewall:deletePortForwarding )"
                      R"({"destinationIPAddress":"192.168.1.10","id":"webui_RDP","origin":"webui"})");
  EXPECT_EQ(lines[1], "POST http://192.168.1.1/ws Firewall:commit {}");
  EXPECT_TRUE(box.forwards.contains("webui_RDP"));  // rehearsed: nothing sent
  for (const std::string& l : rehearse(*s, action(ChangeKind::disable_upnp))) {
    EXPECT_EQ(l.find("pa\\\"ss"), std::string::npos);
  }
}

TEST_F(LiveboxSession, CloseLogsOutBestEffort) {
  auto s = open();
  s->close();
  auto outs = box.calls_of("sah.Device.Information:releaseContext");
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_TRUE(outs[0].has_header("Authorization: X-Sah-Logout ctx1"));
  s.reset();  // the destructor does not log out twice
  EXPECT_EQ(box.calls_of("sah.Device.Information:releaseContext").size(), 1u);
}

TEST_F(LiveboxSession, PasswordFromThePromptOrAPlainAuthError) {
  Credentials c;
  c.use_netrc = false;
  c.ask_password = [] { return Secret("pa\"ss"); };
  SessionContext ctx{box, deadline, c};
  EXPECT_NO_THROW(livebox_plugin().open(target, ctx));
  ctx.credentials.ask_password = [] { return Secret(); };
  try {
    livebox_plugin().open(target, ctx);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_NE(std::string(e.what()).find("--password-file"), std::string::npos);
  }
}

TEST_F(LiveboxSession, CapabilitiesAreHonest) {
  Capabilities c = livebox_plugin().capabilities();
  EXPECT_TRUE(has(c, Capability::read_static_forwards));
  EXPECT_TRUE(has(c, Capability::delete_forward));
  EXPECT_TRUE(has(c, Capability::add_forward));
  EXPECT_TRUE(has(c, Capability::set_dmz));
  EXPECT_TRUE(has(c, Capability::set_upnp_switch));
  EXPECT_TRUE(has(c, Capability::set_remote_admin));
  EXPECT_FALSE(has(c, Capability::vpn_server));
  EXPECT_EQ(livebox_plugin().id(), "livebox");
}

}  // namespace
}  // namespace bw
