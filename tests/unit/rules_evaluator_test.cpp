// The evaluator against the shipped profiles: the doctor's case and its neighbours.
#include <gtest/gtest.h>

#include <algorithm>

#include "plan/planner.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "tests/unit/shipped_profile.hpp"

namespace bw {
namespace {

using test::shipped;

PortForward evaluated_forward(Protocol protocol, uint16_t port, const std::string& host,
                    const std::string& origin = "webui") {
  PortForward f;
  f.protocol = protocol;
  f.external_port = port;
  f.external_port_end = port;
  f.internal_port = port;
  f.internal_host = host;
  f.origin = {origin};
  return f;
}

Dmz dmz(bool enabled, const std::string& host) {
  Dmz d;
  d.enabled = enabled;
  d.host = host;
  return d;
}

// A box read completely (nothing unknown), with nothing switched on.
RouterState clean_state() {
  RouterState s;
  s.address = "192.168.1.1";
  s.apis = {"livebox"};
  s.static_forwards_known = true;
  s.dmz = dmz(false, "");
  s.upnp_igd_enabled = false;
  s.remote_admin_enabled = false;
  s.ipv6_firewall_enabled = true;
  s.pinholes_known = true;
  return s;
}

const Finding* only_rule(const std::vector<Finding>& findings, std::string_view rule) {
  const Finding* found = nullptr;
  for (const Finding& f : findings) {
    if (f.rule == rule) {
      EXPECT_EQ(found, nullptr) << "two findings for " << rule;
      found = &f;
    }
  }
  return found;
}

TEST(RulesEvaluator, CleanBoxHasNoFindings) {
  EXPECT_TRUE(evaluate(shipped("strict"), clean_state()).empty());
}

TEST(RulesEvaluator, DoctorsImagingPortIsCriticalUnderMedicalPractice) {
  RouterState s = clean_state();
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 11112, "192.168.1.10"));
  auto findings = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule, "EXPOSE-SERVICE");
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_EQ(f.title,
            "Anyone on the Internet can connect to the medical imaging service (DICOM) on 192.168.1.10, "
            "TCP port 11112");
  EXPECT_NE(f.why.find("DICOM viewer"), std::string::npos) << f.why;
  EXPECT_TRUE(f.data_at_risk);  // the report says the GDPR sentence once, not in each why
  EXPECT_EQ(f.why.find("GDPR"), std::string::npos) << f.why;
  EXPECT_EQ(f.action, "delete-port-forward");
  EXPECT_FALSE(f.allowed);
  EXPECT_EQ(f.subject.kind, SubjectKind::port_forward);
  ASSERT_TRUE(f.subject.forward.has_value());
  EXPECT_EQ(f.subject.forward->external_port, 11112);
  EXPECT_EQ(f.service_class, "health");
}

TEST(RulesEvaluator, RemoteDesktopIsAtLeastHigh) {
  RouterState s = clean_state();
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 3389, "192.168.1.10"));
  for (const char* profile : {"home", "small-office", "medical-practice", "strict"}) {
    auto findings = evaluate(shipped(profile), s);
    ASSERT_EQ(findings.size(), 1u) << profile;
    EXPECT_EQ(findings[0].rule, "EXPOSE-SERVICE") << profile;
    EXPECT_GE(findings[0].severity, Severity::high) << profile;
  }
  EXPECT_EQ(evaluate(shipped("medical-practice"), s)[0].severity, Severity::critical);
}

TEST(RulesEvaluator, DmzIsCriticalWithAHealthReason) {
  RouterState s = clean_state();
  s.dmz = dmz(true, "192.168.1.10");
  auto findings = evaluate(shipped("medical-practice"), s);
  const Finding* f = only_rule(findings, "EXPOSE-DMZ");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_NE(f->title.find("192.168.1.10"), std::string::npos) << f->title;
  EXPECT_TRUE(f->data_at_risk);
  EXPECT_EQ(f->action, "disable-dmz");
  ASSERT_TRUE(f->subject.dmz.has_value());
  EXPECT_EQ(f->subject.dmz->host, "192.168.1.10");
  // At home the same DMZ is high, and says nothing about patients.
  auto home = evaluate(shipped("home"), s);
  ASSERT_EQ(home.size(), 1u);
  EXPECT_EQ(home[0].severity, Severity::high);
  EXPECT_EQ(home[0].why.find("GDPR"), std::string::npos);
  EXPECT_FALSE(home[0].data_at_risk);
}

TEST(RulesEvaluator, ConsoleMappingAtHomeIsNotAboveLow) {
  RouterState s = clean_state();
  s.upnp_igd_enabled = true;
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 3074, "192.168.1.30", "upnp"));
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 41234, "192.168.1.30", "upnp"));
  auto findings = evaluate(shipped("home"), s);
  ASSERT_EQ(findings.size(), 3u);
  for (const Finding& f : findings) {
    EXPECT_LE(f.severity, Severity::low) << f.rule << ": " << f.title;
  }
  const Finding* upnp = only_rule(findings, "UPNP-ENABLED");
  ASSERT_NE(upnp, nullptr);
  EXPECT_TRUE(upnp->allowed);
  EXPECT_EQ(upnp->action, "none");
  const Finding* console = only_rule(findings, "EXPOSE-SERVICE");
  ASSERT_NE(console, nullptr);
  EXPECT_EQ(console->service_class, "gaming");
  EXPECT_NE(console->why.find("through UPnP"), std::string::npos) << console->why;
  // The same mappings in a practice are high, and UPnP itself is high; a game port
  // does not claim that patients' data can be read through it.
  for (const Finding& f : evaluate(shipped("medical-practice"), s)) {
    EXPECT_GE(f.severity, Severity::high) << f.rule << ": " << f.title;
    if (f.service_class == "gaming") {
      EXPECT_FALSE(f.data_at_risk) << f.why;
      // HIGH here: the words must not say "low risk" (issue 11).
      EXPECT_EQ(f.why.find("low risk"), std::string::npos) << f.why;
    }
  }
}

TEST(RulesEvaluator, TheIspsManagementRuleDoesNotClaimPatientsData) {
  RouterState s = clean_state();
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 7547, "192.168.1.1", "cwmp"));
  for (const Finding& f : evaluate(shipped("medical-practice"), s)) {
    EXPECT_FALSE(f.data_at_risk) << f.title;
    EXPECT_NE(f.why.find("Internet provider"), std::string::npos) << f.why;
    EXPECT_EQ(f.why.find("atient"), std::string::npos) << f.why;
  }
}

TEST(RulesEvaluator, VpnPortIsAllowedInThePractice) {
  RouterState s = clean_state();
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 51820, "192.168.1.2"));
  auto findings = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "EXPOSE-ALLOWED");
  EXPECT_EQ(findings[0].severity, Severity::info);
  EXPECT_TRUE(findings[0].allowed);
  EXPECT_EQ(findings[0].action, "none");
  EXPECT_NE(findings[0].title.find("WireGuard VPN"), std::string::npos) << findings[0].title;
  // The same port over TCP is not the VPN: not allowed, at least high.
  s.port_forwards[0].protocol = Protocol::tcp;
  findings = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "EXPOSE-PORT");
  EXPECT_GE(findings[0].severity, Severity::high);
}

TEST(RulesEvaluator, UnknownDmzIsNeverSilentlyPassing) {
  RouterState s = clean_state();
  s.dmz.reset();
  s.apis = {"upnp-igd"};
  for (const char* profile : {"home", "small-office", "medical-practice", "strict"}) {
    auto findings = evaluate(shipped(profile), s);
    const Finding* f = only_rule(findings, "STATE-UNKNOWN");
    ASSERT_NE(f, nullptr) << profile;
    EXPECT_GE(f->severity, Severity::medium) << profile;
    EXPECT_EQ(f->subject.kind, SubjectKind::unknown_field);
    EXPECT_EQ(f->subject.field, "dmz");
    EXPECT_EQ(f->action, "manual");  // the plan says "manual" too
    EXPECT_EQ(f->title, "The DMZ setting could not be read through UPnP: check it in the box's web interface");
  }
}

TEST(RulesEvaluator, EveryUnknownFieldGetsItsOwnFinding) {
  RouterState s;  // nothing could be read
  s.address = "192.168.1.1";
  auto findings = evaluate(shipped("home"), s);
  EXPECT_EQ(findings.size(), s.unknown().size());
  EXPECT_GE(findings.size(), 3u);
  for (const Finding& f : findings) {
    EXPECT_EQ(f.rule, "STATE-UNKNOWN");
    EXPECT_FALSE(f.allowed);
  }
}

TEST(RulesEvaluator, ForeignHostMappingIsUpnProxy) {
  RouterState s = clean_state();
  s.upnp_igd_enabled = true;
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 47123, "203.0.113.5", "upnp"));
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 8081, "192.168.1.1", "upnp"));  // the box itself
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 445, "8.8.8.8", "upnp"));
  auto findings = evaluate(shipped("home"), s);
  int foreign = 0;
  for (const Finding& f : findings) {
    if (f.rule == "UPNP-FOREIGN-HOST") {
      ++foreign;
      EXPECT_GE(f.severity, Severity::high) << f.title;
      EXPECT_EQ(f.action, "delete-port-forward");
    }
  }
  EXPECT_EQ(foreign, 3);
  EXPECT_NE(findings[0].title.find("outside your network"), std::string::npos) << findings[0].title;
  // A mapping towards a LAN host is judged by its port, not as foreign.
  s.port_forwards = {evaluated_forward(Protocol::tcp, 47123, "192.168.1.20", "upnp")};
  EXPECT_EQ(evaluate(shipped("home"), s)[0].rule, "EXPOSE-PORT");
}

TEST(RulesEvaluator, ForeignHostBeatsAnAllowance) {
  RouterState s = clean_state();
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 51820, "198.51.100.7", "upnp"));
  auto findings = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "UPNP-FOREIGN-HOST");
}

TEST(RulesEvaluator, HostileDescriptionNeverReachesTheTitle) {
  RouterState s = clean_state();
  PortForward f = evaluated_forward(Protocol::tcp, 3389, "192.168.1.10\x1b[2J", "upnp");
  f.description = "\x1b]0;pwned\x07 click http://evil.example";
  s.port_forwards.push_back(f);
  auto findings = evaluate(shipped("home"), s);
  ASSERT_EQ(findings.size(), 1u);
  for (const std::string& text : {findings[0].title, findings[0].why}) {
    EXPECT_EQ(text.find("evil"), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  }
  EXPECT_NE(findings[0].title.find("an unnamed device"), std::string::npos) << findings[0].title;
}

TEST(RulesEvaluator, RangeReportsItsWorstServiceAndInternalPortsCount) {
  RouterState s = clean_state();
  PortForward range = evaluated_forward(Protocol::tcp, 3000, "192.168.1.10");
  range.external_port_end = 3400;
  s.port_forwards.push_back(range);
  PortForward hidden = evaluated_forward(Protocol::tcp, 44321, "192.168.1.11");
  hidden.internal_port = 3389;  // RDP behind an unusual outside port
  s.port_forwards.push_back(hidden);
  auto findings = evaluate(shipped("medical-practice"), s);
  ASSERT_EQ(findings.size(), 2u);
  for (const Finding& f : findings) {
    EXPECT_EQ(f.rule, "EXPOSE-SERVICE");
    EXPECT_EQ(f.severity, Severity::critical);
  }
  EXPECT_NE(findings[1].title.find("sent to its port 3389"), std::string::npos) << findings[1].title;
  EXPECT_NE(findings[0].title.find("other services"), std::string::npos) << findings[0].title;
}

TEST(RulesEvaluator, SortedMostSevereFirstAndDisabledForwardsIgnored) {
  RouterState s = clean_state();
  s.upnp_igd_enabled = true;
  s.remote_admin_enabled = true;
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 3074, "192.168.1.30", "upnp"));
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 11112, "192.168.1.10"));
  PortForward off = evaluated_forward(Protocol::tcp, 445, "192.168.1.10");
  off.enabled = false;
  s.port_forwards.push_back(off);
  auto findings = evaluate(shipped("home"), s);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_TRUE(std::is_sorted(findings.begin(), findings.end(),
                             [](const Finding& a, const Finding& b) { return a.severity > b.severity; }));
  EXPECT_EQ(findings[0].severity, Severity::critical);
  EXPECT_EQ(findings[1].rule, "ADMIN-WAN");
  EXPECT_EQ(findings[1].action, "disable-remote-admin");
}

TEST(RulesEvaluator, EveryRuleIsDocumented) {
  EXPECT_EQ(rules().size(), 11u);
  for (const RuleInfo& r : rules()) {
    EXPECT_FALSE(r.summary.empty()) << r.id;
  }
}

}  // namespace
}  // namespace bw

namespace bw {
namespace {

// Issue 4: a WireGuard forward is the allowed opening; PPTP is weak; IPsec/OpenVPN are noted.
TEST(RulesEvaluatorVpn, VpnForwardsUnderMedicalPractice) {
  Profile p = load_profile("medical-practice");
  RouterState s;
  s.address = "192.168.1.1";
  s.static_forwards_known = true;
  s.dmz = Dmz{false, "", {}};
  s.upnp_igd_enabled = false;
  s.remote_admin_enabled = false;
  auto fwd = [](Protocol proto, uint16_t port) {
    PortForward f;
    f.protocol = proto;
    f.external_port = f.external_port_end = f.internal_port = port;
    f.internal_host = "192.168.1.10";
    f.origin = {"webui"};
    return f;
  };
  s.port_forwards = {fwd(Protocol::udp, 51820), fwd(Protocol::tcp, 1723), fwd(Protocol::udp, 1194),
                     fwd(Protocol::udp, 500)};
  auto findings = evaluate(p, s);
  auto rule_of = [&](uint16_t port) -> const Finding* {
    for (const auto& f : findings) {
      if (f.subject.forward && f.subject.forward->external_port == port) {
        return &f;
      }
    }
    return nullptr;
  };
  ASSERT_NE(rule_of(51820), nullptr);
  EXPECT_EQ(rule_of(51820)->rule, "EXPOSE-ALLOWED");
  EXPECT_EQ(rule_of(51820)->severity, Severity::info);
  ASSERT_NE(rule_of(1723), nullptr);
  EXPECT_GE(rule_of(1723)->severity, Severity::high);  // PPTP: weak, removed by fix
  EXPECT_EQ(rule_of(1723)->action, "delete-port-forward");
  for (uint16_t port : {1194, 500}) {
    ASSERT_NE(rule_of(port), nullptr) << port;
    EXPECT_EQ(rule_of(port)->rule, "EXPOSE-VPN") << port;
    EXPECT_LE(rule_of(port)->severity, Severity::low) << port;
    EXPECT_EQ(rule_of(port)->action, "none") << port;
  }
}

// A finding's action is the plan's action for it ("manual" where a person must act), and a
// finding with "none" (allowed, a VPN noted) never reaches the plan, whatever the threshold.
TEST(RulesEvaluator, AFindingsActionIsThePlansActionForIt) {
  RouterState s = clean_state();
  s.apis = {"upnp-igd"};
  s.dmz.reset();  // unknown: STATE-UNKNOWN, manual
  s.port_forwards.push_back(evaluated_forward(Protocol::tcp, 11112, "192.168.1.10"));
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 1194, "192.168.1.11"));
  s.port_forwards.push_back(evaluated_forward(Protocol::udp, 51820, "192.168.1.2"));
  auto findings = evaluate(shipped("medical-practice"), s);
  auto plan = make_plan(findings, Severity::info, "192.168.1.1", [](const Action&) { return true; }, false);
  size_t planned = 0;
  for (const Finding& f : findings) {
    EXPECT_FALSE(f.action.empty()) << f.rule;
    auto a = std::find_if(plan.begin(), plan.end(), [&](const Action& x) {
      return x.because_rule == f.rule && x.target.kind == f.subject.kind &&
             (!f.subject.forward || (x.target.forward && x.target.forward->key() == f.subject.forward->key()));
    });
    if (f.action == "none") {
      EXPECT_EQ(a, plan.end()) << f.rule << " " << f.title;
      continue;
    }
    ASSERT_NE(a, plan.end()) << f.rule << " " << f.title;
    EXPECT_EQ(std::string(to_string(a->kind)), f.action) << f.rule;
    ++planned;
  }
  EXPECT_EQ(planned, plan.size());
  const Finding* vpn = only_rule(findings, "EXPOSE-VPN");
  ASSERT_NE(vpn, nullptr);
  EXPECT_EQ(vpn->action, "none");
  const Finding* unknown = only_rule(findings, "STATE-UNKNOWN");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->action, "manual");
  const Finding* dicom = only_rule(findings, "EXPOSE-SERVICE");
  ASSERT_NE(dicom, nullptr);
  EXPECT_EQ(dicom->service_id, "dicom");
}

}  // namespace
}  // namespace bw
