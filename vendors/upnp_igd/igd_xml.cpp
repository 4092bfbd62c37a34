#include "vendors/upnp_igd/igd_xml.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <pugixml.hpp>

#include "core/error.hpp"
#include "net/soap.hpp"

namespace bw::igd {

using xml::child_local;
using xml::load;
using xml::local_name;
using xml::text_of;

namespace {






std::optional<uint16_t> to_port(const std::string& s, bool allow_zero = false) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535 || (v == 0 && !allow_zero)) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(v);
}

uint32_t to_u32(const std::string& s) {
  uint32_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Real gateways nest devices three deep (root, WANDevice, WANConnectionDevice). Deeper ones
// are ignored: 6,000 nested devices (what fits in 256 KiB) overflowed the stack of an ASan
// build (tests/lab/hostile_suite.py, case desc-deep-fit, under scripts/sanitize.sh).
constexpr int k_max_device_depth = 16;

void collect_services(const pugi::xml_node& device, const std::string& base, Description& d, int depth = 0) {
  if (depth > k_max_device_depth) {
    return;
  }
  for (auto list : device.children()) {
    if (local_name(list) == "serviceList") {
      for (auto svc : list.children()) {
        std::string type = text_of(svc, "serviceType");
        for (const char* kind : {"WANIPConnection:", "WANPPPConnection:"}) {
          auto at = type.find(kind);
          if (type.rfind("urn:schemas-upnp-org:service:", 0) == 0 && at != std::string::npos) {
            WanService s;
            s.service_type = type;
            s.version = type.back() == '2' ? 2 : 1;
            s.control_url = resolve_url(base, text_of(svc, "controlURL"));
            d.services.push_back(s);
          }
        }
        if (!d.ipv6_firewall && type.rfind("urn:schemas-upnp-org:service:WANIPv6FirewallControl:", 0) == 0) {
          WanService s;
          s.service_type = type;
          s.control_url = resolve_url(base, text_of(svc, "controlURL"));
          d.ipv6_firewall = s;
        }
      }
    } else if (local_name(list) == "deviceList") {
      for (auto sub : list.children()) {
        collect_services(sub, base, d, depth + 1);
      }
    }
  }
}

}  // namespace

std::string resolve_url(const std::string& base_url, const std::string& ref) {
  if (ref.rfind("http://", 0) == 0 || ref.rfind("https://", 0) == 0) {
    return ref;
  }
  // scheme://authority of the base
  auto scheme_end = base_url.find("://");
  if (scheme_end == std::string::npos) {
    return ref;
  }
  auto path_start = base_url.find('/', scheme_end + 3);
  std::string origin = base_url.substr(0, path_start);
  if (!ref.empty() && ref[0] == '/') {
    return origin + ref;
  }
  std::string dir = path_start == std::string::npos ? "/" : base_url.substr(path_start, base_url.rfind('/') - path_start + 1);
  return origin + dir + ref;
}

Description parse_description(std::string_view xml, const std::string& description_url) {
  pugi::xml_document doc;
  load(doc, xml, "device description");
  auto root = doc.document_element();
  if (local_name(root) != "root") {
    throw Error(ErrorKind::protocol, "the UPnP description has no <root> element");
  }
  std::string base = text_of(root, "URLBase");
  if (base.empty()) {
    base = description_url;
  }
  auto device = child_local(root, "device");
  if (!device) {
    throw Error(ErrorKind::protocol, "the UPnP description has no <device> element");
  }
  Description d;
  d.friendly_name = text_of(device, "friendlyName");
  d.manufacturer = text_of(device, "manufacturer");
  d.model_name = text_of(device, "modelName");
  d.model_number = text_of(device, "modelNumber");
  d.udn = text_of(device, "UDN");
  if (d.udn.size() > 256) {
    d.udn.clear();  // not a UDN: the box's id stays unknown
  }
  collect_services(device, base, d);
  std::stable_sort(d.services.begin(), d.services.end(), [](const WanService& a, const WanService& b) {
    bool a_ip = a.service_type.find("WANIPConnection") != std::string::npos;
    bool b_ip = b.service_type.find("WANIPConnection") != std::string::npos;
    return a_ip && !b_ip;
  });
  return d;
}




std::optional<PortForward> port_forward_from_values(const std::map<std::string, std::string>& v) {
  auto get = [&](const char* k) {
    auto it = v.find(k);
    return it == v.end() ? std::string() : it->second;
  };
  PortForward f;
  auto proto = parse_protocol(get("NewProtocol"));
  auto ext = to_port(get("NewExternalPort"));
  auto in = to_port(get("NewInternalPort"));
  if (!proto || !ext || !in) {
    return std::nullopt;
  }
  f.protocol = *proto;
  f.external_port = f.external_port_end = *ext;
  f.internal_port = *in;
  f.internal_host = get("NewInternalClient");
  f.remote_host = get("NewRemoteHost");
  f.enabled = get("NewEnabled") != "0";
  std::string desc = get("NewPortMappingDescription");
  if (desc.empty()) {
    desc = get("NewDescription");
  }
  f.description = desc;
  std::string lease = get("NewLeaseDuration");
  if (lease.empty()) {
    lease = get("NewLeaseTime");
  }
  f.lease_seconds = to_u32(lease);
  f.origin = {"upnp"};
  f.apis = {"upnp-igd"};
  return f;
}

std::vector<PortForward> parse_port_listing(std::string_view xml) {
  pugi::xml_document doc;
  load(doc, xml, "port mapping list");
  std::vector<PortForward> out;
  for (auto entry : doc.document_element().children()) {
    if (entry.type() != pugi::node_element || local_name(entry) != "PortMappingEntry") {
      continue;
    }
    std::map<std::string, std::string> values;
    for (auto c : entry.children()) {
      if (c.type() == pugi::node_element) {
        values[std::string(local_name(c))] = c.child_value();
      }
    }
    if (auto f = port_forward_from_values(values)) {
      out.push_back(std::move(*f));
    }
  }
  return out;
}

}  // namespace bw::igd
