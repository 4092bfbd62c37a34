#include "vendors/freebox/freebox_changes.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "vendors/freebox/freebox_read.hpp"

namespace bw::freebox {

namespace {

const json* find_by_id(const json& list, const std::string& id) {
  for (const json& item : list) {
    if (!item.is_object()) {
      continue;
    }
    auto n = get_int(item, "id");
    std::string s = get_string(item, "id", 128);
    if ((n && std::to_string(*n) == id) || (!s.empty() && s == id)) {
      return &item;
    }
  }
  return nullptr;
}

// A change acts only on the rule that was read, never on one that took its place.
void require_same(bool same, const std::string& id, const std::string& now_host, long long now_port,
                  const PortForward& f) {
  if (same) {
    return;
  }
  throw Error(ErrorKind::conflict, "port forward " + printable(id, 40) + " now goes to " + printable(now_host, 45) +
                                       " port " + std::to_string(now_port) + ", not to " + f.internal_host +
                                       " as read; it was left alone: run the command again to see the box as it "
                                       "is now");
}

// A UPnP mapping's id goes into a URL: "0.0.0.0-26476-tcp" and nothing stranger.
bool is_mapping_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_") ==
             std::string::npos;
}

void delete_upnp_mapping(ApiClient& api, const PortForward& f) {
  if (!is_mapping_id(f.id)) {
    throw Error(ErrorKind::unsupported, "refusing to delete a Freebox UPnP mapping whose id is not of the box's form");
  }
  json mappings = list_upnp_mappings(api);  // named: find_by_id points into it
  const json* m = find_by_id(mappings, f.id);
  if (m == nullptr) {
    return;  // already gone
  }
  std::string host = get_string(*m, "int_ip", 64);
  long long port = get_int(*m, "int_port").value_or(-1);
  require_same(host == f.internal_host && (f.internal_port == 0 || port == f.internal_port) &&
                   get_int(*m, "ext_port") == f.external_port,
               f.id, host, port, f);
  require_settings(api, "delete a UPnP mapping");
  Envelope e = api.call_raw("DELETE", "upnpigd/redir/" + f.id, nullptr, "delete a UPnP mapping");
  if (!e.success && e.error_code != "noent") {
    throw envelope_error(e, 200, "delete UPnP mapping " + printable(f.id, 40), api.endpoint().address,
                         ErrorKind::refused);
  }
  if (api.rehearsing()) {
    return;  // --dry-run: nothing was sent, there is nothing to see
  }
  if (find_by_id(list_upnp_mappings(api), f.id) != nullptr) {
    throw Error(ErrorKind::refused, "the Freebox still lists UPnP mapping " + printable(f.id, 40) +
                                        " after deleting it");
  }
}

bool id_is_number(const std::string& id) {
  return !id.empty() && id.size() <= 9 && id.find_first_not_of("0123456789") == std::string::npos;
}

const char* on_off(bool on) {
  return on ? "on" : "off";
}

}  // namespace

namespace {

// A forward boxwarden added itself (vpn setup --server lan, or the undo of a restored one) has
// no rule number: the box gives it on POST. Its rule is the one that forwards exactly this;
// "" when there is none (already gone).
std::string rule_number_of_added(const json& rules, const PortForward& f) {
  json body = forward_create_body(f);
  std::string found;
  for (const json& rule : rules) {
    if (!rule.is_object() || !rule_matches(rule, body)) {
      continue;
    }
    auto n = get_int(rule, "id");
    if (!n || !found.empty()) {
      throw Error(ErrorKind::unsupported, "refusing to delete Freebox port forward " + f.key() +
                                              ": the box does not list it as one numbered rule");
    }
    found = std::to_string(*n);
  }
  return found;
}

}  // namespace

void delete_forward(ApiClient& api, const PortForward& original) {
  if (is_upnp_mapping(original)) {
    delete_upnp_mapping(api, original);
    return;
  }
  json rules = list_forward_rules(api);
  PortForward f = original;
  if (f.id.empty()) {
    f.id = rule_number_of_added(rules, f);
    if (f.id.empty()) {
      return;  // already gone
    }
  }
  if (!id_is_number(f.id)) {
    throw Error(ErrorKind::unsupported, "refusing to delete a Freebox port forward without its rule number");
  }
  const json* rule = find_by_id(rules, f.id);
  if (rule == nullptr) {
    return;  // already gone
  }
  std::string host = get_string(*rule, "lan_ip", 64);
  long long port = get_int(*rule, "lan_port").value_or(-1);
  bool same = host == f.internal_host && (f.internal_port == 0 || port == f.internal_port) &&
              get_int(*rule, "wan_port_start") == f.external_port &&
              parse_protocol(get_string(*rule, "ip_proto", 8)) == f.protocol;
  require_same(same, f.id, host, port, f);
  require_settings(api, "delete a port forward");
  Envelope e = api.call_raw("DELETE", "fw/redir/" + f.id, nullptr, "delete a port forward");
  if (!e.success && e.error_code != "noent") {
    throw envelope_error(e, 200, "delete port forward " + f.id, api.endpoint().address, ErrorKind::refused);
  }
  if (api.rehearsing()) {
    return;
  }
  if (find_by_id(list_forward_rules(api), f.id) != nullptr) {
    throw Error(ErrorKind::refused, "the Freebox still lists port forward " + f.id + " after deleting it");
  }
}

void add_forward(ApiClient& api, const PortForward& f) {
  json body = forward_create_body(f);
  for (const json& rule : list_forward_rules(api)) {
    if (rule_matches(rule, body)) {
      return;  // already there, exactly
    }
  }
  require_settings(api, "restore a port forward");
  api.call("POST", "fw/redir/", &body, "restore port forward " + f.key(), ErrorKind::refused);
  if (api.rehearsing()) {
    return;
  }
  for (const json& rule : list_forward_rules(api)) {
    if (rule_matches(rule, body)) {
      return;
    }
  }
  throw Error(ErrorKind::refused, "the Freebox does not list port forward " + f.key() +
                                      " as it was saved, after restoring it");
}

void disable_dmz(ApiClient& api) {
  if (!get_bool(read_dmz(api), "enabled").value_or(true)) {
    return;
  }
  require_settings(api, "switch the DMZ off");
  json body = {{"enabled", false}};
  api.call("PUT", "fw/dmz/", &body, "switch the DMZ off", ErrorKind::refused);
  if (!api.rehearsing() && get_bool(read_dmz(api), "enabled").value_or(true)) {
    throw Error(ErrorKind::refused, "the Freebox still has its DMZ on after switching it off");
  }
}

void restore_dmz(ApiClient& api, const Dmz& dmz) {
  json body = dmz_restore_body(dmz);
  auto same = [&](const json& now) {
    return get_bool(now, "enabled") == get_bool(body, "enabled") &&
           (!body.contains("ip") || get_string(now, "ip", 64) == get_string(body, "ip", 64));
  };
  if (same(read_dmz(api))) {
    return;
  }
  require_settings(api, "restore the DMZ");
  api.call("PUT", "fw/dmz/", &body, "restore the DMZ", ErrorKind::refused);
  if (!api.rehearsing() && !same(read_dmz(api))) {
    throw Error(ErrorKind::refused, "the Freebox's DMZ differs from the saved one after restoring it");
  }
}

void set_upnp(ApiClient& api, bool on) {
  if (get_bool(read_upnp_config(api), "enabled") == on) {
    return;
  }
  require_settings(api, std::string("switch UPnP ") + on_off(on));
  json body = {{"enabled", on}};
  api.call("PUT", "upnpigd/config/", &body, std::string("switch UPnP ") + on_off(on), ErrorKind::refused);
  if (!api.rehearsing() && get_bool(read_upnp_config(api), "enabled") != on) {
    throw Error(ErrorKind::refused, std::string("the Freebox kept UPnP IGD ") + on_off(!on));
  }
}

void set_remote_access(ApiClient& api, bool on, std::optional<uint16_t> port) {
  json now = read_connection_config(api);
  bool port_ok = !on || !port || get_int(now, "remote_access_port") == *port;
  if (get_bool(now, "remote_access") == on && port_ok) {
    return;
  }
  require_settings(api, std::string("switch remote access ") + on_off(on));
  json body = {{"remote_access", on}};
  if (on && port) {
    body["remote_access_port"] = *port;
  }
  api.call("PUT", "connection/config/", &body, std::string("switch remote access ") + on_off(on),
           ErrorKind::refused);
  if (!api.rehearsing() && get_bool(read_connection_config(api), "remote_access") != on) {
    throw Error(ErrorKind::refused, std::string("the Freebox kept remote access ") + on_off(!on));
  }
}

void set_ipv6_firewall(ApiClient& api, bool on) {
  if (get_bool(read_ipv6_config(api), "ipv6_firewall") == on) {
    return;
  }
  const std::string what = std::string("switch the IPv6 firewall ") + on_off(on);
  require_settings(api, what);
  json body = {{"ipv6_firewall", on}};
  api.call("PUT", "connection/ipv6/config/", &body, what, ErrorKind::refused);
  if (!api.rehearsing() && get_bool(read_ipv6_config(api), "ipv6_firewall") != on) {
    throw Error(ErrorKind::refused, std::string("the Freebox kept its IPv6 firewall ") + on_off(!on));
  }
}

bool ipv6_firewall_saved_on(std::string_view level) {
  if (level.empty() || level == "off" || level == "0" || level == "false") {
    return false;
  }
  if (level == "on" || level == "1" || level == "true") {
    return true;
  }
  throw Error(ErrorKind::unsupported, "the saved IPv6 firewall setting \"" + printable(level, 40) +
                                          "\" is not one a Freebox has (on or off); nothing was sent");
}

}  // namespace bw::freebox
