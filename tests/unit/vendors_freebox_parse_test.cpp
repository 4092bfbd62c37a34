// The Freebox parsers against the captures in tests/fixtures/freebox (a Freebox Ultra, API
// 16.0, and Home Assistant's fixtures), plus missing, mistyped and hostile values, the error
// mapping, the HMAC and the shipped root CAs.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "core/error.hpp"
#include "vendors/freebox/freebox_parse.hpp"
#include "vendors/freebox/freebox_roots.hpp"

namespace bw::freebox {
namespace {

namespace fs = std::filesystem;

const fs::path k_dir = fs::path(BOXWARDEN_FIXTURES) / "freebox";

std::string read(const std::string& name) {
  std::ifstream in(k_dir / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json result_of(const std::string& name) {
  Envelope e = parse_envelope(read(name));
  EXPECT_TRUE(e.success) << name;
  return e.result;
}

TEST(FreeboxParse, EveryFixtureParsesWithoutThrowing) {
  int files = 0;
  for (const auto& e : fs::directory_iterator(k_dir)) {
    if (e.path().extension() != ".json") {
      continue;
    }
    ++files;
    std::string body = read(e.path().filename().string());
    json j = json::parse(body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << e.path();
    if (j.is_object() && j.contains("success")) {
      Envelope env = parse_envelope(body);
      parse_forwards(env.result, std::nullopt);
      parse_upnp_mappings(env.result);
      parse_box_services(env.result);
      parse_system(env.result);
      parse_connection(env.result);
      parse_remote_access(env.result);
      parse_dmz(env.result);
    }
    parse_api_version(body);
  }
  EXPECT_GE(files, 25);
}

TEST(FreeboxParse, ApiVersionOfTheUltra) {
  auto v = parse_api_version(read("fbxcli_api_version.json"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->model, "Freebox v9 (r1)");
  EXPECT_EQ(v->box_model, "fbxgw9-r1");
  EXPECT_EQ(v->api_major, 16);
  EXPECT_EQ(v->api_base_url, "/api/");
  EXPECT_TRUE(v->https_available);
  EXPECT_EQ(v->https_port, 29491);
  EXPECT_EQ(v->api_domain, "fake-1.fbxos.fr");
  EXPECT_EQ(v->uid, "scrubbed-uid-1");
}

TEST(FreeboxParse, ApiVersionRefusesWhatIsNotAFreebox) {
  EXPECT_FALSE(parse_api_version("<html>404</html>"));
  EXPECT_FALSE(parse_api_version("[]"));
  EXPECT_FALSE(parse_api_version(R"({"api_version":"16.0","api_base_url":"/api/"})"));  // no Freebox name
  EXPECT_FALSE(parse_api_version(R"({"api_version":"x","api_base_url":"/api/","device_name":"Freebox Server"})"));
  EXPECT_FALSE(parse_api_version(R"({"api_version":16,"api_base_url":"/api/","device_name":"Freebox Server"})"));
  // A base URL that would leave the box's path: refused.
  EXPECT_FALSE(parse_api_version(
      R"({"api_version":"16.0","api_base_url":"http://evil/","device_name":"Freebox Server"})"));
  EXPECT_FALSE(parse_api_version(R"({"api_version":"16.0","api_base_url":"/a?b/","device_name":"Freebox Server"})"));
}

TEST(FreeboxParse, ApiVersionWithoutAUsableTlsNameOffersNoHttps) {
  auto v = parse_api_version(R"({"api_version":"8.2","api_base_url":"/api/","device_name":"Freebox Server",
      "https_available":true,"https_port":443,"api_domain":"evil.example/x?"})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->api_major, 8);
  EXPECT_EQ(v->api_domain, "");
  EXPECT_FALSE(v->https_available);
  auto no_port = parse_api_version(R"({"api_version":"8.2","api_base_url":"/api/","device_name":"Freebox Server",
      "https_available":true,"https_port":70000,"api_domain":"a.fbxos.fr"})");
  ASSERT_TRUE(no_port);
  EXPECT_FALSE(no_port->https_available);
}

TEST(FreeboxParse, ShortIdHidesTheUid) {
  std::string id = short_id("scrubbed-uid-1");
  EXPECT_EQ(id.size(), 12u);
  EXPECT_EQ(id.find("scrubbed"), std::string::npos);
  EXPECT_EQ(id, short_id("scrubbed-uid-1"));
  EXPECT_NE(id, short_id("scrubbed-uid-2"));
}

// Expected values computed with `openssl dgst -sha1 -hmac KEY` and RFC 2202 test case 2.
TEST(FreeboxParse, HmacSha1IsLowercaseHex) {
  EXPECT_EQ(hmac_sha1_hex("Jefe", "what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hmac_sha1_hex("dyNYgfK0Ya6FWGqq83sBHa7TwzWo+pg4fDFUJHShcLVYzoH7EoVcj0e+grd6sDb7",
                          "VzhbtpR4r8CLaJle2QgJBEkyd8JPb0zL"),
            "78747f89e3e26f34286d7fc6a24e61e21aaf5a92");
}

TEST(FreeboxParse, EnvelopeWithoutResultIsAnEmptyList) {
  Envelope e = parse_envelope(read("fbxcli_fw_redir_empty.json"));
  EXPECT_TRUE(e.success);
  EXPECT_TRUE(e.result.is_null());
  EXPECT_TRUE(parse_forwards(e.result, std::nullopt).empty());
  EXPECT_THROW(parse_envelope("not json"), Error);
  EXPECT_THROW(parse_envelope("[1]"), Error);
}

TEST(FreeboxParse, Http200WithSuccessFalseIsAnError) {
  Envelope e = parse_envelope(read("fbxcli_connection_xdsl_error_service_down.json"));
  EXPECT_FALSE(e.success);
  EXPECT_EQ(e.error_code, "service_down");
  Error err = envelope_error(e, 200, "read the DSL line", "192.168.1.254", ErrorKind::protocol);
  EXPECT_EQ(err.kind(), ErrorKind::protocol);
  EXPECT_NE(std::string(err.what()).find("read the DSL line"), std::string::npos);
  EXPECT_NE(std::string(err.what()).find("service_down"), std::string::npos);
  Envelope no_code = parse_envelope(read("fbxcli_rrd_error_invalid_db.json"));
  EXPECT_FALSE(no_code.success);
  EXPECT_NE(std::string(envelope_error(no_code, 200, "x", "a", ErrorKind::refused).what()).find("invalid_db"),
            std::string::npos);
}

TEST(FreeboxParse, AuthErrorsSayWhatToDo) {
  auto message = [](const std::string& code) {
    Envelope e;
    e.error_code = code;
    Error err = envelope_error(e, 403, "delete a port forward", "192.168.1.254", ErrorKind::refused);
    EXPECT_EQ(err.kind(), ErrorKind::auth) << code;
    return std::string(err.what());
  };
  std::string rights = message("insufficient_rights");
  EXPECT_NE(rights.find("Paramètres de la Freebox > Gestion des accès > Applications: tick 'Modification des "
                        "réglages' for boxwarden"),
            std::string::npos);
  EXPECT_NE(message("invalid_token").find("boxwarden pair -g 192.168.1.254"), std::string::npos);
  EXPECT_NE(message("ratelimited").find("wait"), std::string::npos);
  EXPECT_NE(message("pending_token").find("boxwarden pair -g 192.168.1.254"), std::string::npos);
  EXPECT_NE(message("new_apps_denied").find("Gestion des accès"), std::string::npos);
  message("auth_required");
  message("denied_from_external_ip");
  message("apps_denied");
}

TEST(FreeboxParse, BoxTextInErrorsIsEscaped) {
  Envelope e = parse_envelope(R"({"success":false,"error_code":"inval\u001b[2J","msg":"bad\u001b]0;x\u0007"})");
  std::string m = envelope_error(e, 200, "x", "a", ErrorKind::refused).what();
  EXPECT_EQ(m.find('\x1b'), std::string::npos);
  EXPECT_EQ(m.find('\x07'), std::string::npos);
}

TEST(FreeboxParse, PairingAnswers) {
  auto a = parse_authorization(json::parse(R"({"app_token":"tok","track_id":42})"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->track_id, 42);
  EXPECT_FALSE(parse_authorization(json::parse(R"({"app_token":"","track_id":42})")));
  EXPECT_FALSE(parse_authorization(json::parse(R"({"app_token":"t","track_id":"x"})")));
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":"pending","challenge":"c"})")), PairStatus::pending);
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":"granted"})")), PairStatus::granted);
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":"denied"})")), PairStatus::denied);
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":"timeout"})")), PairStatus::timeout);
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":"unknown"})")), PairStatus::unknown);
  EXPECT_EQ(parse_pair_status(json::parse(R"({"status":1})")), PairStatus::unknown);
  // The web UI's obfuscated challenge (an array) is not a challenge.
  EXPECT_FALSE(parse_challenge(json::parse(R"({"logged_in":false,"challenge":["a","b"]})")));
  EXPECT_EQ(parse_challenge(json::parse(R"({"challenge":"abc"})")), "abc");
}

TEST(FreeboxParse, SessionPermissions) {
  auto g = parse_session(json::parse(
      R"({"session_token":"s","challenge":"c","permissions":{"settings":false,"explorer":true,"x":"y"}})"));
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->settings);
  EXPECT_EQ(g->permissions, json::parse(R"({"settings":false,"explorer":true})"));
  auto none = parse_session(json::parse(R"({"session_token":"s"})"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->settings);  // a missing key means false
  EXPECT_FALSE(parse_session(json::parse(R"({"permissions":{}})")));
}

TEST(FreeboxParse, ConnectionGivesTheExternalAddressAndPortRange) {
  ConnectionStatus c = parse_connection(result_of("fbxcli_connection.json"));
  EXPECT_EQ(c.external_ip, "203.0.113.1");
  EXPECT_EQ(c.state, "up");
  ASSERT_TRUE(c.port_range);
  EXPECT_EQ(c.port_range->first, 16384);
  EXPECT_EQ(c.port_range->last, 32767);
  json ha = json::parse(read("ha_connection_get_status.json"));
  ConnectionStatus whole = parse_connection(ha);
  ASSERT_TRUE(whole.port_range);
  EXPECT_EQ(whole.port_range->first, 0);
  EXPECT_EQ(whole.port_range->last, 65535);
  EXPECT_FALSE(parse_connection(json::parse(R"({"ipv4_port_range":[5,1]})")).port_range);
}

TEST(FreeboxParse, StaticForwardsFromTheDocumentedExample) {
  json list = json::parse(read("ha_lan_get_port_forwarding_config_list.DOCS_DERIVED.json"));
  auto fs = parse_forwards(list, PortRange{16384, 32767});
  ASSERT_EQ(fs.size(), 1u);
  const PortForward& f = fs[0];
  EXPECT_EQ(f.id, "1");
  EXPECT_EQ(f.protocol, Protocol::tcp);
  EXPECT_EQ(f.external_port, 69);
  EXPECT_EQ(f.external_port_end, 69);
  EXPECT_EQ(f.internal_host, "192.168.1.22");
  EXPECT_EQ(f.internal_port, 69);
  EXPECT_EQ(f.remote_host, "8.8.8.8");
  EXPECT_EQ(f.description, "port comment");
  EXPECT_EQ(f.origin, std::vector<std::string>{"webui"});
  EXPECT_EQ(f.apis, std::vector<std::string>{"freebox"});
  EXPECT_TRUE(f.enabled);
  EXPECT_EQ(f.vendor_data["inert"], true);  // port 69 is outside 16384-32767
  EXPECT_EQ(f.vendor_data.dump().find("android"), std::string::npos);  // the LAN host record is not kept
  // The body that recreates it: the writable fields as read.
  EXPECT_EQ(forward_create_body(f), json::parse(R"({"enabled":true,"ip_proto":"tcp","wan_port_start":69,
      "wan_port_end":69,"lan_ip":"192.168.1.22","lan_port":69,"src_ip":"8.8.8.8","comment":"port comment"})"));
  EXPECT_TRUE(rule_matches(list[0], forward_create_body(f)));
}

TEST(FreeboxParse, RangesAnySourceAndBadRules) {
  json list = json::parse(R"([
    {"id":2,"enabled":false,"ip_proto":"udp","wan_port_start":20000,"wan_port_end":20010,"lan_ip":"192.168.1.5",
     "lan_port":1337,"src_ip":"0.0.0.0","comment":""},
    {"id":3,"ip_proto":"icmp","wan_port_start":1,"lan_ip":"192.168.1.5"},
    {"id":4,"ip_proto":"tcp","wan_port_start":70000,"lan_ip":"192.168.1.5"},
    {"id":"5","ip_proto":"tcp","wan_port_start":"3389","lan_ip":"192.168.1.10"},
    "junk", null, 7])");
  std::vector<std::string> skipped;
  auto fs = parse_forwards(list, PortRange{16384, 32767}, &skipped);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].external_port_end, 20010);
  EXPECT_EQ(fs[0].remote_host, "");
  EXPECT_FALSE(fs[0].enabled);
  EXPECT_EQ(fs[0].vendor_data["inert"], false);
  EXPECT_EQ(skipped, (std::vector<std::string>{"3", "4", "?", "?", "?"}));
  // The documentation calls the ports strings: "3389" is read as 3389, the id "5" as 5.
  EXPECT_EQ(fs[1].id, "5");
  EXPECT_EQ(fs[1].external_port, 3389);
  EXPECT_EQ(fs[1].internal_port, 3389);
}

TEST(FreeboxParse, UpnpMappingsFromTheUltra) {
  auto ms = parse_upnp_mappings(result_of("fbxcli_upnpigd_redir.json"));
  ASSERT_EQ(ms.size(), 1u);
  const PortForward& m = ms[0];
  EXPECT_EQ(m.id, "0.0.0.0-26476-tcp");
  EXPECT_EQ(m.protocol, Protocol::tcp);
  EXPECT_EQ(m.external_port, 26476);
  EXPECT_EQ(m.internal_host, "192.168.1.49");
  EXPECT_EQ(m.internal_port, 32400);
  EXPECT_EQ(m.description, "Plex Media Server");
  EXPECT_EQ(m.origin, std::vector<std::string>{"upnp"});
  EXPECT_EQ(m.remote_host, "");
  EXPECT_EQ(m.lease_seconds, 0u);
  EXPECT_TRUE(freebox::is_upnp_mapping(m));  // qualified: bw::is_upnp_mapping is found too (ADL)
  EXPECT_EQ(m.vendor_data.dump().find("02:00:00"), std::string::npos);  // no LAN host record kept
}

TEST(FreeboxParse, DmzUpnpRemoteAccessIpv6) {
  auto dmz = parse_dmz(result_of("fbxcli_fw_dmz.json"));
  ASSERT_TRUE(dmz);
  EXPECT_FALSE(dmz->enabled);
  EXPECT_EQ(dmz->host, "");
  auto on = parse_dmz(json::parse(R"({"enabled":true,"ip":"192.168.1.10"})"));
  ASSERT_TRUE(on);
  EXPECT_EQ(dmz_restore_body(*on), json::parse(R"({"enabled":true,"ip":"192.168.1.10"})"));
  EXPECT_FALSE(parse_dmz(json::parse(R"({"ip":"192.168.1.10"})")));

  EXPECT_EQ(parse_upnp_enabled(result_of("fbxcli_upnpigd_config.json")), true);
  EXPECT_FALSE(parse_upnp_enabled(json::parse(R"({"enabled":"yes"})")));

  RemoteAccess ra = parse_remote_access(result_of("fbxcli_connection_config.json"));
  EXPECT_EQ(ra.enabled, false);
  EXPECT_EQ(ra.saved["remote_access_port"], 21252);
  EXPECT_EQ(ra.saved["api_remote_access"], true);
  EXPECT_FALSE(ra.saved.contains("api_domain"));  // identifying: never kept
  EXPECT_EQ(ra.saved.dump().find("fbxos"), std::string::npos);

  Ipv6Config v6 = parse_ipv6_config(json::parse(
      R"({"ipv6_enabled":true,"ipv6_firewall":false,"ipv6_prefix_firewall":true,"ipv6ll":"fe80::1",)"
      R"("delegations":[{"prefix":"2001:db8:1::/64","next_hop":""}]})"));
  EXPECT_EQ(v6.enabled, true);
  EXPECT_EQ(v6.firewall, false);
  EXPECT_EQ(v6.saved, json::parse(R"({"ipv6_enabled":true,"ipv6_firewall":false,"ipv6_prefix_firewall":true})"));
  // Absent or mistyped: unknown, never "on".
  v6 = parse_ipv6_config(json::parse(R"({"ipv6_enabled":"yes","ipv6_firewall":1})"));
  EXPECT_FALSE(v6.enabled);
  EXPECT_FALSE(v6.firewall);
  EXPECT_EQ(v6.saved, json::object());
  EXPECT_FALSE(parse_ipv6_config(json::array()).firewall);
}

TEST(FreeboxParse, BoxServicesFromTheUltra) {
  auto services = parse_box_services(result_of("fbxcli_fw_incoming.json"));
  ASSERT_EQ(services.size(), 12u);
  auto https = std::find_if(services.begin(), services.end(), [](const BoxService& b) { return b.id == "https"; });
  ASSERT_NE(https, services.end());
  EXPECT_EQ(https->protocol, "tcp");
  EXPECT_EQ(https->port, 29491);
  EXPECT_TRUE(https->enabled);
  EXPECT_TRUE(https->active);
  EXPECT_EQ(services.back().id, "wireguard");
  EXPECT_EQ(services.back().port, 18964);
  EXPECT_FALSE(services.back().active);
}

TEST(FreeboxParse, SystemHidesTheSerial) {
  SystemInfo s = parse_system(result_of("fbxcli_system.json"));
  EXPECT_EQ(s.model, "Freebox v9 (r1)");
  EXPECT_EQ(s.firmware, "4.12.2");
  EXPECT_EQ(s.serial_id, short_id("SCRUBBEDSERIAL0002"));
  SystemInfo old = parse_system(json::parse(read("ha_system_get_config.json")));
  EXPECT_EQ(old.model, "Freebox Server (r2)");
  EXPECT_EQ(old.firmware, "4.2.5");
}

TEST(FreeboxParse, TolerantGetters) {
  json j = json::parse(R"({"s":"x","n":"42","b":1,"big":1e300,"neg":-3,"long":"12345678901"})");
  EXPECT_EQ(get_string(j, "n"), "42");
  EXPECT_EQ(get_string(j, "b"), "");
  EXPECT_EQ(get_int(j, "n"), 42);
  EXPECT_FALSE(get_int(j, "big"));
  EXPECT_FALSE(get_int(j, "long"));
  EXPECT_EQ(get_int(j, "neg"), -3);
  EXPECT_FALSE(get_bool(j, "b"));  // 1 is not a JSON boolean
  EXPECT_EQ(get_string(json::array(), "s"), "");
  EXPECT_EQ(get_string(json::parse(R"({"s":")" + std::string(5000, 'a') + R"("})"), "s").size(), k_max_text);
}

// The shipped Freebox roots are the ones whose fingerprints Free publishes (freebox.md 2.2).
TEST(FreeboxRoots, MatchPublishedFingerprints) {
  std::string pem(k_freebox_root_cas_pem);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::vector<std::string> seen;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<size_t>(len), d);
    OPENSSL_free(der);
    X509_free(cert);
    std::string hex;
    for (unsigned char c : d) {
      char b[4];
      std::snprintf(b, sizeof b, "%s%02X", hex.empty() ? "" : ":", c);
      hex += b;
    }
    seen.push_back(hex);
  }
  BIO_free(bio);
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "23:CF:B7:26:36:BE:66:5D:BB:F2:FE:3E:05:27:90:47:71:A8:DF:F1:BA:CE:46:1D:8B:D6:9F:34:81:2C:24:44",
                      "2B:D8:B5:BE:1A:99:0E:42:AD:1B:D7:9C:30:6E:B5:19:B6:37:EE:24:75:C0:D9:31:F2:57:53:56:10:E9:C3:E7"}));
}

}  // namespace
}  // namespace bw::freebox
