// The Freebox plugin's session against a fake box (vendors_freebox_fake_http.hpp): the token
// store, the HMAC login, one re-login on auth_required, a revoked token forgotten, the
// "settings" permission, pairing (granted, denied, timeout, pending) on a manual clock, HTTPS
// to the box's TLS name on its LAN address, reads, changes sent by id after checking the rule
// is still the one read, exact restore bodies, and no secret in any message or describe().
#include <algorithm>
#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "net/recording_http_client.hpp"
#include "tests/fakes/changes.hpp"
#include <sys/stat.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/token_store.hpp"
#include "tests/fakes/manual_clock.hpp"
#include "vendors/freebox/freebox.hpp"
#include "vendors/freebox/freebox_api.hpp"
#include "vendors/freebox/freebox_parse.hpp"
#include "vendors_freebox_fake_http.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;
using freebox_test::FakeFreebox;
using nlohmann::json;
using namespace std::chrono_literals;

class FreeboxSession : public ::testing::Test {
 protected:
  FakeFreebox box;
  RecordingHttpClient rec{box};  // sends everything but what a rehearsal (--dry-run) keeps
  Deadline deadline{std::chrono::seconds(30)};
  Target target{"192.168.1.254", 0, ""};
  std::string dir;
  std::unique_ptr<TokenStore> tokens;
  std::vector<std::string> told;
  std::vector<std::string> messages;  // every Error message and describe() line seen

  void SetUp() override {
    char tmpl[] = "/tmp/bw-fbx-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    tokens = std::make_unique<TokenStore>(dir + "/tokens");
  }
  void TearDown() override {
    for (const std::string& m : messages) {
      expect_no_secret(m);
    }
    for (const std::string& m : told) {
      expect_no_secret(m);
    }
    fs::remove_all(dir);
  }

  void expect_no_secret(const std::string& m) {
    for (const std::string& secret : {box.app_token, std::string(FakeFreebox::k_first_token), box.new_token,
                                      box.first_password, std::string("SECRET")}) {
      EXPECT_EQ(m.find(secret), std::string::npos) << m;
    }
    for (const std::string& c : box.challenges) {
      EXPECT_EQ(m.find(c), std::string::npos) << m;
    }
    if (!box.m_last_password.empty()) {
      EXPECT_EQ(m.find(box.m_last_password), std::string::npos) << m;
    }
  }

  std::string key() const { return freebox::short_id("uid:0123456789abcdef"); }
  void keep_token() { tokens->save("freebox", key(), Secret(FakeFreebox::k_first_token)); }

  SessionContext context(bool can_ask = false) {
    SessionContext ctx(rec, deadline);
    ctx.tokens = tokens.get();
    ctx.tell = [this](const std::string& m) { told.push_back(m); };
    ctx.can_ask = can_ask;
    return ctx;
  }

  std::unique_ptr<Session> open(bool can_ask = false) {
    SessionContext ctx = context(can_ask);
    return freebox_plugin().open(target, ctx);
  }

  // Runs `f`, expects an Error of `kind`, keeps its message for the secret check.
  template <typename F>
  std::string expect_error(ErrorKind kind, F f) {
    try {
      f();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      messages.emplace_back(e.what());
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
  }

  // --dry-run: the same apply(), its changes written down by the recorder instead of sent.
  std::vector<std::string> describe(Session& s, const Change& a) {
    auto lines = test::rehearse(rec, s, a);
    messages.insert(messages.end(), lines.begin(), lines.end());
    return lines;
  }

  static const PortForward& forward(const RouterState& s, const std::string& id) { return test::forward_by_id(s, id); }

  static Change action(ChangeKind kind) { return test::change(kind); }
  static Change forward_action(ChangeKind kind, const PortForward& f) { return test::forward_change(kind, f); }

  void doctor_box() {
    box.redirs = json::array({FakeFreebox::redir(3, "tcp", 3389, "192.168.1.10", 3389),
                              FakeFreebox::redir(4, "tcp", 11112, "192.168.1.10", 104, "198.51.100.7")});
    box.mappings = json::array({{{"id", "0.0.0.0-26476-tcp"}, {"enabled", true}, {"proto", "tcp"},
                                 {"ext_port", 26476}, {"int_ip", "192.168.1.49"}, {"int_port", 32400},
                                 {"ext_src_ip", "0.0.0.0"}, {"desc", "Plex"}, {"remaining", 0}}});
    box.dmz = {{"enabled", true}, {"ip", "192.168.1.10"}};
    box.conn_config["remote_access"] = true;
  }
};

TEST_F(FreeboxSession, TokenStoreFileIsPrivate) {
  keep_token();
  struct stat st {};
  ASSERT_EQ(stat((dir + "/tokens").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::string path = tokens->path_for("freebox", key());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(tokens->load("freebox", key())->reveal(), FakeFreebox::k_first_token);
  EXPECT_EQ(path.find("0123456789abcdef"), std::string::npos);  // the uid is hashed
  EXPECT_THROW(tokens->path_for("freebox", "../x"), Error);
  EXPECT_TRUE(tokens->forget("freebox", key()));
  EXPECT_FALSE(tokens->load("freebox", key()));
}

TEST_F(FreeboxSession, LoginSendsTheHmacOfAFreshChallenge) {
  keep_token();
  auto s = open();
  auto logins = box.requests("POST", "login/session/");
  ASSERT_EQ(logins.size(), 1u);
  json body = json::parse(logins[0].body);
  EXPECT_EQ(body["app_id"], "fr.boxwarden");
  EXPECT_EQ(body["password"], "78747f89e3e26f34286d7fc6a24e61e21aaf5a92");
  EXPECT_EQ(box.requests("GET", "/login/").size(), 1u);
  // Every later call carries the session token, never the app token.
  s->read_state();
  for (const HttpRequest& q : box.seen) {
    EXPECT_EQ(q.url.find("SECRET"), std::string::npos);
    if (q.url.find("/fw/redir/") != std::string::npos) {
      EXPECT_NE(std::find(q.headers.begin(), q.headers.end(), "X-Fbx-App-Auth: SECRETsession1"), q.headers.end());
    }
  }
}

TEST_F(FreeboxSession, ReadsEveryField) {
  keep_token();
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  EXPECT_EQ(st.vendor, "freebox");
  EXPECT_EQ(st.model, "Freebox v9 (r1)");
  EXPECT_EQ(st.firmware, "4.12.2");
  EXPECT_EQ(st.external_ip, "203.0.113.1");
  EXPECT_TRUE(st.static_forwards_known);
  ASSERT_EQ(st.port_forwards.size(), 3u);
  EXPECT_EQ(forward(st, "4").remote_host, "198.51.100.7");
  EXPECT_EQ(forward(st, "0.0.0.0-26476-tcp").origin, std::vector<std::string>{"upnp"});
  ASSERT_TRUE(st.dmz);
  EXPECT_TRUE(st.dmz->enabled);
  EXPECT_EQ(st.dmz->host, "192.168.1.10");
  EXPECT_EQ(st.upnp_igd_enabled, true);
  EXPECT_EQ(st.remote_admin_enabled, true);
  EXPECT_EQ(st.ipv6_firewall_enabled, false);
  EXPECT_EQ(st.ipv6_enabled, true);
  EXPECT_EQ(st.ipv6_firewall_level, "");  // an on/off switch, no levels
  EXPECT_TRUE(st.pinholes_known);         // the API has no per-host IPv6 rule to list
  EXPECT_TRUE(st.pinholes.empty());
  EXPECT_FALSE(st.ipv6_exposed_host);
  EXPECT_EQ(st.vendor_data["freebox"]["ipv6"],
            json::parse(R"({"ipv6_enabled":true,"ipv6_firewall":false,"ipv6_prefix_firewall":false})"));
  EXPECT_TRUE(st.box_services_known);
  ASSERT_EQ(st.box_services.size(), 1u);
  EXPECT_EQ(st.box_services[0].port, 29491);
  EXPECT_TRUE(st.unknown().empty());
  const json& fb = st.vendor_data["freebox"];
  EXPECT_EQ(fb["transport"], "http");
  EXPECT_TRUE(fb.contains("transport_warning"));
  EXPECT_EQ(fb["remote_access"]["remote_access_port"], 21252);
  std::string all = to_json(st).dump();
  EXPECT_EQ(all.find("0123456789abcdef"), std::string::npos);  // uid
  EXPECT_EQ(st.box_identity, "freebox-uid:0123456789abcdef");  // hashed into gateway.box_id, never saved
  EXPECT_EQ(all.find("fbxos"), std::string::npos);             // api_domain
  EXPECT_EQ(all.find("SERIALSECRET"), std::string::npos);
  EXPECT_EQ(all.find("2001:db8:1:"), std::string::npos);  // the delegated prefix: the subscriber's
  messages.push_back(all);
  // Plain HTTP is said, never silent.
  ASSERT_FALSE(told.empty());
  EXPECT_NE(told[0].find("no HTTPS"), std::string::npos);
  // The same state read back from JSON (a backup) keeps the new fields.
  RouterState back = router_state_from_json(to_json(st));
  EXPECT_EQ(back.ipv6_firewall_enabled, false);
  EXPECT_EQ(back.ipv6_enabled, true);
  EXPECT_TRUE(back.pinholes_known);
  EXPECT_TRUE(back.box_services_known);
  ASSERT_EQ(back.box_services.size(), 1u);
  EXPECT_EQ(back.box_services[0].id, "https");
  EXPECT_TRUE(back.box_services[0].active);
}

TEST_F(FreeboxSession, UnreadableIpv6SettingsStayUnknown) {
  keep_token();
  box.ipv6 = "not an object";
  auto s = open();
  RouterState st = s->read_state();
  EXPECT_FALSE(st.ipv6_enabled);
  EXPECT_FALSE(st.ipv6_firewall_enabled);
  auto unknown = st.unknown();
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "ipv6_firewall"), unknown.end());
  // A box that does not answer about IPv6 is not taken at its word for pinholes either.
  EXPECT_FALSE(st.pinholes_known);
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "ipv6_pinholes"), unknown.end());
}

TEST_F(FreeboxSession, UpnpOffListsNoMappings) {
  keep_token();
  box.upnp = false;
  auto s = open();
  RouterState st = s->read_state();
  EXPECT_TRUE(st.port_forwards.empty());
  EXPECT_EQ(st.upnp_igd_enabled, false);
  EXPECT_FALSE(st.vendor_data["freebox"].contains("read_errors"));
}

TEST_F(FreeboxSession, ExpiredSessionLogsInOnceAgainAndRetries) {
  keep_token();
  box.expire_after = 1;
  auto s = open();
  RouterState st = s->read_state();
  EXPECT_EQ(st.firmware, "4.12.2");
  EXPECT_EQ(box.logins, 2);
  EXPECT_EQ(box.requests("GET", "/login/").size(), 2u);  // a fresh challenge for the new login
}

TEST_F(FreeboxSession, ASecondRefusalIsAnAuthErrorWithoutALoop) {
  keep_token();
  auto s = open();
  box.always_expired = true;
  expect_error(ErrorKind::auth, [&] { s->read_state(); });
  EXPECT_EQ(box.logins, 2);
}

TEST_F(FreeboxSession, RevokedTokenIsForgottenAndSaysToPairAgain) {
  keep_token();
  box.revoked = true;
  std::string m = expect_error(ErrorKind::auth, [&] { open(); });
  EXPECT_NE(m.find("boxwarden pair -g 192.168.1.254"), std::string::npos);
  EXPECT_FALSE(tokens->load("freebox", key()));
  EXPECT_EQ(box.logins, 1);
}

TEST_F(FreeboxSession, RateLimitIsAnAuthErrorThatSaysToWait) {
  keep_token();
  box.ratelimited = true;
  std::string m = expect_error(ErrorKind::auth, [&] { open(); });
  EXPECT_NE(m.find("wait"), std::string::npos);
  EXPECT_TRUE(tokens->load("freebox", key()));  // not a revoked token: kept
}

TEST_F(FreeboxSession, NoTokenWithoutATerminalSaysWhatToRun) {
  std::string m = expect_error(ErrorKind::auth, [&] { open(false); });
  EXPECT_NE(m.find("no app token for this Freebox: run `boxwarden pair -g 192.168.1.254` at the box"),
            std::string::npos);
  EXPECT_TRUE(box.requests("POST", "login/authorize/").empty());  // nothing asked of the box
}

TEST_F(FreeboxSession, NoTokenOnATerminalPairsAndWaits) {
  box.pair_statuses = {"granted"};
  auto s = open(true);
  EXPECT_EQ(box.polls, 1);
  ASSERT_FALSE(told.empty());
  EXPECT_NE(told[0].find("Press the right arrow on the Freebox's screen to allow boxwarden (waiting up to 2 minutes)"),
            std::string::npos);
  EXPECT_EQ(tokens->load("freebox", key())->reveal(), box.new_token);
  json authorize = json::parse(box.requests("POST", "login/authorize/").at(0).body);
  EXPECT_EQ(authorize["app_id"], "fr.boxwarden");
  EXPECT_EQ(authorize["app_name"], "boxwarden");
  EXPECT_FALSE(authorize.value("device_name", "").empty());
  EXPECT_EQ(box.logins, 1);
}

TEST_F(FreeboxSession, MissingSettingsPermissionSendsNoWriteAndNamesThePlace) {
  keep_token();
  doctor_box();
  box.settings = false;
  auto s = open();
  RouterState st = s->read_state();
  std::string m = expect_error(ErrorKind::auth, [&] {
    s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "3")));
  });
  EXPECT_NE(m.find("Paramètres de la Freebox > Gestion des accès > Applications: tick 'Modification des "
                   "réglages' for boxwarden"),
            std::string::npos);
  expect_error(ErrorKind::auth, [&] { s->apply(action(ChangeKind::disable_dmz)); });
  expect_error(ErrorKind::auth, [&] { s->apply(action(ChangeKind::disable_upnp)); });
  expect_error(ErrorKind::auth, [&] { s->apply(action(ChangeKind::disable_remote_admin)); });
  for (const HttpRequest& q : box.seen) {
    EXPECT_TRUE(q.method == "GET" || q.url.find("/login/") != std::string::npos) << q.method << " " << q.url;
  }
}

TEST_F(FreeboxSession, BoxRefusingAWriteForRightsIsExit4Too) {
  keep_token();
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  box.settings = false;  // taken away in Freebox OS after the session opened
  std::string m = expect_error(ErrorKind::auth, [&] { s->apply(action(ChangeKind::disable_dmz)); });
  EXPECT_NE(m.find("Gestion des accès"), std::string::npos);
  EXPECT_EQ(exit_code_for(ErrorKind::auth), ExitCode::auth);
}

TEST_F(FreeboxSession, DeleteChecksTheRuleIsStillTheOneRead) {
  keep_token();
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  box.redirs[0]["lan_ip"] = "192.168.1.66";  // re-pointed in Freebox OS meanwhile
  std::string m = expect_error(ErrorKind::conflict, [&] {
    s->apply(forward_action(ChangeKind::delete_port_forward, forward(st, "3")));
  });
  EXPECT_NE(m.find("192.168.1.66"), std::string::npos);
  EXPECT_TRUE(box.requests("DELETE", "fw/redir").empty());
  EXPECT_EQ(box.redirs.size(), 2u);
}

TEST_F(FreeboxSession, DeleteThenRestoreExactly) {
  keep_token();
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  const PortForward f = forward(st, "4");
  s->apply(forward_action(ChangeKind::delete_port_forward, f));
  ASSERT_EQ(box.requests("DELETE", "/api/v16/fw/redir/4").size(), 1u);
  EXPECT_EQ(box.redirs.size(), 1u);
  s->apply(forward_action(ChangeKind::delete_port_forward, f));  // already gone: nothing sent
  EXPECT_EQ(box.requests("DELETE", "fw/redir/").size(), 1u);

  // A backup read back from disk restores the very same rule.
  PortForward saved = port_forward_from_json(to_json(f));
  Change restore = forward_action(ChangeKind::add_port_forward, saved);
  auto lines = describe(*s, restore);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("POST http://192.168.1.254/api/v16/fw/redir/ {", 0), 0u) << lines[0];
  s->apply(restore);
  auto posts = box.requests("POST", "fw/redir/");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(json::parse(posts[0].body),
            json::parse(R"({"enabled":true,"ip_proto":"tcp","wan_port_start":11112,"wan_port_end":11112,
              "lan_ip":"192.168.1.10","lan_port":104,"src_ip":"198.51.100.7","comment":"rule 4"})"));
  s->apply(restore);  // already there: not sent again
  EXPECT_EQ(box.requests("POST", "fw/redir/").size(), 1u);
  RouterState after = s->read_state();
  EXPECT_EQ(after.port_forwards.size(), 3u);
}

// vpn setup --server lan adds a forward; its undo (or a rollback) deletes it, without the rule
// number the box gave on POST: the one rule that forwards exactly that (tests/lab/
// freebox_vpn_test.sh found the rollback refusing it).
TEST_F(FreeboxSession, AForwardAddedWithoutItsNumberIsDeletedByItsRule) {
  keep_token();
  doctor_box();
  auto s = open();
  PortForward wg;
  wg.protocol = Protocol::udp;
  wg.external_port = wg.external_port_end = wg.internal_port = 51820;
  wg.internal_host = "192.168.1.10";
  wg.description = "boxwarden WireGuard";
  s->apply(forward_action(ChangeKind::add_port_forward, wg));
  ASSERT_EQ(box.redirs.size(), 3u);
  std::string id = std::to_string(box.redirs[2]["id"].get<int>());
  s->apply(forward_action(ChangeKind::delete_port_forward, wg));
  ASSERT_EQ(box.requests("DELETE", "fw/redir/").size(), 1u);
  EXPECT_EQ(box.requests("DELETE", "/api/v16/fw/redir/" + id).size(), 1u);
  EXPECT_EQ(box.redirs.size(), 2u);
  s->apply(forward_action(ChangeKind::delete_port_forward, wg));  // already gone: nothing sent
  EXPECT_EQ(box.requests("DELETE", "fw/redir/").size(), 1u);
}

TEST_F(FreeboxSession, UpnpMappingDeletedByItsId) {
  keep_token();
  doctor_box();
  auto s = open();
  RouterState st = s->read_state();
  const PortForward& m = forward(st, "0.0.0.0-26476-tcp");
  auto lines = describe(*s, forward_action(ChangeKind::delete_port_forward, m));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "DELETE http://192.168.1.254/api/v16/upnpigd/redir/0.0.0.0-26476-tcp");
  s->apply(forward_action(ChangeKind::delete_port_forward, m));
  EXPECT_EQ(box.requests("DELETE", "/api/v16/upnpigd/redir/0.0.0.0-26476-tcp").size(), 1u);
  EXPECT_TRUE(box.mappings.empty());
  // A hostile id (from a damaged backup) never reaches a URL.
  PortForward bad = m;
  bad.id = "../../fw/redir/3";
  expect_error(ErrorKind::unsupported, [&] { s->apply(forward_action(ChangeKind::delete_port_forward, bad)); });
}

TEST_F(FreeboxSession, DmzUpnpRemoteAccessOffAndBack) {
  keep_token();
  doctor_box();
  box.conn_config["remote_access_port"] = 30001;
  auto s = open();
  RouterState st = s->read_state();

  s->apply(action(ChangeKind::disable_dmz));
  EXPECT_EQ(box.dmz["enabled"], false);
  Change restore = action(ChangeKind::restore_dmz);
  restore.dmz = st.dmz;
  EXPECT_EQ(describe(*s, restore),
            std::vector<std::string>{R"(PUT http://192.168.1.254/api/v16/fw/dmz/ {"enabled":true,"ip":"192.168.1.10"})"});
  s->apply(restore);
  EXPECT_EQ(box.dmz, json::parse(R"({"enabled":true,"ip":"192.168.1.10"})"));

  s->apply(action(ChangeKind::disable_upnp));
  EXPECT_FALSE(box.upnp);
  s->apply(action(ChangeKind::enable_upnp));
  EXPECT_TRUE(box.upnp);

  s->apply(action(ChangeKind::disable_remote_admin));
  EXPECT_EQ(box.conn_config["remote_access"], false);
  box.conn_config["remote_access_port"] = 16500;  // the box moved it meanwhile
  s->apply(action(ChangeKind::enable_remote_admin));
  EXPECT_EQ(box.conn_config["remote_access"], true);
  EXPECT_EQ(box.conn_config["remote_access_port"], 30001);  // the saved port is put back
  auto puts = box.requests("PUT", "connection/config/");
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(json::parse(puts[0].body), json::parse(R"({"remote_access":false})"));
  EXPECT_EQ(json::parse(puts[1].body), json::parse(R"({"remote_access":true,"remote_access_port":30001})"));
  // Idempotent: nothing is sent when the box is already as asked.
  s->apply(action(ChangeKind::enable_upnp));
  EXPECT_EQ(box.requests("PUT", "upnpigd/config/").size(), 2u);
}

TEST_F(FreeboxSession, Ipv6FirewallOnAndBackExactly) {
  keep_token();
  auto s = open();
  RouterState st = s->read_state();
  ASSERT_EQ(st.ipv6_firewall_enabled, false);

  Change on = action(ChangeKind::enable_ipv6_firewall);
  on.ipv6_level = "off";  // as read before the fix
  EXPECT_EQ(describe(*s, on), std::vector<std::string>{
                                  R"(PUT http://192.168.1.254/api/v16/connection/ipv6/config/ {"ipv6_firewall":true})"});
  EXPECT_EQ(box.requests("PUT", "ipv6").size(), 0u);  // the dry run sent nothing
  s->apply(on);
  EXPECT_EQ(box.ipv6["ipv6_firewall"], true);
  EXPECT_EQ(box.ipv6["ipv6_enabled"], true);  // the other switches are left alone
  EXPECT_EQ(box.ipv6["delegations"][0]["prefix"], "2001:db8:1::/64");
  RouterState fixed = s->read_state();
  EXPECT_TRUE(effect_visible(on, fixed));
  s->apply(on);  // idempotent: already on, nothing sent
  ASSERT_EQ(box.requests("PUT", "connection/ipv6/config/").size(), 1u);

  Change back = action(ChangeKind::restore_ipv6_firewall);
  back.ipv6_level = "off";
  s->apply(back);
  EXPECT_EQ(box.ipv6["ipv6_firewall"], false);
  auto puts = box.requests("PUT", "connection/ipv6/config/");
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(json::parse(puts[0].body), json::parse(R"({"ipv6_firewall":true})"));
  EXPECT_EQ(json::parse(puts[1].body), json::parse(R"({"ipv6_firewall":false})"));
  EXPECT_EQ(s->read_state().ipv6_firewall_enabled, false);

  // A level no Freebox has (another box's, a hand-edited backup): refused, nothing sent.
  back.ipv6_level = "Low\x1b[2J";
  std::string m = expect_error(ErrorKind::unsupported, [&] { s->apply(back); });
  EXPECT_EQ(m.find('\x1b'), std::string::npos);
  EXPECT_EQ(box.requests("PUT", "connection/ipv6/config/").size(), 2u);
}

TEST_F(FreeboxSession, Ipv6FirewallTheBoxDidNotSwitchIsRefused) {
  keep_token();
  box.ipv6_sticky = true;  // answers success, keeps it off
  auto s = open();
  std::string m = expect_error(ErrorKind::refused, [&] { s->apply(action(ChangeKind::enable_ipv6_firewall)); });
  EXPECT_NE(m.find("kept its IPv6 firewall off"), std::string::npos) << m;
}

TEST_F(FreeboxSession, Ipv6FirewallNeedsTheSettingsPermission) {
  keep_token();
  box.settings = false;
  auto s = open();
  std::string m = expect_error(ErrorKind::auth, [&] { s->apply(action(ChangeKind::enable_ipv6_firewall)); });
  EXPECT_NE(m.find("Gestion des accès"), std::string::npos);
  EXPECT_TRUE(box.requests("PUT", "connection/ipv6/config/").empty());
}

TEST_F(FreeboxSession, PinholesAreNotAFreeboxChange) {
  keep_token();
  auto s = open();
  Change del = action(ChangeKind::delete_pinhole);
  del.pinhole = Pinhole{};
  expect_error(ErrorKind::unsupported, [&] { s->apply(del); });
  Capabilities caps = freebox_plugin().capabilities();
  EXPECT_TRUE(has(caps, Capability::read_ipv6_firewall));
  EXPECT_TRUE(has(caps, Capability::set_ipv6_firewall));
  EXPECT_TRUE(has(caps, Capability::read_pinholes));
  EXPECT_FALSE(has(caps, Capability::delete_pinhole));
  EXPECT_FALSE(has(caps, Capability::add_pinhole));
}

TEST_F(FreeboxSession, HttpsGoesToTheTlsNameOnTheLanAddress) {
  keep_token();
  box.https = true;
  SessionContext ctx = context();
  ctx.credentials.extra_ca_pem = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";
  auto s = freebox_plugin().open(target, ctx);
  s->read_state();
  ASSERT_GE(box.seen.size(), 3u);
  EXPECT_EQ(box.seen[0].url, "http://192.168.1.254/api_version");  // the anonymous fingerprint only
  for (size_t i = 1; i < box.seen.size(); ++i) {
    const HttpRequest& q = box.seen[i];
    EXPECT_EQ(q.url.rfind("https://fake-1.fbxos.fr:29491/api/v16/", 0), 0u) << q.url;
    EXPECT_EQ(q.connect_to, "192.168.1.254");
    EXPECT_EQ(q.tls.trust, TlsTrust::ca);
    EXPECT_NE(q.tls.ca_pem.find("MIICWTCCAd+gAwIBAgIJAMaRcLnIgyuk"), std::string::npos);  // Freebox ECC root
    EXPECT_NE(q.tls.ca_pem.find("TESTCA"), std::string::npos);
  }
  EXPECT_TRUE(told.empty());  // no plain-HTTP warning
  // describe() does not show the api_domain (it identifies the subscriber).
  auto lines = describe(*s, action(ChangeKind::disable_upnp));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("fbxos"), std::string::npos);
}

// Pairing with a manual clock: the polls are counted, the 120 s bound is exact, nobody sleeps.
class FreeboxPairing : public FreeboxSession {
 protected:
  test::ManualClock clock;
  Deadline pairing{std::chrono::seconds(120), clock};

  Secret run() {
    auto v = freebox::fingerprint(box, deadline, "192.168.1.254", 0, 5s);
    freebox::Endpoint ep{"192.168.1.254", 0, *v, ""};
    freebox::ApiClient api(box, deadline, ep);
    freebox::AppIdentity app;
    app.app_version = "1.0";
    app.device_name = "laptop";
    return freebox::pair(api, app, pairing, [this](std::chrono::milliseconds d) { clock.advance(d); },
                         [this](const std::string& m) { told.push_back(m); });
  }
};

TEST_F(FreeboxPairing, GrantedAfterPending) {
  box.pair_statuses = {"pending", "pending", "pending", "granted"};
  Secret t = run();
  EXPECT_EQ(t.reveal(), box.new_token);
  EXPECT_EQ(box.polls, 4);
  EXPECT_EQ(clock.elapsed(), 3s);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("Press the right arrow"), std::string::npos);
}

TEST_F(FreeboxPairing, Denied) {
  box.pair_statuses = {"pending", "denied"};
  std::string m = expect_error(ErrorKind::auth, [&] { run(); });
  EXPECT_NE(m.find("refused on the Freebox's screen"), std::string::npos);
  EXPECT_NE(m.find("boxwarden pair -g 192.168.1.254"), std::string::npos);
}

TEST_F(FreeboxPairing, TheBoxGivesUp) {
  box.pair_statuses = {"pending", "timeout"};
  std::string m = expect_error(ErrorKind::auth, [&] { run(); });
  EXPECT_NE(m.find("in time"), std::string::npos);
  EXPECT_NE(m.find("press the right arrow"), std::string::npos);
}

TEST_F(FreeboxPairing, PendingForeverEndsAtTheTwoMinutes) {
  box.pair_statuses = {"pending"};
  std::string m = expect_error(ErrorKind::auth, [&] { run(); });
  EXPECT_NE(m.find("within 120 s"), std::string::npos);
  EXPECT_EQ(box.polls, 120);
  EXPECT_EQ(clock.elapsed(), 119s);
}

TEST_F(FreeboxPairing, UnknownRequest) {
  box.pair_statuses = {"unknown"};
  expect_error(ErrorKind::auth, [&] { run(); });
  EXPECT_EQ(box.polls, 1);
}

}  // namespace
}  // namespace bw
