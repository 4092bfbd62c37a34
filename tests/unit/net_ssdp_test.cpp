// SSDP answers: parsing, and the rule that only the gateway's own description is trusted.
#include <gtest/gtest.h>

#include "net/gateway.hpp"
#include "net/ssdp.hpp"

namespace bw {
namespace {

TEST(NetSsdp, ParsesMiniupnpdAnswer) {
  std::string d =
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
      "USN: uuid:x::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\nSERVER: Debian/12 UPnP/1.1 "
      "MiniUPnPd/2.3.1\r\nLOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n";
  SsdpReply r;
  ASSERT_TRUE(parse_ssdp_reply(d, r));
  EXPECT_EQ(r.location, "http://192.168.1.1:5000/rootDesc.xml");
  EXPECT_EQ(r.server, "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1");
}

TEST(NetSsdp, RejectsNonAnswers) {
  SsdpReply r;
  EXPECT_FALSE(parse_ssdp_reply("M-SEARCH * HTTP/1.1\r\nLOCATION: http://x/\r\n\r\n", r));
  EXPECT_FALSE(parse_ssdp_reply("HTTP/1.1 200 OK\r\nST: x\r\n\r\n", r));
  EXPECT_FALSE(parse_ssdp_reply("", r));
}

TEST(NetSsdp, LocationMustBeOnTheGateway) {
  EXPECT_TRUE(location_on_host("http://192.168.1.1:5000/rootDesc.xml", "192.168.1.1"));
  EXPECT_TRUE(location_on_host("http://192.168.1.1/desc", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://192.168.1.10:5000/rootDesc.xml", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://192.168.1.1.evil.example/x", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://192.168.1.1@11.22.33.1/x", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("https://192.168.1.1/x", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("file:///etc/passwd", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://127.0.0.1:5000/x", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://192.168.1.1:99999/x", "192.168.1.1"));
  EXPECT_FALSE(location_on_host("http://192.168.1.1:/x", "192.168.1.1"));
}

TEST(NetGateway, ReadsTheDefaultRouteFromARouteTable) {
  char path[] = "/tmp/bw-route-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  ASSERT_EQ(write(fd, table.data(), table.size()), static_cast<ssize_t>(table.size()));
  close(fd);
  EXPECT_EQ(default_gateway_ipv4(path).value_or(""), "192.168.1.1");
  unlink(path);
  EXPECT_FALSE(default_gateway_ipv4("/nonexistent").has_value());
}

TEST(NetGateway, ParsesHostPort) {
  EXPECT_EQ(parse_host_port("192.168.1.1").host, "192.168.1.1");
  EXPECT_EQ(parse_host_port("127.0.0.1:8080").port, 8080);
  EXPECT_THROW(parse_host_port("192.168.1.1:0"), std::exception);
  EXPECT_THROW(parse_host_port("livebox.home"), std::exception);
  EXPECT_TRUE(is_private_ipv4("172.20.0.1"));
  EXPECT_FALSE(is_private_ipv4("11.22.33.44"));
}

}  // namespace
}  // namespace bw
