// The FRITZ!Box TR-064 parsers against the captures in tests/fixtures/fritzbox (a FRITZ!Box
// 7590, FRITZ!OS 154.07.10, from kbr/fritzconnection), plus missing, mistyped and hostile values.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "net/soap.hpp"
#include "vendors/fritzbox/fritzbox_parse.hpp"

namespace bw::fritz {
namespace {

namespace fs = std::filesystem;

const fs::path k_fritz_dir = fs::path(BOXWARDEN_FIXTURES) / "fritzbox";

std::string fritz_read(const std::string& name) {
  std::ifstream in(k_fritz_dir / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FritzboxParse, Tr64descOfThe7590) {
  auto d = parse_tr64desc(fritz_read("tr64desc.xml"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->manufacturer, "AVM");
  EXPECT_EQ(d->model, "FRITZ!Box 7590");
  EXPECT_EQ(d->firmware, "154.07.10");
  EXPECT_EQ(d->services.size(), 34u);  // the fixture's 34 controlURLs, embedded devices included
  EXPECT_EQ(d->control_url("Layer3Forwarding:1"), "/upnp/control/layer3forwarding");
  EXPECT_EQ(d->control_url("WANPPPConnection:1"), "/upnp/control/wanpppconn1");
  EXPECT_EQ(d->control_url("WANIPConnection:1"), "/upnp/control/wanipconnection1");
  EXPECT_EQ(d->control_url("X_AVM-DE_UPnP:1"), "/upnp/control/x_upnp");
  EXPECT_EQ(d->control_url("X_AVM-DE_RemoteAccess:1"), "/upnp/control/x_remote");
  EXPECT_EQ(d->control_url("Hosts:1"), "/upnp/control/hosts");
  EXPECT_EQ(d->service_type("X_AVM-DE_UPnP:1"), "urn:dslforum-org:service:X_AVM-DE_UPnP:1");
  EXPECT_EQ(d->control_url("WANIPConnection"), "");  // the version is part of the name
  EXPECT_EQ(d->control_url("NoSuchService:1"), "");
}

TEST(FritzboxParse, TheIgdDescriptionIsNotTr064) {
  // igddesc.xml is AVM's too, but the UPnP Forum's IGD, not TR-064: not a FRITZ!Box fingerprint.
  EXPECT_FALSE(parse_tr64desc(fritz_read("igddesc.xml")));
  EXPECT_FALSE(parse_tr64desc(fritz_read("devicehostlist.xml")));
  EXPECT_FALSE(parse_tr64desc(""));
  EXPECT_FALSE(parse_tr64desc("<root><device><manufacturer>AVM</manufacturer></device></root>"));
  EXPECT_FALSE(parse_tr64desc("not xml at all <"));
}

TEST(FritzboxParse, ControlUrlsAreLocalPaths) {
  std::string x = "<root xmlns='urn:dslforum-org:device-1-0'><device><deviceType>urn:dslforum-org:device:"
                  "InternetGatewayDevice:1</deviceType><manufacturer>AVM</manufacturer><serviceList>"
                  "<service><serviceType>urn:dslforum-org:service:A:1</serviceType><controlURL>http://evil/x"
                  "</controlURL></service>"
                  "<service><serviceType>urn:dslforum-org:service:B:1</serviceType><controlURL>//evil/x</controlURL></service>"
                  "<service><serviceType>urn:dslforum-org:service:C:1</serviceType><controlURL>/../etc</controlURL></service>"
                  "<service><serviceType>urn:dslforum-org:service:D:1</serviceType><controlURL>/ok</controlURL></service>"
                  "</serviceList></device></root>";
  auto d = parse_tr64desc(x);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->control_url("A:1"), "");
  EXPECT_EQ(d->control_url("B:1"), "");
  EXPECT_EQ(d->control_url("C:1"), "");
  EXPECT_EQ(d->control_url("D:1"), "/ok");
}

TEST(FritzboxParse, DefaultConnectionService) {
  EXPECT_EQ(connection_service("1.WANPPPConnection.1"), "WANPPPConnection:1");
  EXPECT_EQ(connection_service("1.WANIPConnection.1"), "WANIPConnection:1");
  EXPECT_EQ(connection_service("1.WANDSLLinkConfig.1"), "");
  EXPECT_EQ(connection_service(""), "");
  EXPECT_EQ(connection_service("...."), "");
}

TEST(FritzboxParse, PortMappingFromTheDocsExample) {
  // The GetGenericPortMappingEntry answer of fritzbox-tr064.md 5.4, through the SOAP parser.
  std::string body =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<u:GetGenericPortMappingEntryResponse xmlns:u=\"urn:dslforum-org:service:WANPPPConnection:1\">"
      "<NewRemoteHost>0.0.0.0</NewRemoteHost><NewExternalPort>8443</NewExternalPort><NewProtocol>TCP</NewProtocol>"
      "<NewInternalPort>443</NewInternalPort><NewInternalClient>192.168.178.20</NewInternalClient>"
      "<NewEnabled>1</NewEnabled><NewPortMappingDescription>nas-https</NewPortMappingDescription>"
      "<NewLeaseDuration>0</NewLeaseDuration></u:GetGenericPortMappingEntryResponse></s:Body></s:Envelope>";
  soap::Reply r = soap::parse_reply(body);
  ASSERT_EQ(r.fault_code, 0);
  auto f = parse_port_mapping(r.values);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->protocol, Protocol::tcp);
  EXPECT_EQ(f->external_port, 8443);
  EXPECT_EQ(f->external_port_end, 8443);
  EXPECT_EQ(f->internal_port, 443);
  EXPECT_EQ(f->internal_host, "192.168.178.20");
  EXPECT_EQ(f->remote_host, "");  // 0.0.0.0: any source
  EXPECT_TRUE(f->enabled);
  EXPECT_EQ(f->description, "nas-https");
  EXPECT_EQ(f->origin, std::vector<std::string>{"webui"});
  EXPECT_EQ(f->apis, std::vector<std::string>{"fritzbox"});
  // What AddPortMapping needs to put it back exactly: the remote host as listed.
  EXPECT_EQ(f->vendor_data["fritzbox"]["remote_host"], "0.0.0.0");
  EXPECT_EQ(f->vendor_data["fritzbox"]["lease"], 0);
}

TEST(FritzboxParse, PortMappingRefusesInvalidFields) {
  Values ok = {{"NewExternalPort", "104"}, {"NewProtocol", "TCP"}, {"NewInternalPort", "104"},
               {"NewInternalClient", "192.168.1.10"}, {"NewEnabled", "1"}};
  EXPECT_TRUE(parse_port_mapping(ok));
  for (auto [k, bad] : std::vector<std::pair<std::string, std::string>>{
           {"NewExternalPort", "0"}, {"NewExternalPort", "65536"}, {"NewExternalPort", "-1"},
           {"NewExternalPort", "80x"}, {"NewProtocol", "ICMP"}, {"NewInternalClient", "fritz.box"},
           {"NewInternalClient", "1.2.3.256"}, {"NewInternalClient", "1.2.3"}}) {
    Values v = ok;
    v[k] = bad;
    EXPECT_FALSE(parse_port_mapping(v)) << k << "=" << bad;
  }
  Values off = ok;
  off["NewEnabled"] = "0";
  EXPECT_FALSE(parse_port_mapping(off)->enabled);
  Values evil = ok;
  evil["NewPortMappingDescription"] = std::string(5000, 'A') + "\x1b[31m";
  EXPECT_LE(parse_port_mapping(evil)->description.size(), k_max_text);
}

TEST(FritzboxParse, HostList) {
  auto hosts = parse_host_list(fritz_read("devicehostlist.xml"));
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_EQ(hosts[0].ip, "192.168.178.54");
  EXPECT_EQ(hosts[0].name, "MacBook");
  EXPECT_EQ(hosts[0].mac, "F8:4D:89:7C:0A:32");
  EXPECT_TRUE(hosts[0].active);
  EXPECT_EQ(hosts[0].interface_type, "802.11");
  EXPECT_EQ(hosts[1].name, "fritz.repeater");
  EXPECT_FALSE(hosts[2].active);
  EXPECT_EQ(hosts[3].name, "raspberrypi");
  EXPECT_TRUE(parse_host_list("<List><Item><IPAddress>nope</IPAddress></Item></List>").empty());
  EXPECT_TRUE(parse_host_list("garbage").empty());
}

TEST(FritzboxParse, HostListPathStaysOnTheBox) {
  EXPECT_EQ(safe_path("/devicehostlist.lua?sid=0123456789abcdef"), "/devicehostlist.lua?sid=0123456789abcdef");
  EXPECT_EQ(safe_path("http://evil/x"), "");
  EXPECT_EQ(safe_path("//evil/x"), "");
  EXPECT_EQ(safe_path("/a/../../etc/passwd"), "");
  EXPECT_EQ(safe_path("/x y"), "");
  EXPECT_EQ(safe_path(""), "");
}

TEST(FritzboxParse, LastUser) {
  EXPECT_EQ(last_user("<List><Username last_user=\"0\">other</Username><Username last_user=\"1\">fritz1234</Username></List>"),
            "fritz1234");
  EXPECT_EQ(last_user("<List><Username last_user=\"0\">other</Username></List>"), "");
  EXPECT_EQ(last_user("<List><Username last_user=\"1\">a\"b</Username></List>"), "");  // unusable in a header
  EXPECT_EQ(last_user("<<<"), "");
}

TEST(FritzboxParse, SwitchesAndRemoteAccess) {
  Upnp u = parse_upnp({{"NewEnable", "1"}, {"NewUPnPMediaServer", "0"}});
  EXPECT_EQ(u.enabled, true);
  EXPECT_EQ(u.media_server, false);
  EXPECT_FALSE(parse_upnp({{"NewEnable", "yes"}}).enabled);
  RemoteAccess r = parse_remote_access({{"NewEnabled", "1"}, {"NewPort", "4443"}, {"NewUsername", "x"}});
  EXPECT_EQ(r.enabled, true);
  EXPECT_EQ(r.port, 4443);
  EXPECT_EQ(parse_remote_access({{"NewEnabled", "0"}, {"NewPort", "99999"}}).port, 0);
  DeviceInfo d = parse_device_info({{"NewModelName", "FRITZ!Box 7530 AX"}, {"NewSoftwareVersion", "256.08.00"},
                                    {"NewSerialNumber", "000000000000"}});
  EXPECT_EQ(d.model, "FRITZ!Box 7530 AX");
  EXPECT_EQ(d.firmware, "256.08.00");
}

TEST(FritzboxParse, FaultFromTheDocs) {
  std::string body =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Client"
      "</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns=\"urn:dslforum-org:control-1-0\">"
      "<errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError>"
      "</detail></s:Fault></s:Body></s:Envelope>";
  soap::Reply r = soap::parse_reply(body);
  EXPECT_EQ(r.fault_code, 713);
  EXPECT_EQ(fault_name(713), "SpecifiedArrayIndexInvalid");
  EXPECT_EQ(fault_name(606), "Action Not Authorized");
  EXPECT_EQ(fault_name(12345), "error");
}

}  // namespace
}  // namespace bw::fritz
