// The Livebox parsers against every capture in shared/fixtures/livebox (all models), plus
// redacted, missing, empty and mistyped values, and both reply envelopes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/credentials.hpp"

#include "core/error.hpp"
#include "vendors/livebox/livebox_parse.hpp"
#include "vendors/livebox/livebox_request.hpp"

namespace bw::livebox {
namespace {

namespace fs = std::filesystem;

const fs::path k_dir = fs::path(BOXWARDEN_FIXTURES) / "livebox";
const std::vector<std::string> k_models = {"Livebox_3", "Livebox_7", "Livebox_Fibre"};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

WsReply reply(const std::string& rel) {
  return parse_reply(read(k_dir / rel));
}

std::string hass(const std::string& model, const std::string& call) {
  return "hass-livebox-component/" + model + "/" + call + ".json";
}

TEST(LiveboxParse, EveryFixtureParsesWithoutThrowing) {
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(k_dir)) {
    if (e.path().extension() != ".json" || e.path().filename() == "MANIFEST.json") {
      continue;
    }
    ++files;
    std::string text = read(e.path());
    WsReply r;
    ASSERT_NO_THROW(r = parse_reply(text)) << e.path();
    // Every reader tolerates whatever shape came back.
    EXPECT_NO_THROW(parse_port_forwards(r.status)) << e.path();
    EXPECT_NO_THROW(parse_dmz(r.status)) << e.path();
    EXPECT_NO_THROW(parse_device_info(r.status)) << e.path();
    EXPECT_NO_THROW(parse_wan_ip(r)) << e.path();
    EXPECT_NO_THROW(strip_secrets(r.status)) << e.path();
  }
  EXPECT_GE(files, 50);
}

TEST(LiveboxParse, DeviceInfoOfEveryModel) {
  struct Case {
    std::string file, product, firmware, model;
  };
  const std::vector<Case> cases = {
      {"LiveboxMonitor/lb4/DeviceInfo_get.json", "Livebox 4", "SGFI-fr-G06.R04.C06_10", "Livebox 4"},
      {"LiveboxMonitor/lb6/DeviceInfo_get.json", "Livebox 6", "SG60-fr-G01.R02.C02_20", "Livebox 6"},
      {"LiveboxMonitor/lb7/DeviceInfo_get.json", "Livebox 7", "SG70-fr-G01.R01.C15_04", "Livebox 7"},
      {"LiveboxMonitor/lbw7/DeviceInfo_get.json", "Livebox W7", "SG?" "?-fr-G02.R08.C03_00", "Livebox W7"},
      {"LiveboxMonitor/lbs/DeviceInfo_get.json", "Livebox Nautilus", "ARNA-fr-G01.R02.C16_06",
       "Livebox S (Livebox Nautilus)"},
      {"aiosysbus/deviceinfo.json", "Livebox 4", "SR40-fr-G06.R01.C06_02", "Livebox 4"},
      {hass("Livebox_3", "DeviceInfo_get"), "Livebox 3", "SG30_sip-fr-7.52.10.1", "Livebox 3"},
      {hass("Livebox_7", "DeviceInfo_get"), "Livebox 7", "SG70-fr-G07.R02.C02_18", "Livebox 7"},
      {hass("Livebox_Fibre", "DeviceInfo_get"), "Livebox Fibre", "ARFI-fr-4.66.0.1_10.5.0",
       "Livebox 5 (Livebox Fibre)"},
  };
  for (const Case& c : cases) {
    auto info = parse_device_info(reply(c.file).status);
    ASSERT_TRUE(info) << c.file;
    EXPECT_EQ(info->product_class, c.product) << c.file;
    EXPECT_EQ(info->firmware, c.firmware) << c.file;
    EXPECT_EQ(commercial_model(*info), c.model) << c.file;
    EXPECT_EQ(classify(*info), Family::livebox) << c.file;
  }
}

TEST(LiveboxParse, DeviceInfoDetails) {
  auto lbs = parse_device_info(reply("LiveboxMonitor/lbs/DeviceInfo_get.json").status);
  EXPECT_EQ(lbs->base_mac, "20:37:F0:AB:5F:AC");  // lower case on the Arcadyan, normalised
  EXPECT_EQ(lbs->external_ip, "90.45.226.208");
  EXPECT_EQ(lbs->serial, "JA25043AV054494");  // the box's identity (hashed into gateway.box_id)
  auto lb3 = parse_device_info(reply(hass("Livebox_3", "DeviceInfo_get")).status);
  EXPECT_EQ(lb3->external_ip, "");  // **REDACTED** reads as absent
  EXPECT_EQ(lb3->base_mac, "");
}

TEST(LiveboxParse, RepeatersAndOthersAreNotLiveboxes) {
  EXPECT_EQ(classify(DeviceInfo{"WIFIREPARCFR", "", "", "", "", "", ""}), Family::repeater);
  EXPECT_EQ(classify(DeviceInfo{"WIFI6REPSERCOMM", "", "", "", "", "", ""}), Family::repeater);
  EXPECT_EQ(classify(DeviceInfo{"KPN Box 12", "", "", "", "", "", ""}), Family::other);
  EXPECT_FALSE(parse_device_info(json::object()));
  EXPECT_FALSE(parse_device_info(json("text")));
}

TEST(LiveboxParse, WanIpFromEveryCapture) {
  EXPECT_EQ(parse_wan_ip(reply("LiveboxMonitor/lb4/NMC_getWANStatus.json")), "90.116.58.128");
  EXPECT_EQ(parse_wan_ip(reply("rene-d-sysbus/sysbus_NMC_getWANStatus_README.json")), "aa.bb.cc.dd");
  for (const std::string& m : k_models) {
    EXPECT_EQ(parse_wan_ip(reply(hass(m, "NMC_getWANStatus"))), "") << m;  // redacted
  }
}

TEST(LiveboxParse, PortForwardsOfTheLivebox7Capture) {
  auto fw = parse_port_forwards(reply(hass("Livebox_7", "Firewall_getPortForwarding")).status);
  ASSERT_EQ(fw.size(), 7u);
  std::map<std::string, PortForward> by_id;
  for (const PortForward& f : fw) {
    by_id[f.id] = f;
    EXPECT_EQ(f.origin, std::vector<std::string>{"upnp"});
    EXPECT_EQ(f.apis, std::vector<std::string>{"livebox"});
    EXPECT_EQ(f.internal_host, "");  // redacted
    EXPECT_TRUE(f.enabled);
    EXPECT_EQ(rule_origin(f), "upnp");
    ASSERT_NE(stored_rule(f), nullptr);
  }
  ASSERT_TRUE(by_id.count("upnp_80"));  // Id redacted: the map key is the id
  EXPECT_EQ(by_id["upnp_80"].protocol, Protocol::tcp);
  EXPECT_EQ(by_id["upnp_80"].external_port, 49029);
  EXPECT_EQ(by_id["upnp_80"].lease_seconds, 604800u);
  EXPECT_EQ(by_id["upnp_191"].protocol, Protocol::udp);
  EXPECT_EQ(by_id["upnp_191"].external_port, 42720);
  EXPECT_EQ(by_id["upnp_191"].external_port_end, 42720);
  EXPECT_EQ(by_id["upnp_191"].internal_port, 41641);
  EXPECT_EQ(by_id["upnp_191"].description, "tailscale-portmap");
}

TEST(LiveboxParse, EmptyForwardListsAndProtocolForwards) {
  EXPECT_TRUE(parse_port_forwards(reply(hass("Livebox_3", "Firewall_getPortForwarding")).status).empty());
  EXPECT_TRUE(reply(hass("Livebox_Fibre", "Firewall_getProtocolForwarding")).status.empty());
  EXPECT_EQ(parse_port_forwards(reply(hass("Livebox_Fibre", "Firewall_getPortForwarding")).status).size(),
            7u);
}

TEST(LiveboxParse, RulesWithRangesBothProtocolsAndMissingFields) {
  json status = {
      {"webui_range", {{"Id", "webui_range"}, {"Origin", "webui"}, {"Protocol", "6,17"},
                       {"ExternalPort", "10000-10005"}, {"InternalPort", "10000"},
                       {"DestinationIPAddress", "192.168.1.5"}, {"Enable", false}}},
      {"webui_bare", {{"Protocol", "6"}, {"InternalPort", "22"}}},
      {"webui_gre", {{"Protocol", "47"}, {"ExternalPort", "0"}}},
      {"webui_junk", "not an object"},
      {"webui_endrange", {{"Protocol", "17"}, {"ExternalPort", "500"}, {"ExternalPortEndRange", 510},
                          {"InternalPort", "500"}, {"SourcePrefix", "1.2.3.4"}}},
  };
  std::vector<std::string> skipped;
  auto fw = parse_port_forwards(status, &skipped);
  ASSERT_EQ(fw.size(), 4u);
  EXPECT_EQ(skipped, std::vector<std::string>{"webui_gre"});
  std::map<std::string, std::vector<PortForward>> by_id;
  for (const PortForward& f : fw) {
    by_id[f.id].push_back(f);
  }
  ASSERT_EQ(by_id["webui_range"].size(), 2u);  // one entry per protocol, same id
  EXPECT_EQ(by_id["webui_range"][0].external_port, 10000);
  EXPECT_EQ(by_id["webui_range"][0].external_port_end, 10005);
  EXPECT_FALSE(by_id["webui_range"][0].enabled);
  const PortForward& bare = by_id["webui_bare"].at(0);
  EXPECT_EQ(bare.external_port, 22);  // no ExternalPort: the internal one
  EXPECT_TRUE(bare.origin.empty());
  EXPECT_TRUE(bare.enabled);  // neither Enable nor Status: unknown is never safe
  const PortForward& end = by_id["webui_endrange"].at(0);
  EXPECT_EQ(end.external_port_end, 510);
  EXPECT_EQ(end.remote_host, "1.2.3.4");
}

TEST(LiveboxParse, Dmz) {
  Dmz none = parse_dmz(json::object());
  EXPECT_FALSE(none.enabled);
  json status = {{"webui", {{"SourceInterface", "data"}, {"DestinationIPAddress", "192.168.1.160"},
                            {"SourcePrefix", ""}, {"Status", "Enabled"}, {"Enable", true}}},
                 {"other", {{"DestinationIPAddress", "192.168.1.9"}, {"Enable", false}}}};
  Dmz d = parse_dmz(status);
  EXPECT_TRUE(d.enabled);
  EXPECT_EQ(d.host, "192.168.1.160");
  EXPECT_EQ(d.vendor_data["entries"], status);  // every key kept for an exact restore
  EXPECT_FALSE(parse_dmz(json(nullptr)).enabled);
  json p = dmz_set_params("webui", status["webui"]);
  EXPECT_EQ(p, (json{{"id", "webui"}, {"sourceInterface", "data"},
                     {"destinationIPAddress", "192.168.1.160"}, {"sourcePrefix", ""}, {"enable", true}}));
}

TEST(LiveboxParse, UpnpAndRemoteAccessSwitches) {
  for (const std::string& m : k_models) {
    EXPECT_EQ(get_bool(reply(hass(m, "UPnP-IGD_get")).status, "Enable"), true) << m;
    EXPECT_EQ(get_bool(reply(hass(m, "RemoteAccess_get")).status, "Enable"), false) << m;
    EXPECT_EQ(get_bool(reply(hass(m, "NMC_getRemoteAccess")).status, "enable"), false) << m;
    EXPECT_EQ(get_bool(reply(hass(m, "OrangeRemoteAccess_get")).status, "Enable"), true) << m;
  }
}

TEST(LiveboxParse, SecretsAreStripped) {
  for (const std::string& m : k_models) {
    json nmc = strip_secrets(reply(hass(m, "NMC_get")).status);
    EXPECT_FALSE(nmc.contains("Username")) << m;
    EXPECT_TRUE(nmc.contains("OfferType")) << m;
    json wlan = strip_secrets(json::parse(read(k_dir / hass(m, "NeMo.Intf.lan_getMIBs_wlanvap"))));
    std::string text = wlan.dump();
    EXPECT_EQ(text.find("KeyPassPhrase"), std::string::npos) << m;
    EXPECT_EQ(text.find("WEPKey"), std::string::npos) << m;
    EXPECT_EQ(text.find("R0KHKey"), std::string::npos) << m;
    EXPECT_NE(text.find("ModeEnabled"), std::string::npos) << m;
  }
  json ra = {{"Enable", true}, {"Port", 443}, {"SSLCertificate", "x"}, {"SSLPrivateKey", "x"},
             {"SSLPrivateKeyPassword", "x"}, {"SSLCACertificate", "x"}, {"SSLOptions", "x"}};
  EXPECT_EQ(strip_secrets(ra), (json{{"Enable", true}, {"Port", 443}}));
  EXPECT_FALSE(strip_secrets(json{{"PINCode", "1234"}}).contains("PINCode"));
}

TEST(LiveboxParse, Ws1AndWs4EnvelopesAndErrors) {
  WsReply denied = reply("maelvls-livebox/ws1_error_permission_denied.json");
  ASSERT_EQ(denied.errors.size(), 1u);
  EXPECT_TRUE(denied.has_error(k_err_permission));
  EXPECT_EQ(denied.errors[0].info, "TopologyDiagnostics");
  EXPECT_TRUE(denied.status.is_null());

  WsReply missing = reply("maelvls-livebox/ws1_error_missing_mandatory_argument.json");
  ASSERT_EQ(missing.errors.size(), 5u);
  for (const WsError& e : missing.errors) {
    EXPECT_EQ(e.code, k_err_missing_argument);
  }
  EXPECT_EQ(missing.errors[0].info, "origin");
  EXPECT_NE(describe_errors(missing.errors).find("error 196640 Missing mandatory argument (origin)"),
            std::string::npos);

  WsReply set = reply("maelvls-livebox/ws1_setPortForwarding_response.json");
  EXPECT_TRUE(set.ok());
  EXPECT_EQ(set.status, "webui_pi443");
  EXPECT_EQ(set.data["rule"]["Status"], "Error");

  WsReply ws4 = reply("LiveboxMonitor/lb6/LEDs_LED_Orange_set.json");
  EXPECT_EQ(ws4.status, true);
  for (const char* f : {"Livebox_4_UPnP_error.json", "Livebox_7_UPnP_error.json",
                        "Livebox_7_VPN_error.json", "Livebox_7_IPsec_error.json"}) {
    EXPECT_TRUE(reply(std::string("LiveboxMonitor/introspection/") + f).has_error(13)) << f;
  }
  WsReply login = reply("rene-d-sysbus/createContext_response_issue9.json");
  EXPECT_EQ(login.status, 0);
  EXPECT_EQ(get_string(login.data, "contextID"), "xxyxyxyxyxyxyxyxyxyxyxyxy");
  EXPECT_EQ(get_string(login.data, "username"), "");  // absent on this LB4 capture
  // A bare error item is not an envelope: nothing, no crash.
  EXPECT_TRUE(reply("maelvls-livebox/error_item_overlapping_rule.json").ok());
}

TEST(LiveboxParse, GarbageIsAProtocolError) {
  EXPECT_THROW(parse_reply("<html>"), Error);
  EXPECT_THROW(parse_reply("[1,2]"), Error);
  EXPECT_THROW(parse_reply(""), Error);
  WsReply odd = parse_reply(R"({"result":{"status":{},"errors":[{"error":"x"},7]}})");
  EXPECT_EQ(odd.errors.size(), 2u);
  EXPECT_EQ(odd.errors[0].code, 0);
  WsReply waited = parse_reply(R"({"status":1,"errors":[{"error":13,"waittime":30}]})");
  EXPECT_EQ(waited.errors[0].waittime, 30);
}

TEST(LiveboxParse, RequestBodies) {
  EXPECT_EQ(login_body("admin", "a\"b\\c"),
            R"({"service":"sah.Device.Information","method":"createContext","parameters":)"
            R"({"applicationName":"webui","username":"admin","password":"a\"b\\c"}})");
  EXPECT_THROW(login_body("admin", "\xff\xfe"), Error);
  EXPECT_EQ(request_body("Firewall", "getDMZ", json::object()),
            R"({"service":"Firewall","method":"getDMZ","parameters":{}})");
  EXPECT_EQ(request_body("Firewall", "getDMZ", json(nullptr)),
            R"({"service":"Firewall","method":"getDMZ","parameters":{}})");
}

TEST(LiveboxParse, ForwardSetParamsRecreateTheRule) {
  json rule = json::parse(read(k_dir / "maelvls-livebox/ws1_setPortForwarding_response.json"))["result"]["data"]["rule"];
  json p = forward_set_params(rule, false);
  EXPECT_EQ(p["id"], "webui_pi443");
  EXPECT_EQ(p["origin"], "webui");
  EXPECT_EQ(p["sourceInterface"], "data");
  EXPECT_EQ(p["externalPort"], "443");
  EXPECT_EQ(p["internalPort"], "443");
  EXPECT_EQ(p["destinationIPAddress"], "192.168.1.160");
  EXPECT_EQ(p["protocol"], "6");
  EXPECT_EQ(p["enable"], false);
  EXPECT_EQ(p["persistent"], true);
  EXPECT_EQ(p["destinationMACAddress"], "E4:5F:01:A6:65:FE");
  EXPECT_FALSE(p.contains("leaseDuration"));
  json upnp = {{"Id", "upnp_5"}, {"Origin", "upnp"}, {"Protocol", "17"}, {"ExternalPort", "500"},
               {"ExternalPortEndRange", 505}, {"InternalPort", "500"}, {"LeaseDuration", 7200}};
  json q = forward_set_params(upnp, true);
  EXPECT_EQ(q["externalPort"], "500-505");
  EXPECT_EQ(q["leaseDuration"], 7200);
  EXPECT_EQ(q["persistent"], false);
}

TEST(LiveboxParse, NetrcPassword) {
  const std::string netrc =
      "machine 192.168.1.254 login admin password other\n"
      "machine 192.168.1.1\n  login admin\n  password box-pw\n"
      "default login admin password fallback\n";
  EXPECT_EQ(netrc_password(netrc, "192.168.1.1", "admin"), "box-pw");
  EXPECT_FALSE(netrc_password(netrc, "192.168.1.1", "someone"));  // login differs everywhere
  EXPECT_EQ(netrc_password(netrc, "10.0.0.1", "admin"), "fallback");
  EXPECT_FALSE(netrc_password("machine a password b", "c", "admin"));
  EXPECT_EQ(netrc_password("machine c password b", "c", "admin"), "b");
  EXPECT_FALSE(netrc_password("", "c", "admin"));
  EXPECT_FALSE(netrc_password("machine", "c", "admin"));
}

}  // namespace
}  // namespace bw::livebox
