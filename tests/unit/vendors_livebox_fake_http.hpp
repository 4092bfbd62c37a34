// A fake HttpClient that behaves like a small Livebox `/ws` (for the plugin's session
// tests): login with a cookie whose name contains '/', both session headers checked,
// error 13 on a bad or expired context, 401 + waittime on a bad password, and enough of
// Firewall / UPnP-IGD / RemoteAccess to apply and verify changes. Records every request.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "net/http_client.hpp"

namespace bw::livebox_test {

using nlohmann::json;

struct Seen {
  HttpRequest request;
  json body;  // parsed request body
  bool has_header(const std::string& line) const {
    for (const std::string& h : request.headers) {
      if (h == line) {
        return true;
      }
    }
    return false;
  }
  std::string call() const {
    return body.value("service", "") + ":" + body.value("method", "");
  }
};

class FakeLivebox : public HttpClient {
 public:
  // Box state.
  std::string password = "pa\"ss";
  std::string product_class = "Livebox 7";
  json forwards = json::object();
  json dmz = json::object();
  bool upnp = true;
  bool remote = false;
  int remote_port = 0;
  std::string upnp_form = "both";  // which UPnP-IGD:set form takes effect
  // IPv6 (livebox.md 6.3, 6.5); without ipv6_api those calls answer 196618, as on models
  // that lack them.
  bool ipv6_api = false;
  std::string ipv6_level = "Medium";
  json pinholes = json::object();
  bool ignore_pinhole_delete = false;  // answers true and keeps the pinhole
  bool ignore_level_set = false;       // answers true and keeps the level
  // Behaviour switches.
  int expire_after_calls = -1;       // the context dies after this many authenticated calls
  bool always_13 = false;            // every authenticated call answers 13
  std::string closed_service;        // this service answers 13 to admin (like UPnP, VPN)
  long login_waittime = -1;          // >= 0: every login answers 401 with this waittime
  bool spain = false;                // answer 404 text/html, as Orange Spain boxes do
  std::function<bool(const json&)> refuse;  // returns true to answer error 1 to a call
  std::vector<Seen> seen;
  int logins = 0;

  const std::string cookie_name = "a1b2c3d4/sessid";

  HttpResponse perform(const HttpRequest& req, const Deadline&) override {
    Seen s{req, json::parse(req.body, nullptr, false)};
    seen.push_back(s);
    HttpResponse r;
    if (spain) {
      r.status = 404;
      r.headers = {"Content-Type: text/html"};
      r.body = "<html></html>";
      return r;
    }
    r.status = 200;
    r.headers = {"Content-Type: application/x-sah-ws-4-call+json"};
    std::string call = s.call();
    const json params = s.body.value("parameters", json::object());
    if (call == "sah.Device.Information:createContext") {
      return login(s, params);
    }
    if (call == "sah.Device.Information:releaseContext") {
      m_context.clear();
      r.status = 401;
      r.body = R"({"status":1})";
      return r;
    }
    if (call == "DeviceInfo:get" && !authenticated(s)) {
      r.body = json{{"status", {{"ProductClass", product_class}, {"SoftwareVersion", "SG70-fr-G07"},
                                {"ModelName", "SagemcomFast5694_OFR"}}}}.dump();
      return r;
    }
    if (!authenticated(s) || always_13 || s.body.value("service", "") == closed_service) {
      r.body = error(13, "Permission denied", s.body.value("service", ""));
      return r;
    }
    if (expire_after_calls >= 0 && m_calls++ >= expire_after_calls) {
      m_context = "expired";
      expire_after_calls = -1;
      r.body = error(13, "Permission denied", s.body.value("service", ""));
      return r;
    }
    if (refuse && refuse(s.body)) {
      r.body = error(1, "Function execution failed", s.body.value("method", ""));
      return r;
    }
    r.body = invoke(call, params).dump();
    return r;
  }

  std::vector<Seen> calls_of(const std::string& call) const {
    std::vector<Seen> out;
    for (const Seen& s : seen) {
      if (s.call() == call) {
        out.push_back(s);
      }
    }
    return out;
  }

  static json rule(const std::string& id, const std::string& origin, const std::string& proto,
                   const std::string& port, const std::string& dest) {
    return {{"Id", id}, {"Origin", origin}, {"Description", id}, {"Status", "Enabled"},
            {"SourceInterface", "data"}, {"Protocol", proto}, {"ExternalPort", port},
            {"InternalPort", port}, {"SourcePrefix", ""}, {"DestinationIPAddress", dest},
            {"DestinationMACAddress", ""}, {"LeaseDuration", 0}, {"HairpinNAT", true},
            {"SymmetricSNAT", false}, {"UPnPV1Compat", false}, {"Enable", true}};
  }

 private:
  static std::string error(long code, const std::string& desc, const std::string& info) {
    return json{{"status", nullptr}, {"errors", {{{"error", code}, {"description", desc}, {"info", info}}}}}
        .dump();
  }

  HttpResponse login(const Seen& s, const json& params) {
    HttpResponse r;
    r.headers = {"Content-Type: application/x-sah-ws-4-call+json"};
    ++logins;
    if (login_waittime >= 0 || params.value("password", "") != password ||
        !s.has_header("Authorization: X-Sah-Login")) {
      r.status = 401;
      r.body = json{{"status", 1}, {"data", json::object()},
                    {"errors", {{{"error", 13}, {"description", "Permission denied"},
                                 {"info", "createContext"}, {"waittime", std::max(0L, login_waittime)}}}}}
                   .dump();
      return r;
    }
    m_context = "ctx" + std::to_string(logins);
    m_cookie = "v" + std::to_string(logins);
    r.status = 200;
    r.headers.push_back("Set-Cookie: " + cookie_name + "=" + m_cookie + "; path=/; HttpOnly");
    r.headers.push_back("set-cookie: a1b2c3d4/accept-language=fr,en; path=/");
    r.body = json{{"status", 0},
                  {"data", {{"contextID", m_context}, {"username", "admin"}, {"groups", "http,admin"}}}}
                 .dump();
    return r;
  }

  bool authenticated(const Seen& s) const {
    return !m_context.empty() && s.has_header("Authorization: X-Sah " + m_context) &&
           s.has_header("X-Context: " + m_context) &&
           s.has_header("Cookie: " + cookie_name + "=" + m_cookie + "; a1b2c3d4/accept-language=fr,en");
  }

  json invoke(const std::string& call, const json& p) {
    if (call == "DeviceInfo:get") {
      return {{"status", {{"ProductClass", product_class}, {"SoftwareVersion", "SG70-fr-G07"},
                          {"ExternalIPAddress", "11.22.33.44"}, {"SSLPrivateKey", "never-read"}}}};
    }
    if (call == "NMC:getWANStatus") {
      json data = {{"IPAddress", "11.22.33.44"}};
      if (ipv6_api) {
        data["IPv6Address"] = "2001:db8:ff::2";
        data["ConnectionStateIPv6"] = "Bound";
      }
      return {{"status", true}, {"data", data}};
    }
    if (ipv6_api) {
      if (auto r = invoke_ipv6(call, p); !r.is_null()) {
        return r;
      }
    }
    if (call == "Firewall:getPortForwarding") {
      return {{"status", forwards}};
    }
    if (call == "Firewall:deletePortForwarding") {
      std::string id = p.value("id", "");
      if (id.empty()) {  // the real box's bulk delete
        bulk_deletes++;
        return {{"status", true}};
      }
      if (!forwards.contains(id)) {
        return json::parse(error(1114115, "Object not found", id));
      }
      forwards.erase(id);
      return {{"status", true}};
    }
    if (call == "Firewall:setPortForwarding") {
      std::string id = p.value("id", "");
      json r = rule(id, p.value("origin", ""), p.value("protocol", ""), p.value("externalPort", ""),
                    p.value("destinationIPAddress", ""));
      r["InternalPort"] = p.value("internalPort", "");
      r["Enable"] = p.value("enable", true);
      r["SourcePrefix"] = p.value("sourcePrefix", "");
      r["Description"] = p.value("description", "");
      forwards[id] = r;
      return {{"status", id}};
    }
    if (call == "Firewall:getDMZ") {
      return {{"status", dmz}};
    }
    if (call == "Firewall:deleteDMZ") {
      dmz.erase(p.value("id", ""));
      return {{"status", true}};
    }
    if (call == "Firewall:setDMZ") {
      dmz[p.value("id", "webui")] = {{"SourceInterface", p.value("sourceInterface", "")},
                                     {"DestinationIPAddress", p.value("destinationIPAddress", "")},
                                     {"SourcePrefix", p.value("sourcePrefix", "")},
                                     {"Status", "Enabled"}, {"Enable", p.value("enable", true)}};
      return {{"status", p.value("id", "webui")}};
    }
    if (call == "UPnP-IGD:get") {
      return {{"status", {{"Enable", upnp}, {"FriendlyName", "Orange Livebox"}}}};
    }
    if (call == "UPnP-IGD:set") {
      bool nested = p.contains("parameters");
      const json& v = nested ? p["parameters"] : p;
      if (upnp_form == "both" || upnp_form == (nested ? "nested" : "flat")) {
        upnp = v.value("Enable", upnp);
      }
      return {{"status", true}};
    }
    if (call == "RemoteAccess:get") {
      return {{"status", {{"Enable", remote}, {"Port", remote_port}, {"Protocol", "HTTPS"},
                          {"Timeout", 0}, {"SourcePrefix", ""}, {"SSLPrivateKeyPassword", "never-read"}}}};
    }
    if (call == "RemoteAccess:disable") {
      remote = false;
      return {{"status", true}};
    }
    if (call == "RemoteAccess:enable") {
      remote = true;
      return {{"status", p.value("port", 40123)}};
    }
    if (call == "Firewall:commit") {
      commits++;
      return {{"status", true}};
    }
    if (call == "Firewall:getFirewallLevel") {
      return {{"status", "Medium"}};
    }
    return json::parse(error(196618, "Object or parameter not found", call));
  }

  json invoke_ipv6(const std::string& call, const json& p) {
    if (call == "Firewall:getFirewallIPv6Level") {
      return {{"status", ipv6_level}};
    }
    if (call == "Firewall:setFirewallIPv6Level") {
      if (!ignore_level_set) {
        ipv6_level = p.value("level", "");
      }
      return {{"status", true}};
    }
    if (call == "Firewall:getPinhole") {
      return {{"status", pinholes}};
    }
    if (call == "Firewall:deletePinhole") {
      std::string id = p.value("id", "");
      if (!p.contains("origin")) {
        return json::parse(error(196640, "Missing mandatory argument", "origin"));
      }
      if (id.empty()) {  // probably the real box's bulk delete
        bulk_deletes++;
        return {{"status", true}};
      }
      if (!pinholes.contains(id) || pinholes[id].value("Origin", "") != p.value("origin", "")) {
        return json::parse(error(1114115, "Object not found", id));
      }
      if (!ignore_pinhole_delete) {
        pinholes.erase(id);
      }
      return {{"status", true}};
    }
    if (call == "Firewall:setPinhole") {
      std::string id = p.value("id", "");
      pinholes[id] = pinhole(id, p.value("origin", ""), p.value("protocol", ""), p.value("destinationPort", ""),
                             p.value("destinationIPAddress", ""));
      pinholes[id]["Enable"] = p.value("enable", true);
      pinholes[id]["SourcePrefix"] = p.value("sourcePrefix", "");
      pinholes[id]["Description"] = p.value("description", "");
      return {{"status", id}};
    }
    return nullptr;
  }

 public:
  // One pinhole as getPinhole lists it (livebox.md 6.5, S5's shape).
  static json pinhole(const std::string& id, const std::string& origin, const std::string& proto,
                      const std::string& port, const std::string& dest) {
    return {{"Id", id}, {"Origin", origin}, {"Description", id}, {"Status", "Enabled"},
            {"SourceInterface", "data"}, {"Protocol", proto}, {"IPVersion", 6}, {"SourcePort", ""},
            {"DestinationPort", port}, {"SourcePrefix", ""}, {"DestinationIPAddress", dest},
            {"DestinationMACAddress", ""}, {"Enable", true}};
  }

  int bulk_deletes = 0;
  int commits = 0;

 private:
  std::string m_context;
  std::string m_cookie;
  int m_calls = 0;
};

}  // namespace bw::livebox_test
