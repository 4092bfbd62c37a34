#include "vendors/bbox/bbox_changes.hpp"

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/json_get.hpp"
#include "core/text.hpp"
#include "vendors/bbox/bbox_read.hpp"

namespace bw::bbox {

namespace {

// The forward as listed now under the id `f` was read with (any protocol of the rule).
const PortForward* listed(const std::vector<PortForward>& now, const PortForward& f) {
  for (const PortForward& x : now) {
    if (x.id == f.id && x.protocol == f.protocol) {
      return &x;
    }
  }
  return nullptr;
}

bool same_target(const PortForward& a, const PortForward& b) {
  return a.external_port == b.external_port && a.external_port_end == b.external_port_end &&
         a.internal_host == b.internal_host && (b.internal_port == 0 || a.internal_port == b.internal_port);
}

bool rule_on(const json& nat, const std::string& id) {
  const json& n = section(nat, {"nat"});
  auto rules = n.find("rules");
  if (rules == n.end() || !rules->is_array()) {
    return false;
  }
  for (const json& r : *rules) {
    if (r.is_object() && json_int(r, "id") && std::to_string(*json_int(r, "id")) == id) {
      return json_bool(r, "enable").value_or(true);
    }
  }
  return false;
}

bool id_is_number(const std::string& id) {
  return !id.empty() && id.size() <= 9 && id.find_first_not_of("0123456789") == std::string::npos;
}

std::string on_off(bool on) {
  return on ? "1" : "0";
}

}  // namespace

void disable_forward(ApiClient& api, const PortForward& f) {
  if (std::find(f.origin.begin(), f.origin.end(), "upnp") != f.origin.end()) {
    throw Error(ErrorKind::unsupported, tr("the Bbox cannot delete one UPnP mapping; switching UPnP off removes them"));
  }
  if (!id_is_number(f.id)) {
    throw Error(ErrorKind::unsupported, tr("refusing to change a Bbox port forward without its rule number"));
  }
  json nat = read_nat(api);
  NatRules rules = parse_nat_rules(nat);
  const PortForward* now = listed(rules.forwards, f);
  if (now == nullptr || !rule_on(nat, f.id)) {
    return;  // gone or already off
  }
  if (!same_target(*now, f)) {
    throw Error(ErrorKind::conflict,
                fill(tr("port forward {id} now goes to {host}, not to {was} as read; it was left alone: run the "
                        "command again to see the box as it is now"),
                     {{"id", f.id}, {"host", printable(now->internal_host, 45)}, {"was", f.internal_host}}));
  }
  std::string what = fill(tr("switch port forward {key} off"), {{"key", f.key()}});
  api.write("PUT", "nat/rules/" + f.id, "enable=0", what);
  if (!api.rehearsing() && rule_on(read_nat(api), f.id)) {
    throw Error(ErrorKind::refused, fill(tr("the Bbox still has port forward {key} on after switching it off"),
                                         {{"key", f.key()}}));
  }
}

void restore_forward(ApiClient& api, const PortForward& f) {
  json nat = read_nat(api);
  NatRules rules = parse_nat_rules(nat);
  std::string what = fill(tr("put port forward {key} back"), {{"key", f.key()}});
  const PortForward* now = id_is_number(f.id) ? listed(rules.forwards, f) : nullptr;
  if (now != nullptr && same_target(*now, f)) {
    if (rule_on(nat, f.id)) {
      return;
    }
    api.write("PUT", "nat/rules/" + f.id, "enable=1", what);
  } else {
    // Gone meanwhile: made again from what was saved (its id will differ).
    const json& saved = section(f.vendor_data, {"bbox", "rule"});
    std::string ports = f.external_port == f.external_port_end
                            ? std::to_string(f.external_port)
                            : std::to_string(f.external_port) + ":" + std::to_string(f.external_port_end);
    std::string form = "enable=1&description=" + form_escape(f.description) + "&protocol=" +
                       form_escape(json_string(saved, "protocol").empty() ? (f.protocol == Protocol::tcp ? "tcp" : "udp")
                                                                         : json_string(saved, "protocol")) +
                       "&ipaddress=" + form_escape(f.internal_host) + "&external_port=" + ports +
                       "&internal_port=" + std::to_string(f.internal_port) + "&ipremote=" + form_escape(f.remote_host) +
                       "&ipprotocol=IPv4";
    api.write("POST", "nat/rules", form, what);
  }
  if (api.rehearsing()) {
    return;
  }
  for (const PortForward& x : parse_nat_rules(read_nat(api)).forwards) {
    if (x.protocol == f.protocol && same_target(x, f) && x.enabled) {
      return;
    }
  }
  throw Error(ErrorKind::refused, fill(tr("the Bbox does not show port forward {key} on after putting it back"),
                                       {{"key", f.key()}}));
}

void disable_dmz(ApiClient& api) {
  auto d = parse_dmz(read_dmz(api));
  if (d && !d->enabled) {
    return;
  }
  api.write("PUT", "nat/dmz", "enable=0&ipaddress=", tr("switch the DMZ off"));
  if (!api.rehearsing()) {
    auto after = parse_dmz(read_dmz(api));
    if (!after || after->enabled) {
      throw Error(ErrorKind::refused, tr("the Bbox still has its DMZ on after switching it off"));
    }
  }
}

void restore_dmz(ApiClient& api, const Dmz& dmz) {
  auto same = [&](const std::optional<Dmz>& now) {
    return now && now->enabled == dmz.enabled && (!dmz.enabled || now->host == dmz.host);
  };
  if (same(parse_dmz(read_dmz(api)))) {
    return;
  }
  api.write("PUT", "nat/dmz", dmz_restore_form(dmz), tr("put the DMZ back"));
  if (!api.rehearsing() && !same(parse_dmz(read_dmz(api)))) {
    throw Error(ErrorKind::refused, tr("the Bbox's DMZ differs from the saved one after putting it back"));
  }
}

void set_upnp(ApiClient& api, bool on) {
  if (read_upnp(api) == on) {
    return;
  }
  std::string what = on ? tr("switch UPnP on") : tr("switch UPnP off");
  api.write("PUT", "upnp/igd", "enable=" + on_off(on), what);
  if (!api.rehearsing() && read_upnp(api) != on) {
    throw Error(ErrorKind::refused, on ? tr("the Bbox kept UPnP IGD off") : tr("the Bbox kept UPnP IGD on"));
  }
}

void set_remote_admin(ApiClient& api, bool on, const json& saved) {
  if (read_services(api).remote_admin == on) {
    return;
  }
  std::string form = "enable=" + on_off(on);
  if (auto p = json_int(saved, "port"); on && p && *p >= 1 && *p <= 65535) {
    form += "&port=" + std::to_string(*p);
  }
  std::string what = on ? tr("switch remote access on") : tr("switch remote access off");
  api.write("PUT", "remote/admin", form, what);
  if (!api.rehearsing() && read_services(api).remote_admin != on) {
    throw Error(ErrorKind::refused, on ? tr("the Bbox kept its remote access off") : tr("the Bbox kept its remote access on"));
  }
}

}  // namespace bw::bbox
