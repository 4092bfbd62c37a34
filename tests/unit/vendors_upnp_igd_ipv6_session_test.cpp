// The UPnP IGD plugin's IPv6 reading against a fake IGD: GetFirewallStatus, the pinhole walk
// on the WANIPv6FirewallControl control URL, its share of the run's deadline, and what is
// reported when the box has no such service, hides it off the gateway or answers garbage.
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/manual_clock.hpp"
#include "vendors/upnp_igd/upnp_igd.hpp"

namespace bw {
namespace {

using std::chrono::milliseconds;

const std::string k_desc_url = "http://192.168.1.1:5000/rootDesc.xml";

std::string envelope(const std::string& inner) {
  return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" +
         inner + "</s:Body></s:Envelope>";
}

std::string fault(int code) {
  return envelope("<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                  "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" +
                  std::to_string(code) + "</errorCode></UPnPError></detail></s:Fault>");
}

// A miniupnpd-like IGD:2 with (optionally) WANIPv6FirewallControl:1.
class FakeIgd : public HttpClient {
 public:
  bool ipv6 = true;
  std::string ipv6_control = "/ctl/IP6FCtl";
  std::string firewall_enabled = "1", inbound_allowed = "1";
  std::map<uint32_t, int> pinholes;  // id -> 0 (ours) or 606 (another host's); others 704
  int otherwise = 704;
  test::ManualClock* clock = nullptr;
  milliseconds per_ipv6_call{0};  // each IPv6 answer takes this long (on the manual clock)
  std::vector<HttpRequest> seen;

  HttpResponse perform(const HttpRequest& req, const Deadline& deadline) override {
    seen.push_back(req);
    if (req.timeout.count() <= 0 || deadline.expired()) {
      throw Error(ErrorKind::unreachable, "time is up");
    }
    HttpResponse r;
    r.status = 200;
    if (req.method == "GET") {
      r.body = description();
      return r;
    }
    std::string action = soap_action(req);
    if (req.url.find("/ctl/IPConn") != std::string::npos) {
      if (action == "GetExternalIPAddress") {
        r.body = envelope("<u:GetExternalIPAddressResponse xmlns:u=\"x\"><NewExternalIPAddress>11.22.33.44"
                          "</NewExternalIPAddress></u:GetExternalIPAddressResponse>");
      } else {
        r.status = 500;
        r.body = fault(730);  // no mapping
      }
      return r;
    }
    if (clock) {
      if (per_ipv6_call > req.timeout) {
        clock->advance(req.timeout);
        throw Error(ErrorKind::unreachable, "no complete answer in time");
      }
      clock->advance(per_ipv6_call);
    }
    if (action == "GetFirewallStatus") {
      r.body = envelope("<u:GetFirewallStatusResponse xmlns:u=\"x\"><FirewallEnabled>" + firewall_enabled +
                        "</FirewallEnabled><InboundPinholeAllowed>" + inbound_allowed +
                        "</InboundPinholeAllowed></u:GetFirewallStatusResponse>");
      return r;
    }
    if (action == "GetPinholePackets") {
      auto at = req.body.find("<UniqueID>");
      uint32_t id = static_cast<uint32_t>(std::stoul(req.body.substr(at + 10)));
      pinhole_ids.push_back(id);
      auto it = pinholes.find(id);
      int code = it == pinholes.end() ? otherwise : it->second;
      if (code == 0) {
        r.body = envelope("<u:GetPinholePacketsResponse xmlns:u=\"x\"><PinholePackets>3</PinholePackets>"
                          "</u:GetPinholePacketsResponse>");
      } else {
        r.status = 500;
        r.body = fault(code);
      }
      return r;
    }
    r.status = 500;
    r.body = fault(401);
    return r;
  }

  std::vector<uint32_t> pinhole_ids;

  std::vector<HttpRequest> requests_to(const std::string& path) const {
    std::vector<HttpRequest> out;
    for (const auto& r : seen) {
      if (r.url.find(path) != std::string::npos) {
        out.push_back(r);
      }
    }
    return out;
  }

 private:
  static std::string soap_action(const HttpRequest& req) {
    for (const auto& h : req.headers) {
      auto hash = h.find('#');
      if (h.rfind("SOAPAction:", 0) == 0 && hash != std::string::npos) {
        return h.substr(hash + 1, h.size() - hash - 2);
      }
    }
    return "";
  }

  std::string description() const {
    std::string fc = ipv6 ? "<service><serviceType>urn:schemas-upnp-org:service:WANIPv6FirewallControl:1</serviceType>"
                            "<controlURL>" + ipv6_control + "</controlURL></service>"
                          : "";
    return "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>"
           "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType><friendlyName>fake</friendlyName>"
           "<deviceList><device><deviceList><device><serviceList>"
           "<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>"
           "<controlURL>/ctl/IPConn</controlURL></service>" +
           fc + "</serviceList></device></deviceList></device></deviceList></device></root>";
  }
};

class IgdIpv6Session : public ::testing::Test {
 protected:
  FakeIgd box;
  test::ManualClock clock;
  Deadline deadline{std::chrono::seconds(30), clock};
  std::vector<std::string> told;

  RouterState read() {
    SessionContext ctx{box, deadline};
    ctx.tell = [this](const std::string& line) { told.push_back(line); };
    auto session = upnp_igd_plugin().open(Target{"192.168.1.1", 0, k_desc_url}, ctx);
    return session->read_state();
  }
};

TEST_F(IgdIpv6Session, ReadsTheFirewallAndFindsHiddenAndOwnedPinholes) {
  box.pinholes = {{1, 606}, {2, 0}};
  RouterState s = read();
  ASSERT_TRUE(s.ipv6_firewall_enabled.has_value());
  EXPECT_TRUE(*s.ipv6_firewall_enabled);
  ASSERT_EQ(s.pinholes.size(), 2u);
  EXPECT_EQ(s.pinholes[0].id, "1");
  EXPECT_TRUE(s.pinholes[0].details_hidden);
  EXPECT_EQ(s.pinholes[0].origin, std::vector<std::string>{"upnp"});
  EXPECT_EQ(s.pinholes[0].apis, std::vector<std::string>{"upnp-igd"});
  EXPECT_EQ(s.pinholes[0].vendor_data["owned"], false);
  EXPECT_EQ(s.pinholes[1].id, "2");
  EXPECT_TRUE(s.pinholes[1].details_hidden);  // UPnP has no action that returns the details
  EXPECT_EQ(s.pinholes[1].vendor_data["owned"], true);
  EXPECT_FALSE(s.pinholes_known);  // the box's own pages may have made others
  EXPECT_EQ(s.vendor_data["upnp_ipv6_firewall"]["inbound_pinhole_allowed"], true);
  EXPECT_EQ(s.vendor_data["upnp_ipv6_firewall"]["pinhole_walk"]["cut_short"], false);
  EXPECT_EQ(box.pinhole_ids.size(), 37u);  // ids 1..34 and the canary 65535 three times
  EXPECT_TRUE(told.empty());
  // Every IPv6 call went to the IPv6 firewall's control URL with its service type.
  auto calls = box.requests_to("/ctl/IP6FCtl");
  ASSERT_EQ(calls.size(), 38u);
  for (const auto& r : calls) {
    EXPECT_EQ(r.url, "http://192.168.1.1:5000/ctl/IP6FCtl");
    EXPECT_FALSE(r.changes_box);
    EXPECT_LE(r.max_response_bytes, 64u * 1024);
    EXPECT_NE(r.headers[1].find("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1#"), std::string::npos);
  }
}

TEST_F(IgdIpv6Session, FirewallOffIsReported) {
  box.firewall_enabled = "0";
  box.inbound_allowed = "0";
  RouterState s = read();
  ASSERT_TRUE(s.ipv6_firewall_enabled.has_value());
  EXPECT_FALSE(*s.ipv6_firewall_enabled);
  EXPECT_EQ(s.vendor_data["upnp_ipv6_firewall"]["inbound_pinhole_allowed"], false);
}

TEST_F(IgdIpv6Session, NoIpv6ServiceLeavesTheFirewallUnknownAndAsksNothing) {
  box.ipv6 = false;
  RouterState s = read();
  EXPECT_FALSE(s.ipv6_firewall_enabled.has_value());
  EXPECT_TRUE(s.pinholes.empty());
  EXPECT_FALSE(s.pinholes_known);
  EXPECT_TRUE(box.pinhole_ids.empty());
  auto unknown = s.unknown();
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "ipv6_firewall"), unknown.end());
}

TEST_F(IgdIpv6Session, ControlUrlOffTheGatewayIsNeverCalled) {
  box.ipv6_control = "http://192.168.1.66:5000/ctl/IP6FCtl";
  RouterState s = read();
  EXPECT_FALSE(s.ipv6_firewall_enabled.has_value());
  EXPECT_TRUE(box.requests_to("192.168.1.66").empty());
}

TEST_F(IgdIpv6Session, GarbageStatusIsUnknownButTheWalkStillRuns) {
  box.firewall_enabled = "\x1b[31mon";
  box.pinholes = {{1, 606}};
  RouterState s = read();
  EXPECT_FALSE(s.ipv6_firewall_enabled.has_value());
  EXPECT_EQ(s.pinholes.size(), 1u);
}

TEST_F(IgdIpv6Session, BoxThatSaysEveryIdExistsReportsNoneAndSaysWhy) {
  box.otherwise = 606;
  RouterState s = read();
  EXPECT_TRUE(s.pinholes.empty());
  EXPECT_EQ(box.pinhole_ids, std::vector<uint32_t>{65535});
  EXPECT_FALSE(s.pinholes_known);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("do not tell which pinholes exist"), std::string::npos) << told[0];
}

TEST_F(IgdIpv6Session, ASessionWalksOnceAndLaterReadsReuseWhatItFound) {
  box.pinholes = {{1, 606}};
  SessionContext ctx{box, deadline};
  auto session = upnp_igd_plugin().open(Target{"192.168.1.1", 0, k_desc_url}, ctx);
  RouterState first = session->read_state();
  size_t asked = box.pinhole_ids.size();
  RouterState second = session->read_state();
  EXPECT_EQ(box.pinhole_ids.size(), asked);  // no id asked again
  ASSERT_EQ(second.pinholes.size(), 1u);
  EXPECT_EQ(second.pinholes[0].id, first.pinholes[0].id);
  EXPECT_EQ(box.requests_to("/ctl/IP6FCtl").size(), asked + 2);  // one GetFirewallStatus per read
}

TEST_F(IgdIpv6Session, EndlessWalkIsCutAt64AndSaysSo) {
  box.otherwise = 606;
  box.pinholes = {{65535, 704}};
  RouterState s = read();
  EXPECT_EQ(s.pinholes.size(), 64u);
  EXPECT_EQ(box.pinhole_ids.size(), 128u);
  EXPECT_EQ(s.vendor_data["upnp_ipv6_firewall"]["pinhole_walk"]["cut_short"], true);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("not all read"), std::string::npos) << told[0];
}

TEST_F(IgdIpv6Session, SlowWalkKeepsToItsShareOfTheDeadline) {
  box.otherwise = 606;
  box.pinholes = {{65535, 704}};
  box.clock = &clock;
  box.per_ipv6_call = milliseconds(1000);
  RouterState s = read();
  // 30 s for the run: the walk may use an eighth of it (3.75 s), one second per id.
  EXPECT_GE(box.pinhole_ids.size(), 3u);
  EXPECT_LE(box.pinhole_ids.size(), 5u);
  EXPECT_LE(clock.elapsed(), milliseconds(6000));
  EXPECT_GE(deadline.remaining(), milliseconds(24000));
  for (const auto& r : box.requests_to("/ctl/IP6FCtl")) {
    EXPECT_LE(r.timeout, milliseconds(3000));
  }
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("not all read"), std::string::npos) << told[0];  // out of time, or a call cut by it
}

TEST_F(IgdIpv6Session, HangingBoxTimesOutPerCallAndTheReadSucceeds) {
  box.otherwise = 606;
  box.clock = &clock;
  box.per_ipv6_call = milliseconds(60000);  // never answers in time
  RouterState s = read();
  EXPECT_FALSE(s.ipv6_firewall_enabled.has_value());
  EXPECT_TRUE(s.pinholes.empty());
  EXPECT_GE(deadline.remaining(), milliseconds(15000));  // 3 s per call at most
  ASSERT_EQ(told.size(), 1u);
}

}  // namespace
}  // namespace bw
