// Merging what two APIs see of one box.
#include <gtest/gtest.h>

#include <functional>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "discovery/box.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw {
namespace {

TEST(DiscoveryBox, AMappingSeenTwiceIsOneEntryWithBothOrigins) {
  RouterState livebox;
  livebox.apis = {"livebox"};
  livebox.static_forwards_known = true;
  livebox.dmz = Dmz{true, "192.168.1.10", {}};
  auto f = test::forward(Protocol::udp, 3074, "192.168.1.20");
  f.origin = {"upnp"};
  f.apis = {"livebox"};
  auto rdp = test::forward(Protocol::tcp, 3389, "192.168.1.10");
  rdp.origin = {"webui"};
  rdp.apis = {"livebox"};
  livebox.port_forwards = {f, rdp};

  RouterState igd;
  igd.apis = {"upnp-igd"};
  igd.external_ip = "11.22.33.44";
  igd.upnp_igd_enabled = true;
  auto g = f;
  g.apis = {"upnp-igd"};
  igd.port_forwards = {g};

  merge_state(livebox, igd);
  ASSERT_EQ(livebox.port_forwards.size(), 2u);
  EXPECT_EQ(livebox.port_forwards[0].apis, (std::vector<std::string>{"livebox", "upnp-igd"}));
  EXPECT_EQ(livebox.apis, (std::vector<std::string>{"livebox", "upnp-igd"}));
  EXPECT_EQ(livebox.external_ip, "11.22.33.44");
  EXPECT_TRUE(livebox.dmz->enabled);
  EXPECT_EQ(livebox.upnp_igd_enabled, true);
  EXPECT_TRUE(livebox.static_forwards_known);
}

TEST(DiscoveryBox, UnknownStaysUnknownWhenNobodyCanReadIt) {
  RouterState a, b;
  merge_state(a, b);
  auto u = a.unknown();
  EXPECT_NE(std::find(u.begin(), u.end(), "dmz"), u.end());
  EXPECT_NE(std::find(u.begin(), u.end(), "remote_admin"), u.end());
}

// The IPv6 firewall and the box's own WAN services come from whichever plugin could read them.
TEST(DiscoveryBox, MergeKeepsIpv6FirewallAndBoxServices) {
  RouterState igd, vendor;
  vendor.ipv6_firewall_enabled = false;
  vendor.box_services = {{"https", "tcp", 29491, true, true}};
  vendor.box_services_known = true;
  merge_state(igd, vendor);
  EXPECT_EQ(igd.ipv6_firewall_enabled, false);
  ASSERT_TRUE(igd.box_services_known);
  ASSERT_EQ(igd.box_services.size(), 1u);
  EXPECT_EQ(igd.box_services[0].port, 29491);
  RouterState none;
  merge_state(vendor, none);
  EXPECT_EQ(vendor.ipv6_firewall_enabled, false);
  EXPECT_EQ(vendor.box_services.size(), 1u);
}

// A plugin whose session reads what `read` gives (or throws).
class ScriptedPlugin final : public VendorPlugin {
 public:
  ScriptedPlugin(std::string id, Capabilities caps, std::function<RouterState()> read)
      : m_id(std::move(id)), m_caps(caps), m_read(std::move(read)) {}
  std::string_view id() const override { return m_id; }
  std::string_view display_name() const override { return m_id; }
  std::string_view summary() const override { return m_id; }
  Capabilities capabilities() const override { return m_caps; }
  bool matches(const Target&, SessionContext&) const override { return true; }
  std::unique_ptr<Session> open(const Target&, SessionContext&) const override {
    return std::make_unique<ScriptedSession>(m_read);
  }

 private:
  class ScriptedSession final : public Session {
   public:
    explicit ScriptedSession(std::function<RouterState()> read) : m_read(std::move(read)) {}
    RouterState read_state() override { return m_read(); }
    void apply(const Change&) override {}

   private:
    std::function<RouterState()> m_read;
  };
  std::string m_id;
  Capabilities m_caps;
  std::function<RouterState()> m_read;
};

class NoHttp final : public HttpClient {
 public:
  HttpResponse perform(const HttpRequest&, const Deadline&) override { throw Error(ErrorKind::internal, "no HTTP"); }
};

RouterState vendor_view(bool upnp_on) {
  RouterState s;
  s.apis = {"vendor"};
  s.upnp_igd_enabled = upnp_on;
  return s;
}

RouterState igd_gone() {
  throw Error(ErrorKind::unreachable, "cannot reach http://192.168.1.1:5000/ctl/IPConn: Couldn't connect to server");
}

// Reads the box made of a vendor API (UPnP on or off) and a generic IGD that no longer answers.
std::string read_with_silent_igd(bool upnp_on, bool with_vendor = true) {
  NoHttp http;
  Deadline deadline(std::chrono::seconds(5));
  SessionContext ctx(http, deadline);
  ScriptedPlugin vendor("vendor", static_cast<uint32_t>(Capability::read_upnp_switch),
                        [upnp_on] { return vendor_view(upnp_on); });
  ScriptedPlugin igd("igd", static_cast<uint32_t>(Capability::generic_igd), igd_gone);
  Discovered found;
  found.target.address = "192.168.1.1";
  if (with_vendor) {
    found.plugins.push_back(&vendor);
  }
  found.plugins.push_back(&igd);
  Box box(found, ctx);
  try {
    RouterState s = box.read_state();
    return "read: " + s.apis.front() + (s.upnp_igd_enabled == false ? ", upnp off" : ", upnp on");
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
}

// The box's own UPnP switch, once off, stops its IGD (a Freebox, tests/lab/freebox_doctor_test.sh):
// the re-read after a fix that switched UPnP off must not take that for a box gone away.
TEST(DiscoveryBox, AnIgdSilencedByTheBoxsOwnUpnpSwitchIsNotAnUnreachableBox) {
  EXPECT_EQ(read_with_silent_igd(false), "read: vendor, upnp off");
}

TEST(DiscoveryBox, AnIgdThatStopsAnsweringWhileUpnpIsOnIsUnreachable) {
  EXPECT_EQ(read_with_silent_igd(true).rfind("error: cannot reach", 0), 0u);
}

TEST(DiscoveryBox, ASilentIgdAloneIsUnreachable) {
  EXPECT_EQ(read_with_silent_igd(false, false).rfind("error: cannot reach", 0), 0u);
}

}  // namespace
}  // namespace bw
