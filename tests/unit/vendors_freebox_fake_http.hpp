// A fake HttpClient that behaves like a small Freebox (for the plugin's session tests):
// /api_version, the envelope, pairing (authorize + track), challenge login with the
// HMAC-SHA1 password, X-Fbx-App-Auth checked on every call, sessions that expire, a revoked
// token, the "settings" permission, and enough of fw/redir, upnpigd, fw/dmz and
// connection/config to apply and verify changes. Records every request.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http_client.hpp"
#include "vendors/freebox/freebox_parse.hpp"

namespace bw::freebox_test {

using nlohmann::json;

class FakeFreebox : public HttpClient {
 public:
  static constexpr const char* k_first_token = "dyNYgfK0Ya6FWGqq83sBHa7TwzWo+pg4fDFUJHShcLVYzoH7EoVcj0e+grd6sDb7";
  // Secrets: each has a marker that tests look for in messages.
  std::string app_token = "dyNYgfK0Ya6FWGqq83sBHa7TwzWo+pg4fDFUJHShcLVYzoH7EoVcj0e+grd6sDb7";
  std::vector<std::string> challenges = {"VzhbtpR4r8CLaJle2QgJBEkyd8JPb0zL", "SECRETchallenge2xxxxxxxxxxxxxxxx",
                                         "SECRETchallenge3xxxxxxxxxxxxxxxx", "SECRETchallenge4xxxxxxxxxxxxxxxx"};
  // HMAC-SHA1(app_token, challenges[0]), computed with `openssl dgst -sha1 -hmac`.
  std::string first_password = "78747f89e3e26f34286d7fc6a24e61e21aaf5a92";
  bool https = false;
  bool settings = true;          // the app's "settings" permission
  bool enforce_rights = true;    // writes without settings answer insufficient_rights
  bool revoked = false;          // login answers invalid_token
  bool ratelimited = false;
  int expire_after = -1;         // the session dies after this many authenticated calls
  bool always_expired = false;   // every authenticated call answers auth_required
  std::vector<std::string> pair_statuses = {"granted"};  // answers to successive polls (last repeats)
  std::string new_token = "SECRETnewtoken-from-pairing";

  json redirs = json::array();
  json mappings = json::array();
  json dmz = {{"enabled", false}, {"ip", ""}};
  bool upnp = true;
  json conn_config = {{"remote_access", false}, {"remote_access_port", 21252}, {"api_remote_access", true},
                      {"ping", true}, {"api_domain", "fake-1.fbxos.fr"}};
  json ipv6 = {{"ipv6_enabled", true}, {"ipv6_firewall", false}, {"ipv6_prefix_firewall", false},
               {"ipv6ll", "fe80::1"}, {"delegations", json::array({{{"prefix", "2001:db8:1::/64"}, {"next_hop", ""}}})}};
  bool ipv6_sticky = false;  // PUT connection/ipv6/config/ answers success but changes nothing
  int next_id = 10;

  std::vector<HttpRequest> seen;
  int logins = 0;
  int polls = 0;

  static json redir(int id, const std::string& proto, int port, const std::string& host, int lan_port,
                    const std::string& src = "0.0.0.0") {
    return {{"id", id}, {"enabled", true}, {"ip_proto", proto}, {"wan_port_start", port}, {"wan_port_end", port},
            {"lan_ip", host}, {"lan_port", lan_port}, {"src_ip", src}, {"comment", "rule " + std::to_string(id)},
            {"hostname", "pc"}, {"host", {{"l2ident", {{"id", "02:00:00:00:00:01"}}}}}};
  }

  HttpResponse perform(const HttpRequest& req, const Deadline&) override {
    seen.push_back(req);
    std::string url = req.url;
    std::string base = https ? "https://fake-1.fbxos.fr:29491" : "http://192.168.1.254";
    HttpResponse r;
    r.status = 200;
    if (url == "http://192.168.1.254/api_version") {
      r.body = json{{"box_model_name", "Freebox v9 (r1)"}, {"api_base_url", "/api/"}, {"https_port", 29491},
                    {"device_name", "Freebox Server"}, {"https_available", https}, {"box_model", "fbxgw9-r1"},
                    {"api_domain", "fake-1.fbxos.fr"}, {"uid", "0123456789abcdef"}, {"api_version", "16.0"}}
                   .dump();
      return r;
    }
    std::string prefix = base + "/api/v16/";
    if (url.rfind(prefix, 0) != 0) {
      r.status = 404;
      r.body = R"x({"success":false,"error_code":"invalid_request","msg":"Requête invalide (404)"})x";
      return r;
    }
    std::string path = url.substr(prefix.size());
    json body = req.body.empty() ? json() : json::parse(req.body, nullptr, false);
    json out = route(req, path, body, r.status);
    r.body = out.dump();
    return r;
  }

  std::vector<HttpRequest> requests(const std::string& method, const std::string& path_part) const {
    std::vector<HttpRequest> out;
    for (const HttpRequest& q : seen) {
      if (q.method == method && q.url.find(path_part) != std::string::npos) {
        out.push_back(q);
      }
    }
    return out;
  }

 private:
  static json ok(const json& result = nullptr) {
    json j = {{"success", true}};
    if (!result.is_null()) {
      j["result"] = result;
    }
    return j;
  }
  static json fail(const std::string& code, const std::string& msg = "erreur") {
    return {{"success", false}, {"error_code", code}, {"msg", msg}};
  }

  bool has_session(const HttpRequest& req) const {
    for (const std::string& h : req.headers) {
      if (!m_session.empty() && h == "X-Fbx-App-Auth: " + m_session) {
        return true;
      }
    }
    return false;
  }

  json route(const HttpRequest& req, const std::string& path, const json& body, long& status) {
    const std::string& m = req.method;
    if (path == "login/authorize/" && m == "POST") {
      m_pending_token = new_token;
      return ok({{"app_token", new_token}, {"track_id", 7}});
    }
    if (path == "login/authorize/7") {
      ++polls;
      std::string s = pair_statuses[std::min<size_t>(polls - 1, pair_statuses.size() - 1)];
      if (s == "granted") {
        app_token = m_pending_token;
      }
      return ok({{"status", s}, {"challenge", "SECRETpollchallenge"}});
    }
    if (path == "login/") {
      m_challenge = challenges[std::min<size_t>(m_challenge_index++, challenges.size() - 1)];
      return ok({{"logged_in", false}, {"challenge", m_challenge}});
    }
    if (path == "login/session/") {
      ++logins;
      if (ratelimited) {
        status = 403;
        return fail("ratelimited");
      }
      if (revoked) {
        status = 403;
        json f = fail("invalid_token", "Erreur d'authentification de l'application");
        f["result"] = {{"challenge", "SECRETnextchallenge"}};
        return f;
      }
      m_last_password = body.value("password", "");
      if (body.value("app_id", "") != "fr.boxwarden" || m_last_password != expected_password()) {
        status = 403;
        return fail("invalid_token");
      }
      m_session = "SECRETsession" + std::to_string(logins);
      m_calls = 0;
      return ok({{"session_token", m_session}, {"challenge", "SECRETnext"},
                 {"permissions", {{"settings", settings}, {"explorer", true}}}});
    }
    if (path == "login/logout/") {
      m_session.clear();
      return ok();
    }
    if (!has_session(req) || always_expired) {
      status = 403;
      return fail("auth_required");
    }
    if (expire_after >= 0 && m_calls++ >= expire_after) {
      expire_after = -1;
      m_session = "dead";
      status = 403;
      return fail("auth_required");
    }
    if (m != "GET" && enforce_rights && !settings) {
      status = 403;
      return fail("insufficient_rights");
    }
    return invoke(m, path, body);
  }

  // The first login's password is the value computed outside (openssl); later ones use the
  // plugin's HMAC, which the first one and the parse test check against independent values.
  std::string expected_password() const {
    if (m_challenge == challenges[0] && app_token == k_first_token) {
      return first_password;
    }
    return freebox::hmac_sha1_hex(app_token, m_challenge);
  }


  json invoke(const std::string& m, const std::string& path, const json& body) {
    if (path == "system/") {
      return ok({{"firmware_version", "4.12.2"}, {"serial", "SERIALSECRET"},
                 {"model_info", {{"pretty_name", "Freebox v9 (r1)"}}}});
    }
    if (path == "connection/") {
      return ok({{"state", "up"}, {"ipv4", "203.0.113.1"}, {"ipv4_port_range", {0, 65535}}});
    }
    if (path == "fw/redir/" && m == "GET") {
      return redirs.empty() ? ok() : ok(redirs);
    }
    if (path == "fw/redir/" && m == "POST") {
      json r = body;
      r["id"] = next_id++;
      redirs.push_back(r);
      return ok(r);
    }
    if (path.rfind("fw/redir/", 0) == 0 && m == "DELETE") {
      int id = std::stoi(path.substr(9));
      for (size_t i = 0; i < redirs.size(); ++i) {
        if (redirs[i]["id"] == id) {
          redirs.erase(i);
          return ok();
        }
      }
      return fail("noent");
    }
    if (path == "upnpigd/redir/" && m == "GET") {
      return !upnp ? fail("disabled") : mappings.empty() ? ok() : ok(mappings);
    }
    if (path.rfind("upnpigd/redir/", 0) == 0 && m == "DELETE") {
      std::string id = path.substr(14);
      for (size_t i = 0; i < mappings.size(); ++i) {
        if (mappings[i]["id"] == id) {
          mappings.erase(i);
          return ok();
        }
      }
      return fail("noent");
    }
    if (path == "fw/dmz/") {
      if (m == "PUT") {
        for (const auto& [k, v] : body.items()) {
          dmz[k] = v;
        }
      }
      return ok(dmz);
    }
    if (path == "upnpigd/config/") {
      if (m == "PUT") {
        upnp = body.value("enabled", upnp);
      }
      return ok({{"enabled", upnp}, {"version", 1}});
    }
    if (path == "connection/config/") {
      if (m == "PUT") {
        for (const auto& [k, v] : body.items()) {
          conn_config[k] = v;
        }
      }
      return ok(conn_config);
    }
    if (path == "connection/ipv6/config/") {
      if (m == "PUT" && !ipv6_sticky) {
        for (const auto& [k, v] : body.items()) {
          ipv6[k] = v;
        }
      }
      return ok(ipv6);
    }
    if (path == "fw/incoming/") {
      return ok(json::array({{{"id", "https"}, {"type", "tcp"}, {"in_port", 29491}, {"enabled", true},
                              {"active", true}}}));
    }
    return fail("invalid_request");
  }

 public:
  std::string m_session;
  std::string m_challenge;
  std::string m_last_password;

 private:
  std::string m_pending_token;
  size_t m_challenge_index = 0;
  int m_calls = 0;
};

}  // namespace bw::freebox_test
