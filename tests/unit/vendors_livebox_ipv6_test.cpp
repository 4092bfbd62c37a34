// The Livebox's IPv6 side: parsing the WAN's IPv6 state, the IPv6 firewall level and the
// pinholes (livebox.md 4.2, 6.3, 6.5, shapes from the captures there), and the plugin's
// IPv6 changes against the fake /ws: by id and origin only, committed, verified, rehearsed.
#include <chrono>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/recording_http_client.hpp"
#include "tests/fakes/changes.hpp"
#include "vendors/livebox/livebox.hpp"
#include "vendors/livebox/livebox_ipv6_parse.hpp"
#include "vendors_livebox_fake_http.hpp"

namespace bw {
namespace {

using livebox_test::FakeLivebox;
using nlohmann::json;

constexpr const char* k_pc6 = "2001:db8:77::10";

// livebox.md 6.5 (S5's capture; its elided address filled in).
json captured_pinholes() {
  return json::parse(R"({"webui_tailscale":{"Id":"webui_tailscale","Origin":"webui","Description":"tailscale",
    "Status":"Enabled","SourceInterface":"data","Protocol":"17","IPVersion":6,"SourcePort":"",
    "DestinationPort":"41641","SourcePrefix":"","DestinationIPAddress":"2a01:cb00:1234:5600::42",
    "DestinationMACAddress":"AA:BB:CC:DD:EE:FF","Enable":true}})");
}

TEST(LiveboxIpv6Parse, PinholeFromTheCapturedShape) {
  auto holes = livebox::parse_pinholes(captured_pinholes());
  ASSERT_EQ(holes.size(), 1u);
  const Pinhole& p = holes[0];
  EXPECT_EQ(p.protocol, Protocol::udp);
  EXPECT_FALSE(p.any_protocol);
  EXPECT_EQ(p.port, 41641);
  EXPECT_EQ(p.port_end, 41641);
  EXPECT_EQ(p.internal_host, "2a01:cb00:1234:5600::42");
  EXPECT_EQ(p.remote_host, "");
  EXPECT_EQ(p.origin, std::vector<std::string>{"webui"});
  EXPECT_EQ(p.id, "webui_tailscale");
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.description, "tailscale");
  EXPECT_EQ(p.apis, std::vector<std::string>{"livebox"});
  EXPECT_EQ(p.vendor_data["rule"], captured_pinholes()["webui_tailscale"]);
  EXPECT_EQ(livebox::pinhole_set_params(p.vendor_data["rule"]),
            json::parse(R"({"id":"webui_tailscale","origin":"webui","sourceInterface":"data","sourcePort":"",
              "destinationPort":"41641","destinationIPAddress":"2a01:cb00:1234:5600::42",
              "destinationMACAddress":"AA:BB:CC:DD:EE:FF","sourcePrefix":"","protocol":"17","ipversion":6,
              "enable":true,"persistent":true,"description":"tailscale"})"));
}

TEST(LiveboxIpv6Parse, BothProtocolsRangesEveryPortAndUnknownsAreNeverSafe) {
  json status = {
      {"webui_both", FakeLivebox::pinhole("webui_both", "webui", "6,17", "5000-5010", k_pc6)},
      {"webui_all", FakeLivebox::pinhole("webui_all", "webui", "6", "", k_pc6)},
      {"webui_gre", FakeLivebox::pinhole("webui_gre", "webui", "47", "", k_pc6)},
      {"upnp_3", FakeLivebox::pinhole("upnp_3", "upnp", "6", "11112", "**REDACTED**")},
      {"junk", 42},
  };
  status["webui_both"]["SourcePrefix"] = "2001:db8:5::/48";
  status["upnp_3"].erase("Enable");
  status["upnp_3"]["Status"] = "Disabled";
  status["upnp_3"]["Id"] = "**REDACTED**";
  auto holes = livebox::parse_pinholes(status);
  ASSERT_EQ(holes.size(), 5u);  // "6,17" gives two; the non-object is skipped
  int both = 0;
  for (const Pinhole& p : holes) {
    if (p.id == "webui_both") {
      ++both;
      EXPECT_EQ(p.port, 5000);
      EXPECT_EQ(p.port_end, 5010);
      EXPECT_EQ(p.remote_host, "2001:db8:5::/48");
    } else if (p.id == "webui_all") {
      EXPECT_EQ(p.port, 0);  // every port
    } else if (p.id == "webui_gre") {
      EXPECT_TRUE(p.any_protocol);  // not TCP or UDP: read as every protocol, never as nothing
    } else {
      EXPECT_EQ(p.id, "upnp_3");  // the map key when the Id is redacted
      EXPECT_FALSE(p.enabled);
      EXPECT_EQ(p.internal_host, "");
    }
  }
  EXPECT_EQ(both, 2);
  EXPECT_TRUE(livebox::parse_pinholes(json::array()).empty());
  EXPECT_TRUE(livebox::parse_pinholes(nullptr).empty());
}

TEST(LiveboxIpv6Parse, WanIpv6StateFromTheCaptures) {
  // LB7 (S3 fixture): addresses redacted, ConnectionStateIPv6 Bound.
  auto lb7 = livebox::unwrap_reply(json::parse(R"({"status":true,"data":{"IPAddress":"**REDACTED**",
      "IPv6Address":"**REDACTED**","IPv6DelegatedPrefix":"**REDACTED**","ConnectionStateIPv6":"Bound"}})"));
  EXPECT_EQ(livebox::parse_wan_ipv6(lb7), true);
  // LB3 (S3 fixture): an empty IPv6 address and no IPv6 connection state.
  auto lb3 = livebox::unwrap_reply(json::parse(R"({"status":true,"data":{"IPAddress":"x","IPv6Address":""}})"));
  EXPECT_EQ(livebox::parse_wan_ipv6(lb3), false);
  auto silent = livebox::unwrap_reply(json::parse(R"({"status":true,"data":{"IPAddress":"x"}})"));
  EXPECT_EQ(livebox::parse_wan_ipv6(silent), std::nullopt);
  auto odd = livebox::unwrap_reply(json::parse(R"({"status":true,"data":{"IPv6Address":7}})"));
  EXPECT_EQ(livebox::parse_wan_ipv6(odd), std::nullopt);
}

TEST(LiveboxIpv6Parse, OnlyTheFourLevels) {
  EXPECT_EQ(livebox::parse_ipv6_level("Low"), "Low");
  EXPECT_EQ(livebox::parse_ipv6_level("Custom"), "Custom");
  EXPECT_EQ(livebox::parse_ipv6_level("low"), "");
  EXPECT_EQ(livebox::parse_ipv6_level(3), "");
  EXPECT_EQ(livebox::parse_ipv6_level(nullptr), "");
}

class LiveboxIpv6Session : public ::testing::Test {
 protected:
  FakeLivebox box;
  RecordingHttpClient rec{box};
  Deadline deadline{std::chrono::seconds(30)};
  Target target{"192.168.1.1", 0, ""};

  void SetUp() override {
    box.ipv6_api = true;
    box.ipv6_level = "Low";
    box.pinholes = {{"webui_RDP", FakeLivebox::pinhole("webui_RDP", "webui", "6", "3389", k_pc6)},
                    {"upnp_1", FakeLivebox::pinhole("upnp_1", "upnp", "6", "11112", k_pc6)}};
  }

  std::unique_ptr<Session> open() {
    Credentials c;
    c.password = Secret("pa\"ss");
    c.use_netrc = false;
    SessionContext ctx{rec, deadline, c};
    return livebox_plugin().open(target, ctx);
  }

  static const Pinhole& hole(const RouterState& s, const std::string& id) {
    for (const Pinhole& p : s.pinholes) {
      if (p.id == id) {
        return p;
      }
    }
    throw std::runtime_error("no pinhole " + id);
  }

  static Change pinhole_change(ChangeKind kind, const Pinhole& p) {
    Change c = test::change(kind);
    c.pinhole = p;
    return c;
  }

  static Change level_change(ChangeKind kind, const std::string& level) {
    Change c = test::change(kind);
    c.ipv6_level = level;
    return c;
  }

  void expect_no_origin_only_delete() {
    for (const auto& s : box.calls_of("Firewall:deletePinhole")) {
      EXPECT_FALSE(s.body["parameters"].value("id", "").empty()) << s.request.body;
      EXPECT_FALSE(s.body["parameters"].value("origin", "").empty()) << s.request.body;
    }
    EXPECT_EQ(box.bulk_deletes, 0);
  }
};

TEST_F(LiveboxIpv6Session, ReadsTheLevelThePinholesAndTheWanIpv6) {
  RouterState st = open()->read_state();
  EXPECT_EQ(st.ipv6_enabled, true);
  EXPECT_EQ(st.ipv6_firewall_enabled, false);  // Low filters nothing
  EXPECT_EQ(st.ipv6_firewall_level, "Low");
  EXPECT_TRUE(st.pinholes_known);
  ASSERT_EQ(st.pinholes.size(), 2u);
  EXPECT_EQ(hole(st, "upnp_1").origin, std::vector<std::string>{"upnp"});
  EXPECT_EQ(hole(st, "webui_RDP").port, 3389);
  box.ipv6_level = "High";
  st = open()->read_state();
  EXPECT_EQ(st.ipv6_firewall_enabled, true);
  EXPECT_EQ(st.ipv6_firewall_level, "High");
}

TEST_F(LiveboxIpv6Session, ModelsWithoutTheApiLeaveItUnknownQuietly) {
  box.ipv6_api = false;
  RouterState st = open()->read_state();
  EXPECT_FALSE(st.pinholes_known);
  EXPECT_TRUE(st.pinholes.empty());
  EXPECT_EQ(st.ipv6_firewall_enabled, std::nullopt);
  EXPECT_EQ(st.ipv6_firewall_level, "");
  EXPECT_EQ(st.ipv6_enabled, std::nullopt);  // the WAN status says nothing of IPv6 here
  EXPECT_TRUE(st.vendor_data["livebox"]["read_errors"].contains("Firewall:getPinhole"));
}

TEST_F(LiveboxIpv6Session, EnableRaisesLowToMediumOnlyAndVerifies) {
  auto s = open();
  s->apply(test::change(ChangeKind::enable_ipv6_firewall));
  EXPECT_EQ(box.ipv6_level, "Medium");
  auto sets = box.calls_of("Firewall:setFirewallIPv6Level");
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].body["parameters"], json({{"level", "Medium"}}));
  box.ipv6_level = "High";  // a level that filters already is left alone
  s->apply(test::change(ChangeKind::enable_ipv6_firewall));
  EXPECT_EQ(box.ipv6_level, "High");
  EXPECT_EQ(box.calls_of("Firewall:setFirewallIPv6Level").size(), 1u);
}

TEST_F(LiveboxIpv6Session, RestorePutsBackTheLevelReadBeforeExactly) {
  box.ipv6_level = "Medium";
  auto s = open();
  s->apply(level_change(ChangeKind::restore_ipv6_firewall, "Low"));
  EXPECT_EQ(box.ipv6_level, "Low");
  s->apply(level_change(ChangeKind::restore_ipv6_firewall, "Low"));  // in place: nothing sent
  EXPECT_EQ(box.calls_of("Firewall:setFirewallIPv6Level").size(), 1u);
  try {
    s->apply(level_change(ChangeKind::restore_ipv6_firewall, ""));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
  }
  EXPECT_EQ(box.ipv6_level, "Low");
}

TEST_F(LiveboxIpv6Session, ALevelThatDoesNotChangeIsRefused) {
  auto s = open();
  box.ignore_level_set = true;  // answers true, keeps Low: only the re-read tells
  try {
    s->apply(test::change(ChangeKind::enable_ipv6_firewall));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_NE(std::string(e.what()).find("is Low, not Medium"), std::string::npos) << e.what();
  }
}

TEST_F(LiveboxIpv6Session, DeleteByIdAndOriginThenCommitAndVerify) {
  auto s = open();
  RouterState st = s->read_state();
  s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, "upnp_1")));
  s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, "webui_RDP")));
  EXPECT_TRUE(box.pinholes.empty());
  auto dels = box.calls_of("Firewall:deletePinhole");
  ASSERT_EQ(dels.size(), 2u);
  EXPECT_EQ(dels[0].body["parameters"], json({{"id", "upnp_1"}, {"origin", "upnp"}}));
  EXPECT_EQ(dels[1].body["parameters"], json({{"id", "webui_RDP"}, {"origin", "webui"}}));
  EXPECT_EQ(box.commits, 2);
  expect_no_origin_only_delete();
  // Already gone: verified by the listing, nothing sent again.
  s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, "upnp_1")));
  EXPECT_EQ(box.calls_of("Firewall:deletePinhole").size(), 2u);
}

TEST_F(LiveboxIpv6Session, ADeleteTheBoxIgnoresIsRefused) {
  auto s = open();
  RouterState st = s->read_state();
  box.ignore_pinhole_delete = true;
  try {
    s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, "webui_RDP")));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_NE(std::string(e.what()).find("still listed"), std::string::npos);
  }
}

TEST_F(LiveboxIpv6Session, APinholeRepointedSinceTheReadIsLeftAlone) {
  auto s = open();
  RouterState st = s->read_state();
  box.pinholes["webui_RDP"]["DestinationIPAddress"] = "2001:db8:77::20";
  try {
    s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, "webui_RDP")));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
  EXPECT_TRUE(box.calls_of("Firewall:deletePinhole").empty());
  EXPECT_TRUE(box.pinholes.contains("webui_RDP"));
}

TEST_F(LiveboxIpv6Session, ClosingOneProtocolOfATwoProtocolPinholeKeepsTheOther) {
  box.pinholes = {{"webui_Game", FakeLivebox::pinhole("webui_Game", "webui", "6,17", "3074", k_pc6)}};
  auto s = open();
  RouterState st = s->read_state();
  ASSERT_EQ(st.pinholes.size(), 2u);
  const Pinhole& tcp = st.pinholes[0].protocol == Protocol::tcp ? st.pinholes[0] : st.pinholes[1];
  s->apply(pinhole_change(ChangeKind::delete_pinhole, tcp));
  EXPECT_EQ(box.pinholes["webui_Game"]["Protocol"], "17");
  EXPECT_TRUE(box.calls_of("Firewall:deletePinhole").empty());
  s->apply(pinhole_change(ChangeKind::add_pinhole, tcp));  // rollback: the whole rule back
  EXPECT_EQ(box.pinholes["webui_Game"]["Protocol"], "6,17");
}

TEST_F(LiveboxIpv6Session, RestoreWebUiExactlyAndUpnpAsAWebUiPinhole) {
  auto s = open();
  RouterState st = s->read_state();
  json before = box.pinholes;
  for (const char* id : {"webui_RDP", "upnp_1"}) {
    s->apply(pinhole_change(ChangeKind::delete_pinhole, hole(st, id)));
  }
  for (const char* id : {"upnp_1", "webui_RDP"}) {
    s->apply(pinhole_change(ChangeKind::add_pinhole, hole(st, id)));
  }
  EXPECT_EQ(box.pinholes["webui_RDP"], before["webui_RDP"]);
  ASSERT_TRUE(box.pinholes.contains("webui_boxwarden_TCP_11112"));
  const json& back = box.pinholes["webui_boxwarden_TCP_11112"];
  EXPECT_EQ(back["Origin"], "webui");
  EXPECT_EQ(back["DestinationIPAddress"], k_pc6);
  EXPECT_EQ(back["DestinationPort"], "11112");
  EXPECT_EQ(back["Protocol"], "6");
  auto sets = box.calls_of("Firewall:setPinhole");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].body["parameters"], livebox::pinhole_set_params(before["webui_RDP"]));
  // Again: in place, nothing sent.
  s->apply(pinhole_change(ChangeKind::add_pinhole, hole(st, "upnp_1")));
  s->apply(pinhole_change(ChangeKind::add_pinhole, hole(st, "webui_RDP")));
  EXPECT_EQ(box.calls_of("Firewall:setPinhole").size(), 2u);
}

TEST_F(LiveboxIpv6Session, RestoringAUpnpPinholeThatIsStillThereSendsNothing) {
  auto s = open();
  RouterState st = s->read_state();
  s->apply(pinhole_change(ChangeKind::add_pinhole, hole(st, "upnp_1")));
  EXPECT_TRUE(box.calls_of("Firewall:setPinhole").empty());
  EXPECT_EQ(box.pinholes.size(), 2u);
}

TEST_F(LiveboxIpv6Session, DryRunNamesTheRequestsAndSendsNone) {
  auto s = open();
  RouterState st = s->read_state();
  auto lines = test::rehearse(rec, *s, pinhole_change(ChangeKind::delete_pinhole, hole(st, "webui_RDP")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"(POST http://192.168.1.1/ws Firewall:deletePinhole {"id":"webui_RDP","origin":"webui"})");
  EXPECT_EQ(lines[1], "POST http://192.168.1.1/ws Firewall:commit {}");
  lines = test::rehearse(rec, *s, test::change(ChangeKind::enable_ipv6_firewall));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], R"(POST http://192.168.1.1/ws Firewall:setFirewallIPv6Level {"level":"Medium"})");
  EXPECT_EQ(box.ipv6_level, "Low");  // rehearsed: nothing sent
  EXPECT_EQ(box.pinholes.size(), 2u);
}

TEST_F(LiveboxIpv6Session, CapabilitiesIncludeIpv6) {
  Capabilities c = livebox_plugin().capabilities();
  for (Capability k : {Capability::read_ipv6_firewall, Capability::set_ipv6_firewall, Capability::read_pinholes,
                       Capability::delete_pinhole, Capability::add_pinhole}) {
    EXPECT_TRUE(has(c, k));
  }
}

}  // namespace
}  // namespace bw
