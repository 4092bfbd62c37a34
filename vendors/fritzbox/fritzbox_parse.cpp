#include "vendors/fritzbox/fritzbox_parse.hpp"

#include <charconv>

#include <pugixml.hpp>

#include "core/error.hpp"
#include "core/text.hpp"
#include "net/soap.hpp"

namespace bw::fritz {

namespace {

constexpr std::string_view k_service_prefix = "urn:dslforum-org:service:";

// At most max_len bytes of valid UTF-8 (re-repairing a cut character made it longer: the
// fuzzer found a 64-byte user name of 66).
std::string fritz_bounded(std::string_view s, size_t max_len = k_max_text) {
  return valid_utf8_clip(s, max_len);
}

std::string fritz_trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) {
    return "";
  }
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

bool fritz_load(pugi::xml_document& doc, std::string_view xml_text) {
  try {
    xml::load(doc, xml_text, "FRITZ!Box XML");
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string fritz_text(const pugi::xml_node& parent, std::string_view name, size_t max_len = k_max_text) {
  return fritz_bounded(fritz_trim(xml::text_of(parent, name)), max_len);
}

bool fritz_is_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('.', i);
    std::string_view p = s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || p.size() > 3 || ec != std::errc() || end != p.data() + p.size() || v > 255) {
      return false;
    }
    ++parts;
    if (j == std::string_view::npos) {
      break;
    }
    i = j + 1;
  }
  return parts == 4;
}

// Services of `device` and of every device below it (embedded devices), at most k_max_services.
void fritz_collect(const pugi::xml_node& device, std::vector<Service>& out, int depth) {
  if (depth > 8) {
    return;
  }
  for (auto svc : xml::child_local(device, "serviceList").children()) {
    if (out.size() >= k_max_services) {
      return;
    }
    if (svc.type() != pugi::node_element || xml::local_name(svc) != "service") {
      continue;
    }
    std::string type = fritz_text(svc, "serviceType");
    std::string url = fritz_text(svc, "controlURL");
    // A path on the box itself: never a URL to elsewhere, never a path that climbs.
    if (type.empty() || url.size() < 2 || url[0] != '/' || url[1] == '/' || url.find("..") != std::string::npos ||
        url.find_first_of(" \t\r\n?#\\") != std::string::npos) {
      continue;
    }
    out.push_back({type, url});
  }
  for (auto child : xml::child_local(device, "deviceList").children()) {
    if (child.type() == pugi::node_element && xml::local_name(child) == "device") {
      fritz_collect(child, out, depth + 1);
    }
  }
}

}  // namespace

std::string Tr64Desc::service_type(std::string_view name) const {
  for (const Service& s : services) {
    if (s.type.size() == k_service_prefix.size() + name.size() && s.type.rfind(k_service_prefix, 0) == 0 &&
        std::string_view(s.type).substr(k_service_prefix.size()) == name) {
      return s.type;
    }
  }
  return "";
}

std::string Tr64Desc::control_url(std::string_view name) const {
  std::string type = service_type(name);
  for (const Service& s : services) {
    if (!type.empty() && s.type == type) {
      return s.control_url;
    }
  }
  return "";
}

std::optional<Tr64Desc> parse_tr64desc(std::string_view xml_text) {
  pugi::xml_document doc;
  if (!fritz_load(doc, xml_text)) {
    return std::nullopt;
  }
  auto root = doc.document_element();
  if (xml::local_name(root) != "root") {
    return std::nullopt;
  }
  auto device = xml::child_local(root, "device");
  std::string type = fritz_text(device, "deviceType");
  Tr64Desc d;
  d.manufacturer = fritz_text(device, "manufacturer");
  if (d.manufacturer != "AVM" || type.rfind("urn:dslforum-org:device:", 0) != 0) {
    return std::nullopt;
  }
  d.model = fritz_text(device, "modelName");
  d.friendly_name = fritz_text(device, "friendlyName");
  d.firmware = fritz_text(xml::child_local(root, "systemVersion"), "Display");
  fritz_collect(device, d.services, 0);
  return d;
}

std::string connection_service(std::string_view s) {
  // "1.WANPPPConnection.1": prefix, service, postfix (fritzconnection splits it the same way).
  size_t a = s.find('.');
  size_t b = a == std::string_view::npos ? a : s.find('.', a + 1);
  std::string_view mid = a == std::string_view::npos ? s : s.substr(a + 1, b == std::string_view::npos ? b : b - a - 1);
  if (mid == "WANPPPConnection" || mid == "WANIPConnection") {
    return std::string(mid) + ":1";
  }
  return "";
}

std::string value(const Values& v, std::string_view name) {
  auto it = v.find(std::string(name));
  return it == v.end() ? "" : fritz_bounded(fritz_trim(it->second));
}

std::optional<bool> bool_value(const Values& v, std::string_view name) {
  std::string t = value(v, name);
  if (t == "1" || t == "true") {
    return true;
  }
  if (t == "0" || t == "false") {
    return false;
  }
  return std::nullopt;
}

std::optional<uint32_t> uint_value(const Values& v, std::string_view name) {
  std::string t = value(v, name);
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    return std::nullopt;
  }
  return n;
}

std::optional<uint16_t> port_value(const Values& v, std::string_view name) {
  auto n = uint_value(v, name);
  if (!n || *n < 1 || *n > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(*n);
}

std::optional<PortForward> parse_port_mapping(const Values& v) {
  auto ext = port_value(v, "NewExternalPort");
  auto in = port_value(v, "NewInternalPort");
  auto proto = parse_protocol(value(v, "NewProtocol"));
  std::string client = value(v, "NewInternalClient");
  if (!ext || !proto || !fritz_is_ipv4(client)) {
    return std::nullopt;
  }
  PortForward f;
  f.protocol = *proto;
  f.external_port = f.external_port_end = *ext;
  f.internal_port = in.value_or(*ext);
  f.internal_host = client;
  std::string remote = value(v, "NewRemoteHost");
  f.remote_host = remote == "0.0.0.0" ? "" : remote;
  f.enabled = bool_value(v, "NewEnabled").value_or(true);
  f.description = value(v, "NewPortMappingDescription");
  f.lease_seconds = uint_value(v, "NewLeaseDuration").value_or(0);
  f.origin = {"webui"};
  f.apis = {"fritzbox"};
  f.id = std::string(to_string(f.protocol)) + "/" + std::to_string(*ext) + (remote.empty() ? "" : "/" + remote);
  f.vendor_data["fritzbox"] = {{"remote_host", remote},
                               {"enabled", f.enabled},
                               {"description", f.description},
                               {"lease", f.lease_seconds},
                               {"internal_port", f.internal_port}};
  return f;
}

DeviceInfo parse_device_info(const Values& v) {
  return {value(v, "NewModelName"), value(v, "NewSoftwareVersion"), value(v, "NewSerialNumber")};
}

RemoteAccess parse_remote_access(const Values& v) {
  RemoteAccess r;
  r.enabled = bool_value(v, "NewEnabled");
  r.port = port_value(v, "NewPort").value_or(0);
  return r;
}

Upnp parse_upnp(const Values& v) {
  return {bool_value(v, "NewEnable"), bool_value(v, "NewUPnPMediaServer")};
}

std::vector<Host> parse_host_list(std::string_view xml_text) {
  std::vector<Host> out;
  pugi::xml_document doc;
  if (!fritz_load(doc, xml_text)) {
    return out;
  }
  for (auto item : doc.document_element().children()) {
    if (out.size() >= k_max_hosts) {
      break;
    }
    if (item.type() != pugi::node_element || xml::local_name(item) != "Item") {
      continue;
    }
    Host h;
    h.ip = fritz_text(item, "IPAddress");
    if (!fritz_is_ipv4(h.ip)) {
      continue;
    }
    h.mac = fritz_text(item, "MACAddress", 32);
    h.name = fritz_text(item, "HostName");
    h.active = fritz_text(item, "Active") == "1";
    h.interface_type = fritz_text(item, "InterfaceType");
    out.push_back(std::move(h));
  }
  return out;
}

std::string safe_path(std::string_view path) {
  std::string p = fritz_trim(path);
  if (p.size() < 2 || p.size() > 512 || p[0] != '/' || p[1] == '/' || p.find("..") != std::string::npos ||
      p.find_first_of(" \t\r\n#\\@") != std::string::npos) {
    return "";
  }
  for (unsigned char c : p) {
    if (c < 0x21 || c > 0x7e) {
      return "";
    }
  }
  return p;
}

std::string last_user(std::string_view xml_text) {
  pugi::xml_document doc;
  if (!fritz_load(doc, xml_text)) {
    return "";
  }
  for (auto u : doc.document_element().children()) {
    if (u.type() == pugi::node_element && xml::local_name(u) == "Username" &&
        std::string_view(u.attribute("last_user").value()) == "1") {
      std::string name = fritz_bounded(fritz_trim(u.child_value()), 64);
      // A name for the Authorization header: printable ASCII without quotes or backslashes.
      for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
          return "";
        }
      }
      return name;
    }
  }
  return "";
}

std::string fault_name(int code) {
  switch (code) {
    case 401: return "Invalid Action";
    case 402: return "Invalid Args";
    case 501: return "Action Failed";
    case 600: return "Argument Value Invalid";
    case 603: return "Out of Memory";
    case 606: return "Action Not Authorized";
    case 713: return "SpecifiedArrayIndexInvalid";
    case 714: return "NoSuchEntryInArray";
    case 801: return "String too short";
    case 802: return "String too long";
    case 803: return "Invalid characters";
    case 820: return "Internal Error";
    default: return "error";
  }
}

}  // namespace bw::fritz
