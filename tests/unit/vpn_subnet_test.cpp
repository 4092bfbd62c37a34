// Subnets: parsing, overlaps, and a tunnel subnet that never collides with the LAN.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "vpn/local_net.hpp"
#include "vpn/subnet.hpp"

namespace bw::vpn {
namespace {

Ipv4Net net(const char* cidr) {
  auto n = parse_cidr(cidr);
  EXPECT_TRUE(n) << cidr;
  return n.value_or(Ipv4Net{});
}

TEST(VpnSubnet, ParsesAndFormats) {
  EXPECT_EQ(net("192.168.1.0/24").to_string(), "192.168.1.0/24");
  EXPECT_EQ(net("10.0.0.0/8").prefix, 8);
  EXPECT_EQ(net("0.0.0.0/0").prefix, 0);
  EXPECT_FALSE(parse_cidr("192.168.1.1/24"));  // host bits set: a typo
  EXPECT_FALSE(parse_cidr("192.168.1.0"));
  EXPECT_FALSE(parse_cidr("192.168.1.0/33"));
  EXPECT_FALSE(parse_cidr("192.168.1.0/"));
  EXPECT_FALSE(parse_cidr("192.168.01.0/24"));
  EXPECT_FALSE(parse_cidr("256.1.1.0/24"));
  EXPECT_FALSE(parse_cidr("1.2.3/24"));
  EXPECT_FALSE(parse_ipv4_address("1.2.3.4.5"));
  EXPECT_EQ(format_ipv4(*parse_ipv4_address("11.22.33.44")), "11.22.33.44");
}

TEST(VpnSubnet, Overlaps) {
  EXPECT_TRUE(net("192.168.0.0/16").overlaps(net("192.168.1.0/24")));
  EXPECT_TRUE(net("192.168.1.0/24").overlaps(net("192.168.0.0/16")));
  EXPECT_FALSE(net("192.168.1.0/24").overlaps(net("192.168.2.0/24")));
  EXPECT_TRUE(net("10.253.0.0/24").overlaps(net("10.0.0.0/8")));
  EXPECT_EQ(net("10.253.0.0/24").host(1), *parse_ipv4_address("10.253.0.1"));
  EXPECT_EQ(net("10.253.0.0/24").host_count(), 254u);
}

TEST(VpnSubnet, ChoiceAvoidsTheLan) {
  EXPECT_EQ(choose_tunnel_subnet({net("192.168.1.0/24")})->to_string(), "10.253.0.0/24");
  // A LAN in 10/8 (some boxes) pushes the choice out of 10/8 altogether.
  auto c = choose_tunnel_subnet({net("10.0.0.0/8")});
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->overlaps(net("10.0.0.0/8")));
  // Networks this computer already has are avoided too; the default route is ignored.
  c = choose_tunnel_subnet({net("192.168.1.0/24"), net("10.253.0.0/23"), net("0.0.0.0/0")});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to_string(), "10.253.2.0/24");
  // Everything taken: no choice.
  EXPECT_FALSE(choose_tunnel_subnet({net("10.0.0.0/8"), net("172.16.0.0/12"), net("192.168.0.0/16")}));
}

TEST(VpnSubnet, ProblemsWithAGivenSubnet) {
  Ipv4Net lan = net("192.168.1.0/24");
  EXPECT_EQ(tunnel_subnet_problem(net("10.253.0.0/24"), lan, {}), "");
  EXPECT_NE(tunnel_subnet_problem(net("192.168.1.0/24"), lan, {}).find("overlaps the LAN"), std::string::npos);
  EXPECT_NE(tunnel_subnet_problem(net("192.168.0.0/16"), lan, {}).find("overlaps the LAN"), std::string::npos);
  EXPECT_NE(tunnel_subnet_problem(net("172.17.0.0/24"), lan, {net("172.17.0.0/16")}).find("already uses"),
            std::string::npos);
  EXPECT_NE(tunnel_subnet_problem(net("10.253.0.0/31"), lan, {}).find("too small"), std::string::npos);
}

TEST(VpnSubnet, ReadsTheRoutingTable) {
  std::string path = (std::filesystem::temp_directory_path() / "bw_vpn_route_test").string();
  std::ofstream(path) << "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                         "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                         "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                         "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
  auto nets = routed_networks(path);
  std::remove(path.c_str());
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0].to_string(), "192.168.1.0/24");
  EXPECT_EQ(nets[1].to_string(), "172.17.0.0/16");
}

}  // namespace
}  // namespace bw::vpn
