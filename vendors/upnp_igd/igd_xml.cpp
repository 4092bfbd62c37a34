#include "vendors/upnp_igd/igd_xml.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <pugixml.hpp>

#include "core/error.hpp"

namespace bw::igd {

namespace {


// Local name of an element, without its namespace prefix.
std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child_local(const pugi::xml_node& parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && local_name(c) == name) {
      return c;
    }
  }
  return {};
}

std::string text_of(const pugi::xml_node& parent, std::string_view name) {
  return child_local(parent, name).child_value();
}

// pugixml ends a document at a NUL byte, so one NUL in one mapping's description made the
// whole reply unreadable (found by tests/lab/hostile_suite.py, case nasty-text). NUL is never
// valid XML: it becomes U+FFFD, as invalid UTF-8 does in the JSON report.
std::string without_nul(std::string_view xml) {
  std::string out;
  out.reserve(xml.size() + 16);
  for (char c : xml) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// miniupnpd 2.3.1 sends the GetListOfPortMappings listing in a CDATA section without escaping
// the descriptions in it, so a LAN host that names a mapping "]]>" closes the section early and
// the reply is no longer XML: the audit failed for everyone (found in the lab with upnpc -e ']]>').
// A reply that does not parse gets a second chance: its first CDATA section is taken to end at
// the last "]]>", and its content is escaped as text.
std::optional<std::string> repair_cdata(std::string_view xml) {
  constexpr std::string_view open = "<![CDATA[";
  auto start = xml.find(open);
  auto end = xml.rfind("]]>");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start + open.size()) {
    return std::nullopt;
  }
  std::string out(xml.substr(0, start));
  out += xml_escape(xml.substr(start + open.size(), end - start - open.size()));
  out += xml.substr(end + 3);
  return out;
}

void load(pugi::xml_document& doc, std::string_view xml, const char* what) {
  std::string copy;
  if (xml.find('\0') != std::string_view::npos) {
    copy = without_nul(xml);
    xml = copy;
  }
  auto r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    if (auto repaired = repair_cdata(xml)) {
      if (doc.load_buffer(repaired->data(), repaired->size(), pugi::parse_default, pugi::encoding_utf8)) {
        return;
      }
    }
    throw Error(ErrorKind::protocol, std::string("the box sent an unreadable ") + what + ": " + r.description());
  }
}

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
  collect_services(device, base, d);
  std::stable_sort(d.services.begin(), d.services.end(), [](const WanService& a, const WanService& b) {
    bool a_ip = a.service_type.find("WANIPConnection") != std::string::npos;
    bool b_ip = b.service_type.find("WANIPConnection") != std::string::npos;
    return a_ip && !b_ip;
  });
  return d;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string soap_envelope(const std::string& service_type, const std::string& action,
                          const std::vector<std::pair<std::string, std::string>>& args) {
  std::string body =
      "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action +
      " xmlns:u=\"" + xml_escape(service_type) + "\">";
  for (const auto& [name, value] : args) {
    body += "<" + name + ">" + xml_escape(value) + "</" + name + ">";
  }
  body += "</u:" + action + "></s:Body></s:Envelope>\r\n";
  return body;
}

SoapReply parse_soap_reply(std::string_view xml) {
  pugi::xml_document doc;
  load(doc, xml, "SOAP reply");
  SoapReply reply;
  auto envelope = doc.document_element();
  auto body = child_local(envelope, "Body");
  if (!body) {
    throw Error(ErrorKind::protocol, "the SOAP reply has no Body");
  }
  if (auto fault = child_local(body, "Fault")) {
    auto detail = child_local(fault, "detail");
    auto err = child_local(detail, "UPnPError");
    std::string code = text_of(err, "errorCode");
    int v = 0;
    std::from_chars(code.data(), code.data() + code.size(), v);
    reply.fault_code = v > 0 ? v : 501;
    reply.fault_text = text_of(err, "errorDescription");
    return reply;
  }
  for (auto resp : body.children()) {
    if (resp.type() != pugi::node_element) {
      continue;
    }
    for (auto c : resp.children()) {
      if (c.type() == pugi::node_element && reply.values.size() < 64) {
        reply.values[std::string(local_name(c))] = c.child_value();
      }
    }
    break;
  }
  return reply;
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
