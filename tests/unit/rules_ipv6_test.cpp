// IPv6: the firewall switch and the pinholes, from the state to the finding, the plan, the
// change a plugin makes, its check on the next read and rollback's preview.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/change.hpp"
#include "core/error.hpp"
#include "discovery/box.hpp"
#include "plan/action.hpp"
#include "plan/planner.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "tests/unit/shipped_profile.hpp"

namespace bw {
namespace {

using test::shipped;

// A box read completely, IPv6 on, firewall on, no pinhole.
RouterState ipv6_state() {
  RouterState s;
  s.address = "192.168.1.1";
  s.apis = {"livebox"};
  s.static_forwards_known = true;
  s.dmz = Dmz{};
  s.upnp_igd_enabled = false;
  s.remote_admin_enabled = false;
  s.ipv6_enabled = true;
  s.ipv6_firewall_enabled = true;
  s.ipv6_firewall_level = "Medium";
  s.pinholes_known = true;
  return s;
}

Pinhole pinhole(uint16_t port, const std::string& host, const std::string& origin, const std::string& id) {
  Pinhole p;
  p.protocol = Protocol::tcp;
  p.port = port;
  p.port_end = port;
  p.internal_host = host;
  p.origin = {origin};
  p.id = id;
  p.apis = {"livebox"};
  return p;
}

Pinhole hidden(const std::string& id) {
  Pinhole p;
  p.id = id;
  p.origin = {"upnp"};
  p.details_hidden = true;
  p.apis = {"upnp-igd"};
  return p;
}

const Finding* find_rule(const std::vector<Finding>& fs, std::string_view rule) {
  auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.rule == rule; });
  return it == fs.end() ? nullptr : &*it;
}

TEST(RulesIpv6, ABoxReadCompletelyWithItsFirewallOnHasNoFinding) {
  EXPECT_TRUE(evaluate(shipped("medical-practice"), ipv6_state()).empty());
  EXPECT_TRUE(ipv6_state().unknown().empty());
}

TEST(RulesIpv6, TheFirewallAtItsLowestLevelIsCriticalForAPracticeAndHighAtHome) {
  RouterState s = ipv6_state();
  s.ipv6_firewall_enabled = false;
  s.ipv6_firewall_level = "Low";
  auto fs = evaluate(shipped("medical-practice"), s);
  const Finding* f = find_rule(fs, rule_id::ipv6_firewall_off);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->subject.kind, SubjectKind::ipv6_firewall);
  EXPECT_EQ(f->subject.ipv6_level, "Low");
  EXPECT_EQ(f->action, "enable-ipv6-firewall");
  EXPECT_NE(f->title.find("IPv6"), std::string::npos);
  EXPECT_NE(f->title.find("Low"), std::string::npos);
  EXPECT_TRUE(f->data_at_risk);
  EXPECT_EQ(find_rule(evaluate(shipped("strict"), s), rule_id::ipv6_firewall_off)->severity, Severity::critical);
  EXPECT_EQ(find_rule(evaluate(shipped("home"), s), rule_id::ipv6_firewall_off)->severity, Severity::high);
}

TEST(RulesIpv6, AProfileWithoutTheKeyJudgesTheFirewallLikeTheDmzAndAllowTurnsItToInfo) {
  RouterState s = ipv6_state();
  s.ipv6_firewall_enabled = false;
  s.ipv6_firewall_level.clear();
  Profile p = parse_profile("name t\nsummary t\ndmz low\n", "t.profile");
  EXPECT_EQ(find_rule(evaluate(p, s), rule_id::ipv6_firewall_off)->severity, Severity::low);
  Profile allow = parse_profile("name t\nsummary t\nipv6-firewall-off allow\n", "t.profile");
  const std::vector<Finding> findings = evaluate(allow, s);
  const Finding* f = find_rule(findings, rule_id::ipv6_firewall_off);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->allowed);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->action, "none");
}

TEST(RulesIpv6, NoIpv6OnTheInternetSideMeansNothingToAskAndNothingToJudge) {
  RouterState s = ipv6_state();
  s.ipv6_enabled = false;
  s.ipv6_firewall_enabled.reset();
  s.pinholes_known = false;
  EXPECT_TRUE(s.unknown().empty());
  EXPECT_TRUE(evaluate(shipped("strict"), s).empty());
  s.ipv6_enabled.reset();  // unknown: never safe
  EXPECT_EQ(s.unknown(), (std::vector<std::string>{"ipv6_firewall", "ipv6_pinholes"}));
  auto fs = evaluate(shipped("medical-practice"), s);
  EXPECT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].rule, rule_id::state_unknown);
  EXPECT_NE(fs[0].title.find("IPv6"), std::string::npos);
}

TEST(RulesIpv6, APinholeIsJudgedLikeAForwardOfTheSameService) {
  RouterState s = ipv6_state();
  s.pinholes = {pinhole(11112, "2001:db8:77::10", "upnp", "upnp_1"), pinhole(40000, "2001:db8:77::20", "webui", "w")};
  auto fs = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].rule, rule_id::expose_service);
  EXPECT_EQ(fs[0].severity, Severity::critical);  // DICOM: class health
  EXPECT_EQ(fs[0].service_class, "health");
  EXPECT_EQ(fs[0].subject.kind, SubjectKind::ipv6_pinhole);
  EXPECT_EQ(fs[0].action, "delete-ipv6-pinhole");
  EXPECT_EQ(fs[0].title.rfind("Over IPv6: Anyone on the Internet", 0), 0u) << fs[0].title;
  EXPECT_NE(fs[0].title.find("2001:db8:77::10"), std::string::npos);
  EXPECT_NE(fs[0].why.find("through UPnP"), std::string::npos);
  EXPECT_EQ(fs[1].rule, rule_id::expose_port);
  EXPECT_EQ(fs[1].severity, Severity::high);  // other-forward high
  EXPECT_EQ(to_json(fs[0])["subject"]["internal_host"], "2001:db8:77::10");
}

TEST(RulesIpv6, AnAllowLineMatchesAPinholeByItsIpv6HostInAnySpelling) {
  RouterState s = ipv6_state();
  Pinhole wg = pinhole(51820, "2001:db8:77::10", "webui", "wg");
  wg.protocol = Protocol::udp;
  s.pinholes = {wg};
  Profile p = parse_profile("name t\nsummary t\nallow 51820/udp host 2001:DB8:77:0::10 purpose VPN\n", "t.profile");
  auto fs = evaluate(p, s);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].rule, rule_id::expose_allowed);
  s.pinholes[0].internal_host = "2001:db8:77::11";
  EXPECT_NE(evaluate(p, s)[0].rule, rule_id::expose_allowed);
}

TEST(RulesIpv6, AHiddenPinholeIsReportedAndLeftToAPersonWithTheWaysToCloseIt) {
  RouterState s = ipv6_state();
  s.pinholes = {hidden("3")};
  Profile p = shipped("medical-practice");
  auto fs = evaluate(p, s);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].rule, rule_id::expose_port);
  EXPECT_EQ(fs[0].severity, Severity::high);  // other-upnp-mapping
  EXPECT_NE(fs[0].title.find("#3"), std::string::npos);
  EXPECT_EQ(fs[0].action, "manual");  // as the plan says
  auto plan = make_plan(fs, Severity::low, "192.168.1.1", [](const Action&) { return true; }, false);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].kind, ChangeKind::manual);
  EXPECT_FALSE(plan[0].automatic);
  EXPECT_NE(plan[0].manual_steps.find("only the device that opened"), std::string::npos);
  EXPECT_NE(plan[0].manual_steps.find("switch UPnP off"), std::string::npos);
  EXPECT_NE(plan[0].manual_steps.find("http://192.168.1.1"), std::string::npos);
}

TEST(RulesIpv6, ThePlanRaisesTheFirewallAndDeletesPinholesAndTheirInversesPutThemBack) {
  RouterState before = ipv6_state();
  before.ipv6_firewall_enabled = false;
  before.ipv6_firewall_level = "Low";
  before.pinholes = {pinhole(3389, "2001:db8:77::10", "webui", "webui_rdp")};
  auto fs = evaluate(shipped("medical-practice"), before);
  auto plan = make_plan(fs, Severity::low, "192.168.1.1", [](const Action&) { return true; }, false);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].kind, ChangeKind::delete_pinhole);
  EXPECT_EQ(plan[1].kind, ChangeKind::enable_ipv6_firewall);
  EXPECT_EQ(change_of(plan[1]).ipv6_level, "Low");

  RouterState after = before;
  after.pinholes.clear();
  after.ipv6_firewall_enabled = true;
  after.ipv6_firewall_level = "Medium";
  for (const Action& a : plan) {
    EXPECT_TRUE(effect_visible(a, after)) << to_string(a.kind);
    EXPECT_FALSE(effect_visible(a, before)) << to_string(a.kind);
    EXPECT_TRUE(original_visible(a, before)) << to_string(a.kind);
    // Backups hold the plan as JSON: the inverse is built from what is read back.
    Action back = action_from_json(to_json(a));
    Action undo = inverse(back);
    EXPECT_FALSE(effect_visible(undo, after)) << to_string(undo.kind);
    EXPECT_TRUE(effect_visible(undo, before)) << to_string(undo.kind);
  }
  // Back at another level than the one read is not the original.
  RouterState high = before;
  high.ipv6_firewall_level = "High";
  EXPECT_FALSE(effect_visible(inverse(plan[1]), high));
  EXPECT_EQ(inverse(plan[1]).kind, ChangeKind::restore_ipv6_firewall);
  EXPECT_EQ(to_string(inverse(plan[0]).kind), "restore-ipv6-pinhole");

  RouterState preview = after;
  for (auto it = plan.rbegin(); it != plan.rend(); ++it) {
    put_back(change_of(*it), preview);
  }
  EXPECT_EQ(preview.ipv6_firewall_enabled, false);
  EXPECT_EQ(preview.ipv6_firewall_level, "Low");
  ASSERT_EQ(preview.pinholes.size(), 1u);
  EXPECT_TRUE(preview.pinholes[0].same_rule(before.pinholes[0]));
}

TEST(RulesIpv6, APinholeRecreatedUnderAnotherOriginIsStillTheSameHole) {
  Pinhole upnp = pinhole(11112, "2001:db8:77::10", "upnp", "upnp_1");
  Pinhole again = pinhole(11112, "2001:db8:77::10", "webui", "webui_boxwarden_1");
  EXPECT_TRUE(upnp.same_rule(again));
  Pinhole other = again;
  other.port = other.port_end = 11113;
  EXPECT_FALSE(upnp.same_rule(other));
  Pinhole same_id = pinhole(22, "2001:db8:77::99", "upnp", "upnp_1");
  EXPECT_TRUE(upnp.same_rule(same_id));  // one box id, one hole
  EXPECT_FALSE(hidden("1").same_rule(hidden("2")));
  EXPECT_TRUE(hidden("1").same_rule(hidden("1")));
}

TEST(RulesIpv6, PinholesSurviveABackupExactly) {
  RouterState s = ipv6_state();
  Pinhole p = pinhole(1000, "2001:db8:77::10", "webui", "webui_x");
  p.port_end = 1010;
  p.remote_host = "2001:db8:1::/48";
  p.remote_port = 7;
  p.lease_seconds = 3600;
  p.description = "bo\"ok";
  p.vendor_data = {{"livebox", {{"SourceInterface", "data"}}}};
  Pinhole any = hidden("9");
  any.any_protocol = true;
  s.pinholes = {p, any};
  s.ipv6_exposed_host = Dmz{true, "2001:db8:77::30", nullptr};
  RouterState back = router_state_from_json(to_json(s));
  nlohmann::json a = to_json(s), b = to_json(back);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["ipv6_firewall"]["level"], "Medium");
  EXPECT_EQ(a["ipv6"]["enabled"], true);
  EXPECT_EQ(a["ipv6_pinholes"][1]["protocol"], "ANY");
  EXPECT_EQ(back.pinholes[0].remote_host, "2001:db8:1::/48");
  EXPECT_EQ(back.pinholes[0].key(), "TCP/[2001:db8:77::10]:1000-1010");
  EXPECT_EQ(back.pinholes[1].key(), "pinhole #9");
  nlohmann::json bad = a;
  bad["ipv6_pinholes"][0]["internal_host"] = "not an address";
  EXPECT_THROW(router_state_from_json(bad), Error);
  bad = a;
  bad["ipv6_pinholes"][0]["protocol"] = "SCTP";
  EXPECT_THROW(router_state_from_json(bad), Error);
}

TEST(RulesIpv6, MergeDropsHiddenHolesWhenAnotherApiListedEveryPinhole) {
  RouterState vendor = ipv6_state();
  vendor.pinholes = {pinhole(11112, "2001:db8:77::10", "upnp", "upnp_1")};
  RouterState igd;
  igd.apis = {"upnp-igd"};
  igd.ipv6_firewall_enabled = true;
  igd.pinholes = {hidden("1"), hidden("2")};
  RouterState a = vendor;
  merge_state(a, igd);
  ASSERT_EQ(a.pinholes.size(), 1u);
  EXPECT_FALSE(a.pinholes[0].details_hidden);
  RouterState b = igd;  // the IGD answered first
  merge_state(b, vendor);
  ASSERT_EQ(b.pinholes.size(), 1u);
  EXPECT_TRUE(b.pinholes_known);
  RouterState c = igd;  // the IGD alone: its hidden holes are all there is to say
  merge_state(c, RouterState{});
  EXPECT_EQ(c.pinholes.size(), 2u);
  EXPECT_FALSE(c.pinholes_known);
}

TEST(RulesIpv6, EveryNewChangeKindHasANameAnInverseAndACapability) {
  for (auto [k, name] : {std::pair{ChangeKind::enable_ipv6_firewall, "enable-ipv6-firewall"},
                         std::pair{ChangeKind::restore_ipv6_firewall, "restore-ipv6-firewall"},
                         std::pair{ChangeKind::delete_pinhole, "delete-ipv6-pinhole"},
                         std::pair{ChangeKind::add_pinhole, "restore-ipv6-pinhole"}}) {
    EXPECT_EQ(to_string(k), name);
    EXPECT_EQ(change_kind_from_name(name), k);
    EXPECT_EQ(inverse(inverse(k)), k);
  }
  EXPECT_EQ(capability_names(static_cast<Capabilities>(Capability::read_pinholes) |
                             Capability::set_ipv6_firewall),
            (std::vector<std::string>{"change-ipv6-firewall", "read-ipv6-pinholes"}));
}

}  // namespace
}  // namespace bw
