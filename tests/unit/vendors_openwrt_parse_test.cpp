// The OpenWrt parsers against the fixtures in tests/fixtures/openwrt (fw4's default firewall and
// miniupnpd's upnpd file as rpcd's `uci get` answers them, a real network.interface dump), plus
// the doctor's redirects, hostile and mistyped values, secrets dropped, and the envelopes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "vendors/openwrt/openwrt_parse.hpp"

namespace bw::openwrt {
namespace {

namespace fs = std::filesystem;

std::string owrt_read(const std::string& name) {
  std::ifstream in(fs::path(BOXWARDEN_FIXTURES) / "openwrt" / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Section> owrt_sections(const std::string& fixture) {
  Reply r = parse_reply(owrt_read(fixture));
  EXPECT_EQ(r.status, 0);
  return parse_sections(r.data);
}

// A `uci get` answer from section literals (name -> object, in order).
std::vector<Section> owrt_get(const std::string& values) {
  return parse_sections(ojson::parse(R"j({"values":)j" + values + "}"));
}

TEST(OpenwrtParse, EnvelopesAndErrors) {
  Reply ok = parse_reply(R"j({"jsonrpc":"2.0","id":1,"result":[0,{"a":"b"}]})j");
  EXPECT_FALSE(ok.rpc_error);
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.data["a"], "b");
  Reply bare = parse_reply(R"j({"jsonrpc":"2.0","id":1,"result":[6]})j");
  EXPECT_EQ(bare.status, 6);
  EXPECT_TRUE(bare.data.empty());
  Reply denied = parse_reply(R"j({"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"Access denied"}})j");
  ASSERT_TRUE(denied.rpc_error);
  EXPECT_EQ(*denied.rpc_error, k_rpc_access_denied);
  EXPECT_EQ(denied.rpc_message, "Access denied");
  for (const char* bad : {"", "[]", "null", R"j({"result":[]})j", R"j({"result":["0"]})j", R"j({"result":[-1]})j",
                          R"j({"result":{"a":1}})j", "<html>"}) {
    EXPECT_THROW(parse_reply(bad), Error) << bad;
  }
  EXPECT_EQ(status_name(6), "permission denied");
}

TEST(OpenwrtParse, LoginKeepsOnlyAWellFormedSessionId) {
  EXPECT_EQ(parse_login(ojson::parse(R"j({"ubus_rpc_session":"c1ed6c7b025d0caca723a816fa61b668","timeout":600})j")),
            "c1ed6c7b025d0caca723a816fa61b668");
  EXPECT_FALSE(parse_login(ojson::parse(R"j({"ubus_rpc_session":"00000000000000000000000000000000"})j")));
  EXPECT_FALSE(parse_login(ojson::parse(R"j({"ubus_rpc_session":"C1ED6C7B025D0CACA723A816FA61B668"})j")));
  EXPECT_FALSE(parse_login(ojson::parse(R"j({"ubus_rpc_session":"c1ed6c7b\r\nX: y"})j")));
  EXPECT_FALSE(parse_login(ojson::parse(R"j({"ubus_rpc_session":5})j")));
}

TEST(OpenwrtParse, DefaultFirewallExposesNothing) {
  std::vector<Section> fw = owrt_sections("rpcd-uci-get-firewall-default.json");
  ASSERT_GE(fw.size(), 13u);
  EXPECT_EQ(fw[0].type, "defaults");
  for (size_t i = 1; i < fw.size(); ++i) {
    EXPECT_LT(fw[i - 1].index, fw[i].index);
  }
  Firewall f = parse_firewall(fw);
  EXPECT_TRUE(f.forwards.empty());
  EXPECT_FALSE(f.exposed_host);
  EXPECT_TRUE(f.pinholes.empty()) << "the stock ICMPv6/IPsec rules are benign";
  EXPECT_TRUE(f.input_rules.empty()) << "the stock input rules are benign";
  EXPECT_EQ(f.wan_input, "REJECT");
  EXPECT_EQ(f.wan_forward, "DROP");
  EXPECT_EQ(f.wan_networks, (std::vector<std::string>{"wan", "wan6"}));
  int stock = 0;
  for (const Section& s : fw) {
    stock += is_stock_rule(s) ? 1 : 0;
  }
  EXPECT_EQ(stock, 9);
}

TEST(OpenwrtParse, StockRuleIsComparedByContent) {
  auto fw = owrt_get(R"j({"r":{".type":"rule",".index":0,"name":"Allow-ISAKMP","src":"wan","dest":"lan","dest_port":"500","proto":"udp","target":"ACCEPT"},
                         "s":{".type":"rule",".index":1,"name":"Allow-ISAKMP","src":"wan","dest":"lan","dest_port":"445","proto":"tcp","target":"ACCEPT"}})j");
  EXPECT_TRUE(is_stock_rule(fw[0]));
  EXPECT_FALSE(is_stock_rule(fw[1])) << "a rule named like a stock one but opening SMB";
  EXPECT_EQ(parse_firewall(fw).pinholes.size(), 1u) << "wan->lan without family: IPv6 too";
}

TEST(OpenwrtParse, DoctorRedirectsRulesAndOrder) {
  auto fw = owrt_get(R"j({
    "cfg0da825":{".anonymous":true,".type":"redirect",".name":"cfg0da825",".index":13,"name":"DICOM imaging","src":"wan","src_dport":"104","dest":"lan","dest_ip":"192.168.1.10","dest_port":"104","proto":"tcp","target":"DNAT"},
    "cfg0e17de":{".anonymous":true,".type":"redirect",".name":"cfg0e17de",".index":14,"name":"RDP","src":"wan","src_dport":"3389","dest_ip":"192.168.1.10"},
    "off":{".anonymous":false,".type":"redirect",".name":"off",".index":15,"enabled":"0","src":"wan","src_dport":"5000-5010","dest_ip":"192.168.1.30","proto":["tcp"]},
    "dmz":{".type":"redirect",".index":16,"src":"wan","dest_ip":"192.168.1.50","proto":"all"},
    "v6":{".type":"redirect",".index":17,"src":"wan","src_dport":"80","dest_ip":"2001:db8::5","family":"ipv6"},
    "luci":{".type":"rule",".index":18,"name":"LuCI","src":"wan","proto":"tcp","dest_port":"443","target":"ACCEPT"},
    "pin":{".type":"rule",".index":19,"name":"NAS v6","src":"wan","dest":"lan","dest_ip":"2001:db8::20","proto":"tcp","dest_port":"8443","family":"ipv6","target":"ACCEPT"},
    "lan":{".type":"redirect",".index":20,"src":"lan","src_dport":"53","dest_ip":"192.168.1.1"}})j");
  Firewall f = parse_firewall(fw);
  ASSERT_EQ(f.forwards.size(), 4u);  // DICOM tcp, RDP tcp+udp (tcpudp by default), old NAS tcp
  EXPECT_EQ(f.forwards[0].key(), "TCP/104");
  EXPECT_EQ(f.forwards[0].internal_host, "192.168.1.10");
  EXPECT_EQ(f.forwards[0].description, "DICOM imaging");
  EXPECT_EQ(f.forwards[0].id, "cfg0da825");
  EXPECT_EQ(f.forwards[0].origin, (std::vector<std::string>{"webui"}));
  EXPECT_EQ(f.forwards[1].key(), "TCP/3389");
  EXPECT_EQ(f.forwards[1].internal_port, 3389) << "dest_port defaults to src_dport";
  EXPECT_EQ(f.forwards[2].key(), "UDP/3389");
  EXPECT_EQ(f.forwards[3].key(), "TCP/5000-5010");
  EXPECT_FALSE(f.forwards[3].enabled);
  // The whole section, options in order, is kept to put it back exactly.
  Section back = section_from_json(f.forwards[0].vendor_data["openwrt"]["section"]);
  EXPECT_EQ(back.name, "cfg0da825");
  EXPECT_TRUE(back.anonymous);
  EXPECT_EQ(back.index, 13);
  ASSERT_EQ(back.options.size(), 8u);
  EXPECT_EQ(back.options[0].first, "name");
  EXPECT_EQ(back.options[7].first, "target");
  ASSERT_TRUE(f.exposed_host);
  EXPECT_EQ(f.exposed_host->host, "192.168.1.50");
  EXPECT_EQ(f.exposed_host->vendor_data["openwrt"]["section"], "dmz");
  EXPECT_EQ(f.skipped, (std::vector<std::string>{"v6"})) << "an IPv6 redirect is named, never dropped silently";
  ASSERT_EQ(f.input_rules.size(), 1u);
  EXPECT_EQ(f.input_rules[0].ports, (std::vector<std::pair<uint16_t, uint16_t>>{{443, 443}}));
  ASSERT_EQ(f.pinholes.size(), 1u);
  EXPECT_EQ(f.pinholes[0].internal_host, "2001:db8::20");
  EXPECT_EQ(f.pinholes[0].port, 8443);
}

TEST(OpenwrtParse, SecretsAreDroppedAndTextBounded) {
  auto net = owrt_get(R"j({
    "wg0":{".type":"interface",".index":0,"proto":"wireguard","private_key":"PRIV","listen_port":"51820"},
    "p1":{".type":"wireguard_wg0",".index":1,"description":"laptop\u001b[31m","public_key":"PUB","preshared_key":"PSK"},
    "wan":{".type":"interface",".index":2,"proto":"pppoe","username":"u","password":"PPP"}})j");
  for (const Section& s : net) {
    EXPECT_EQ(s.find("private_key"), nullptr);
    EXPECT_EQ(s.find("preshared_key"), nullptr);
    EXPECT_EQ(s.find("password"), nullptr);
  }
  auto wg = parse_wireguard(net);
  ASSERT_EQ(wg.size(), 1u);
  EXPECT_EQ(wg[0].listen_port, 51820);
  ASSERT_EQ(wg[0].peers.size(), 1u);
  EXPECT_EQ(wg[0].peers[0].find('\x1b'), std::string::npos);
  auto big = owrt_get(R"j({"x":{".type":"redirect",".index":"7","name":")j" + std::string(5000, 'a') +
                      R"j(","src":"wan","src_dport":"99999","dest_ip":"192.168.1.2","n":5,"l":[1,"a"]}})j");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].index, 0) << "a .index that is not a number";
  EXPECT_LE(big[0].get("name").size(), k_max_text);
  EXPECT_EQ(big[0].find("n"), nullptr);
  EXPECT_EQ(big[0].list("l"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(parse_firewall(big).forwards.empty());
  EXPECT_EQ(parse_firewall(big).skipped.size(), 1u);
}

TEST(OpenwrtParse, Ports) {
  using Range = std::pair<uint16_t, uint16_t>;
  EXPECT_EQ(parse_ports("443"), Range(443, 443));
  EXPECT_EQ(parse_ports("8000-8010"), Range(8000, 8010));
  EXPECT_EQ(parse_ports("8000:8010"), Range(8000, 8010));
  for (const char* bad : {"", "0", "65536", "10-5", "a", "1-", "-1", "123456"}) {
    EXPECT_FALSE(parse_ports(bad)) << bad;
  }
}

TEST(OpenwrtParse, UpnpdShippedAndChanged) {
  Upnpd u = parse_upnpd(owrt_sections("rpcd-uci-get-upnpd-default.json"));
  EXPECT_EQ(u.section, "config");
  EXPECT_EQ(u.enabled, false);
  EXPECT_TRUE(u.enabled_option_present);
  EXPECT_EQ(u.secure_mode, true);
  EXPECT_EQ(u.lease_file, "/var/run/miniupnpd.leases");
  EXPECT_EQ(u.port, 5000);
  EXPECT_FALSE(u.allows_low_ports);
  Upnpd missing = parse_upnpd(owrt_get(R"j({"config":{".type":"upnpd",".index":0,"secure_mode":"0"},
      "r":{".type":"perm_rule",".index":1,"action":"allow","ext_ports":"0-65535","int_ports":"0-65535"}})j"));
  EXPECT_EQ(missing.enabled, true) << "the init script's default when the option is absent";
  EXPECT_FALSE(missing.enabled_option_present);
  EXPECT_EQ(missing.secure_mode, false);
  EXPECT_TRUE(missing.allows_low_ports);
}

TEST(OpenwrtParse, Leases) {
  std::vector<std::string> skipped;
  auto l = parse_leases("TCP:11112:192.168.1.10:11112:1767430000:PACS DICOM\nUDP:51413:192.168.1.20:51413:0:a:b\n"
                        "TCP:1:2001:db8::1:1:0:v6\nbad\n\n",
                        &skipped);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].key(), "TCP/11112");
  EXPECT_EQ(l[0].description, "PACS DICOM");
  EXPECT_EQ(l[0].origin, (std::vector<std::string>{"upnp"}));
  EXPECT_EQ(l[1].description, "a:b");
  EXPECT_EQ(skipped.size(), 2u);
}

TEST(OpenwrtParse, InterfaceDumpAndBoard) {
  Reply r;
  r.data = ojson::parse(owrt_read("ubus-network.interface-dump.json"));
  Wan w = parse_interface_dump(r.data, {"wan", "wan6"});
  EXPECT_EQ(w.ipv4, "10.11.12.194");
  EXPECT_EQ(w.ipv6, true);
  EXPECT_EQ(parse_interface_dump(r.data, {"nothing"}).ipv4, "");
  Board b = parse_board(ojson::parse(R"j({"model":"Linksys E8450 (UBI)","board_name":"linksys,e8450-ubi",
      "release":{"description":"OpenWrt 23.05.3 r23809-234f1a2efa"}})j"));
  EXPECT_EQ(b.model, "Linksys E8450 (UBI)");
  EXPECT_EQ(b.firmware, "OpenWrt 23.05.3 r23809-234f1a2efa");
}

TEST(OpenwrtParse, AdminPorts) {
  auto uhttpd = owrt_get(R"j({"main":{".type":"uhttpd",".index":0,"listen_http":["0.0.0.0:8080","[::]:8080"],"listen_https":["0.0.0.0:443"]}})j");
  auto dropbear = owrt_get(R"j({"d":{".type":"dropbear",".index":0,"Port":"2222"}})j");
  EXPECT_EQ(admin_ports(uhttpd, dropbear), (std::vector<uint16_t>{443, 2222, 8080}));
  EXPECT_EQ(admin_ports({}, {}), (std::vector<uint16_t>{22, 80, 443}));
}

}  // namespace
}  // namespace bw::openwrt
