// Pure parsing for the Orange Livebox `/ws` API
// (shared/vendor-api/livebox.md). No I/O: everything here takes JSON or text and gives
// values, so unit tests run it against the captured fixtures of every model.
//
// Contract:
// - Replies are accepted in both envelopes: ws-4 (bare {"status","data","errors"}) and
//   ws-1 ({"result":{...}}); unwrap_reply() hides the difference.
// - Missing, null, wrongly typed or "**REDACTED**" values never throw: they read as
//   absent (empty string, nullopt, or the rule's map key for a redacted Id).
// - Secret fields (passwords, keys, PINs, certificates, the ISP login) are never
//   copied into anything these functions return (strip_secrets()).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/router_state.hpp"

namespace bw::livebox {

using nlohmann::json;

// Error codes seen on real boxes (livebox.md section 2.4).
constexpr long k_err_permission = 13;            // lost session, or service closed to admin
constexpr long k_err_not_found = 196618;         // object or method missing on this firmware
constexpr long k_err_missing_argument = 196640;  // one per missing mandatory argument
constexpr long k_err_rule_not_found = 1114115;   // deletePortForwarding of an unknown id
constexpr long k_err_overlap = 1114120;          // setPortForwarding port overlap

struct WsError {
  long code = 0;
  std::string description;
  std::string info;
  std::optional<long> waittime;  // seconds, on a throttled login
};

// One decoded reply, whatever the envelope.
struct WsReply {
  json status;  // the function's return value; null when absent
  json data;    // out-arguments; null when absent
  std::vector<WsError> errors;

  bool ok() const { return errors.empty(); }
  bool has_error(long code) const;
};

// Throws Error(protocol) when `body` is not a JSON object.
WsReply parse_reply(std::string_view body);
// Unwraps {"result":...} when present; a non-object gives an empty reply.
WsReply unwrap_reply(const json& j);
// "error 1114115 Object not found (webui_x); ..." for messages.
std::string describe_errors(const std::vector<WsError>& errors);

bool is_redacted(const json& v);
// Field readers that treat absent, null, redacted or mistyped values as the default.
std::string get_string(const json& obj, std::string_view key);
std::optional<bool> get_bool(const json& obj, std::string_view key);
std::optional<long long> get_int(const json& obj, std::string_view key);

// DeviceInfo:get status.
struct DeviceInfo {
  std::string product_class;  // "Livebox 7", "Livebox Fibre", "WIFIREPARCFR", ...
  std::string model_name;     // maker's model ("SagemcomFast5694_OFR")
  std::string manufacturer;
  std::string firmware;       // SoftwareVersion
  std::string external_ip;    // ExternalIPAddress ("" when redacted)
  std::string base_mac;       // upper case
  std::string serial;         // SerialNumber: identifies the box, never printed ("" when redacted)
};
std::optional<DeviceInfo> parse_device_info(const json& status);

enum class Family { livebox, repeater, other };
Family classify(const DeviceInfo& info);
// Commercial name: "Livebox 5 (Livebox Fibre)", "Livebox S (Livebox Nautilus)", "Livebox 7".
std::string commercial_model(const DeviceInfo& info);

// NMC:getWANStatus data.IPAddress ("" when missing or redacted).
std::string parse_wan_ip(const WsReply& reply);

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
};
// "443" or "10000-10005"; nullopt when empty or not ports.
std::optional<PortRange> parse_port_range(std::string_view text);
// "6", "17", "6,17" (IANA numbers); also tolerates "TCP"/"UDP" names. Others are left out.
std::vector<Protocol> parse_protocol_list(std::string_view text);
// The other way: protocol numbers ("6", "17") as the Livebox writes a list of them, "6,17".
std::string protocol_list_text(const std::vector<std::string>& numbers);

// Firewall:getPortForwarding status (an object keyed by rule id). A rule for "6,17"
// gives one PortForward per protocol, sharing the same id. Rules for other protocols
// are not representable and are named in `skipped` (their ids).
std::vector<PortForward> parse_port_forwards(const json& status,
                                             std::vector<std::string>* skipped = nullptr);
// The origin of a listed rule ("webui", "upnp", "cwmp", ...).
std::string rule_origin(const PortForward& f);
// The stored Livebox rule (PascalCase fields) behind a PortForward, or null.
const json* stored_rule(const PortForward& f);

// Firewall:getDMZ status (object keyed by DMZ id). vendor_data = {"entries": status}.
Dmz parse_dmz(const json& status);

// Parameters for setPortForwarding that recreate `rule` (PascalCase, as listed), with
// `enable` as given.
json forward_set_params(const json& rule, bool enable);
// Parameters for setDMZ that recreate the DMZ entry `id`.
json dmz_set_params(const std::string& id, const json& entry);

// Same JSON with every secret-looking key removed, recursively.
json strip_secrets(const json& j);

}  // namespace bw::livebox
