// Pure parsing for the AVM FRITZ!Box over TR-064 (shared/vendor-api/fritzbox-tr064.md). No I/O:
// XML text or SOAP values in, RouterState pieces out, so unit tests run it against the
// captured fixtures (tests/fixtures/fritzbox) and the fuzzer against anything.
//
// Contract:
// - Everything is hostile: elements are matched by local name (any prefix), strings are
//   bounded (k_max_text) and kept as untrusted text, ports are checked (1-65535), lists are
//   capped (k_max_services, k_max_hosts). pugixml expands no entity and loads no DTD.
// - parse_tr64desc() accepts only an AVM TR-064 description (manufacturer AVM, a
//   urn:dslforum-org device); anything else is nullopt (not a FRITZ!Box), never an exception.
// - Nothing returned holds a secret (password, digest) or the serial number in clear
//   (DeviceInfo's serial goes to RouterState::box_identity only).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"

namespace bw::fritz {

constexpr size_t k_max_text = 256;
constexpr size_t k_max_services = 128;
constexpr size_t k_max_hosts = 1024;
constexpr size_t k_max_mappings = 512;  // GetPortMappingNumberOfEntries is believed up to this

using Values = std::map<std::string, std::string>;  // a SOAP reply's values (net/soap.hpp)

struct Service {
  std::string type;         // urn:dslforum-org:service:WANPPPConnection:1
  std::string control_url;  // /upnp/control/wanpppconn1 (a path: never another host)
};

// /tr64desc.xml.
struct Tr64Desc {
  std::string manufacturer;  // "AVM"
  std::string model;         // modelName ("FRITZ!Box 7590")
  std::string friendly_name;
  std::string firmware;      // systemVersion/Display ("154.07.10"), else ""
  std::vector<Service> services;
  // The control path of service `name` ("Layer3Forwarding:1", "X_AVM-DE_UPnP:1": the part
  // after urn:dslforum-org:service:); "" when the box does not offer it.
  std::string control_url(std::string_view name) const;
  std::string service_type(std::string_view name) const;  // its full type, "" when absent
};
std::optional<Tr64Desc> parse_tr64desc(std::string_view xml);

// Layer3Forwarding:GetDefaultConnectionService's "1.WANPPPConnection.1" -> "WANPPPConnection:1";
// "" unless it names WANPPPConnection or WANIPConnection.
std::string connection_service(std::string_view default_service);

// Values of a successful reply; the text of `name`, printable-bounded (valid UTF-8, at most
// k_max_text bytes), "" when absent.
std::string value(const Values& v, std::string_view name);
std::optional<bool> bool_value(const Values& v, std::string_view name);  // "1"/"0"/"true"/"false"
std::optional<uint32_t> uint_value(const Values& v, std::string_view name);
std::optional<uint16_t> port_value(const Values& v, std::string_view name);  // 1-65535

// GetGenericPortMappingEntry (TR-064 WAN*Connection): a port share ("Portfreigabe"), origin
// "webui"; vendor_data.fritzbox holds every field AddPortMapping needs to put it back
// (remote_host as listed, enabled, description, lease). nullopt when a field is invalid.
std::optional<PortForward> parse_port_mapping(const Values& v);

// DeviceInfo:GetInfo.
struct DeviceInfo {
  std::string model;     // NewModelName
  std::string firmware;  // NewSoftwareVersion
  std::string serial;    // identifying: box_identity only
};
DeviceInfo parse_device_info(const Values& v);

// X_AVM-DE_RemoteAccess:GetInfo.
struct RemoteAccess {
  std::optional<bool> enabled;
  uint16_t port = 0;  // 0 when absent or invalid
};
RemoteAccess parse_remote_access(const Values& v);

// X_AVM-DE_UPnP:GetInfo.
struct Upnp {
  std::optional<bool> enabled;       // NewEnable
  std::optional<bool> media_server;  // NewUPnPMediaServer (sent back as read)
};
Upnp parse_upnp(const Values& v);

// The file at Hosts:X_AVM-DE_GetHostListPath (devicehostlist.xml): one per <Item>.
struct Host {
  std::string ip;
  std::string mac;
  std::string name;
  bool active = false;
  std::string interface_type;
};
std::vector<Host> parse_host_list(std::string_view xml);
// The path the box gave (X_AVM-DE_HostListPath): only a path on the same server ("/devicehostlist.lua?sid=..."),
// else "".
std::string safe_path(std::string_view path);

// LANConfigSecurity:X_AVM-DE_GetUserList: <List><Username last_user="1">name</Username>...;
// the last user's name (AVM's recommended default), "" when none is marked.
std::string last_user(std::string_view xml);

// TR-064 fault codes (fritzconnection FRITZ_ERRORS): a short English name for a message.
std::string fault_name(int code);

}  // namespace bw::fritz
