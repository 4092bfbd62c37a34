// The IGD parsers against the real descriptions and SOAP bodies in shared/fixtures/upnp.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "net/soap.hpp"
#include "tests/unit/upnp_fixture.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

namespace bw::igd {
namespace {

using test::upnp_fixture;

TEST(IgdXml, LiveboxDescriptionGivesPppV2ServiceResolvedOnTheBox) {
  auto d = parse_description(upnp_fixture("miniupnpc-testdesc_new_LiveBox_desc.xml"), "http://192.168.1.1:60000/desc.xml");
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].service_type, "urn:schemas-upnp-org:service:WANPPPConnection:2");
  EXPECT_EQ(d.services[0].version, 2);
  EXPECT_EQ(d.services[0].control_url, "http://192.168.1.1:60000/87895a19/upnp/control/WANIPConn1");
  EXPECT_EQ(d.udn, "uuid:87895a19-50f9-3736-a87f-115c230155f8");  // the root device's, not an embedded one's
}

TEST(IgdXml, LinksysDescriptionGivesPppV1Service) {
  auto d = parse_description(upnp_fixture("miniupnpc-testdesc_linksys_WAG200G_desc.xml"), "http://192.168.1.254:49152/x.xml");
  ASSERT_FALSE(d.services.empty());
  EXPECT_EQ(d.services[0].service_type, "urn:schemas-upnp-org:service:WANPPPConnection:1");
  EXPECT_EQ(d.services[0].version, 1);
  EXPECT_NE(d.services[0].control_url.find("/upnp/control/WANPPPConn1"), std::string::npos);
  EXPECT_FALSE(d.model_name.empty());
}

TEST(IgdXml, ExternalIpReplyParses) {
  auto r = soap::parse_reply(upnp_fixture("miniupnpc-testreplyparse_GetExternalIPAddress.xml"));
  EXPECT_EQ(r.fault_code, 0);
  EXPECT_FALSE(r.values["NewExternalIPAddress"].empty());
}

TEST(IgdXml, SpecificEntryReplyParses) {
  auto r = soap::parse_reply(upnp_fixture("miniupnpc-testreplyparse_GetSpecificPortMappingEntryResp.xml"));
  EXPECT_EQ(r.fault_code, 0);
  EXPECT_TRUE(r.values.count("NewInternalClient"));
}

TEST(IgdXml, FaultGivesTheUpnpErrorCode) {
  std::string xml =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Client</faultcode>"
      "<faultstring>UPnPError</faultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>713"
      "</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault></s:Body>"
      "</s:Envelope>";
  auto r = soap::parse_reply(xml);
  EXPECT_EQ(r.fault_code, 713);
}

TEST(IgdXml, PortListingFromMiniupnpdCdata) {
  std::string inner =
      "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\"><p:PortMappingEntry><p:NewRemoteHost>"
      "</p:NewRemoteHost><p:NewExternalPort>11112</p:NewExternalPort><p:NewProtocol>TCP</p:NewProtocol><p:NewInternalPort>"
      "11112</p:NewInternalPort><p:NewInternalClient>192.168.1.10</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled>"
      "<p:NewDescription>PACS &amp; DICOM</p:NewDescription><p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry>"
      "</p:PortMappingList>";
  auto list = parse_port_listing(inner);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].external_port, 11112);
  EXPECT_EQ(list[0].internal_host, "192.168.1.10");
  EXPECT_EQ(list[0].description, "PACS & DICOM");
  EXPECT_EQ(list[0].origin, std::vector<std::string>{"upnp"});
}

TEST(IgdXml, EntityExpansionIsNotPerformed) {
  std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;\">]>"
      "<root><device><friendlyName>&lol2;</friendlyName></device></root>";
  auto d = parse_description(bomb, "http://192.168.1.1/d.xml");
  EXPECT_LT(d.friendly_name.size(), 100u);
}

TEST(IgdXml, GarbageIsAProtocolError) {
  EXPECT_THROW(parse_description("not xml at all <", "http://192.168.1.1/"), Error);
  EXPECT_THROW(soap::parse_reply("<a/>"), Error);
}

TEST(IgdXml, EnvelopeEscapesArguments) {
  auto body = soap::envelope("urn:x", "AddPortMapping", {{"NewPortMappingDescription", "<b>&"}});
  EXPECT_NE(body.find("&lt;b&gt;&amp;"), std::string::npos);
}

TEST(IgdXml, ResolveUrl) {
  EXPECT_EQ(resolve_url("http://192.168.1.1:5000/rootDesc.xml", "/ctl/IPConn"), "http://192.168.1.1:5000/ctl/IPConn");
  EXPECT_EQ(resolve_url("http://192.168.1.1:5000/a/b.xml", "ctl"), "http://192.168.1.1:5000/a/ctl");
  EXPECT_EQ(resolve_url("http://192.168.1.1:5000/", "http://10.0.0.1/x"), "http://10.0.0.1/x");
}

}  // namespace
}  // namespace bw::igd
