// Merging what two APIs see of one box.
#include <gtest/gtest.h>

#include "discovery/box.hpp"
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

}  // namespace
}  // namespace bw
