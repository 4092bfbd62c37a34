#include "vendors/freebox/freebox_vpn.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"
#include "vendors/freebox/freebox_parse.hpp"

namespace bw::freebox {

namespace {

constexpr const char* k_server = "wireguard";

// A login the box accepts and a URL path can carry as it is.
void check_login(const std::string& login) {
  bool ok = !login.empty() && login.size() <= 32 && std::all_of(login.begin(), login.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
  if (!ok) {
    throw Error(ErrorKind::usage, "the Freebox takes VPN user names of 1 to 32 letters, digits, '-', '_' or '.'");
  }
}

json config_of(ApiClient& api) {
  Envelope e = api.call("GET", std::string("vpn/") + k_server + "/config/", nullptr, "read its WireGuard server",
                        ErrorKind::protocol);
  return e.result.is_object() ? e.result : json::object();
}

json users_of(ApiClient& api) {
  Envelope e = api.call("GET", "vpn/user/", nullptr, "list its VPN users", ErrorKind::protocol);
  return e.result.is_array() ? e.result : json::array();
}

bool has_user(const json& users, const std::string& login) {
  return std::any_of(users.begin(), users.end(),
                     [&](const json& u) { return u.is_object() && get_string(u, "login", 64) == login; });
}

std::optional<uint32_t> ipv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) {
    return std::nullopt;
  }
  return ntohl(a.s_addr);
}

}  // namespace

std::optional<VpnServer> read_vpn_server(ApiClient& api) {
  Envelope servers = api.call_raw("GET", "vpn/", nullptr, "list its VPN servers");
  if (!servers.success || !servers.result.is_array()) {
    return std::nullopt;
  }
  bool listed = std::any_of(servers.result.begin(), servers.result.end(), [](const json& s) {
    return s.is_object() && get_string(s, "name", 64) == k_server;
  });
  if (!listed) {
    return std::nullopt;
  }
  json cfg = config_of(api);
  VpnServer v;
  v.type = k_server;
  v.enabled = get_bool(cfg, "enabled").value_or(false);
  auto port = get_int(cfg, "port");
  v.port = port && *port > 0 && *port <= 65535 ? static_cast<uint16_t>(*port) : 0;
  for (const json& u : users_of(api)) {
    if (u.is_object() && get_string(u, "type", 16) == k_server) {
      v.peers.push_back(get_string(u, "login", 64));
    }
  }
  auto lo = get_int(cfg, "min_port"), hi = get_int(cfg, "max_port");
  if (lo && hi && *lo > 0 && *lo <= *hi && *hi <= 65535) {
    v.min_port = static_cast<uint16_t>(*lo);
    v.max_port = static_cast<uint16_t>(*hi);
  }
  return v;
}

void set_vpn_server(ApiClient& api, bool on, uint16_t port) {
  json now = config_of(api);
  bool port_ok = !on || port == 0 || get_int(now, "port") == port;
  if (get_bool(now, "enabled") == on && port_ok) {
    return;
  }
  auto lo = get_int(now, "min_port"), hi = get_int(now, "max_port");
  if (on && port != 0 && lo && hi && *lo > 0 && (port < *lo || port > *hi)) {
    throw Error(ErrorKind::usage, "the Freebox accepts a VPN port from " + std::to_string(*lo) + " to " +
                                      std::to_string(*hi) + " only (the ports of its shared address); give --port in "
                                      "that range, or leave it out");
  }
  std::string what = std::string(on ? "start" : "stop") + " its WireGuard server";
  require_settings(api, what);
  json body = {{"enabled", on}};
  if (on && port != 0) {
    body["port"] = port;
  }
  api.call("PUT", std::string("vpn/") + k_server + "/config/", &body, what, ErrorKind::refused);
  if (!api.rehearsing() && get_bool(config_of(api), "enabled") != on) {
    throw Error(ErrorKind::refused, std::string("the Freebox's WireGuard server is still ") + (on ? "off" : "on") +
                                        " after the change");
  }
}

std::string free_pool_address(const std::string& start, const std::string& end, const json& reservations) {
  auto a = ipv4(start), b = ipv4(end);
  if (!a || !b || *b < *a || *b - *a > 4096) {
    return "";
  }
  for (uint32_t ip = *a; ip <= *b; ++ip) {
    in_addr addr{htonl(ip)};
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &addr, text, sizeof text);
    bool taken = reservations.is_array() && std::any_of(reservations.begin(), reservations.end(), [&](const json& r) {
                   return r.is_object() && get_string(r, "ip", 64) == text;
                 });
    if (!taken) {
      return text;
    }
  }
  return "";
}

void add_vpn_user(ApiClient& api, const std::string& login) {
  check_login(login);
  if (has_user(users_of(api), login)) {
    return;
  }
  require_settings(api, "add a VPN user");
  Envelope pool = api.call("GET", "vpn/ip_pool/", nullptr, "show its VPN address pool", ErrorKind::protocol);
  std::string ip = free_pool_address(get_string(pool.result, "ip_start", 64), get_string(pool.result, "ip_end", 64),
                                     pool.result.is_object() ? pool.result.value("reservations", json::array())
                                                             : json::array());
  if (ip.empty()) {
    throw Error(ErrorKind::refused, "the Freebox's VPN address pool is full; delete a VPN user in Freebox OS first");
  }
  json body = {{"login", login},
               {"type", k_server},
               {"ip_reservation", ip},
               {"conf_wireguard", {{"keepalive", 25}, {"psk", true}}}};
  api.call("POST", "vpn/user/", &body, "add the VPN user " + login, ErrorKind::refused);
  if (!api.rehearsing() && !has_user(users_of(api), login)) {
    throw Error(ErrorKind::refused, "the Freebox does not list the VPN user " + login + " after adding it");
  }
}

void delete_vpn_user(ApiClient& api, const std::string& login) {
  check_login(login);
  if (!has_user(users_of(api), login)) {
    return;
  }
  require_settings(api, "delete a VPN user");
  Envelope e = api.call_raw("DELETE", "vpn/user/" + login, nullptr, "delete the VPN user " + login);
  if (!e.success && e.error_code != "noent") {
    throw envelope_error(e, 200, "delete the VPN user " + login, api.endpoint().address, ErrorKind::refused);
  }
  if (!api.rehearsing() && has_user(users_of(api), login)) {
    throw Error(ErrorKind::refused, "the Freebox still lists the VPN user " + login + " after deleting it");
  }
}

Secret vpn_user_config(ApiClient& api, const std::string& login) {
  check_login(login);
  require_settings(api, "download a VPN configuration");
  Secret text = api.download(std::string("vpn/download_config/") + k_server + "/" + login + "/plain",
                             "give the configuration of " + login);
  const std::string& t = text.reveal();
  if (t.size() > 16384 || t.find("[Interface]") == std::string::npos || t.find("[Peer]") == std::string::npos) {
    throw Error(ErrorKind::protocol, "the Freebox sent something else than a WireGuard configuration for " + login);
  }
  return text;
}

}  // namespace bw::freebox
