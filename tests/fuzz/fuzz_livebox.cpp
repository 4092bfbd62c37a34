// Livebox /ws replies (JSON from the box: forwards, DMZ, IPv6 level and pinholes) and ~/.netrc text: the pure parsers of
// vendors/livebox/livebox_parse.hpp must refuse bad input with Error(protocol) or read
// absent values, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vendors/livebox/livebox_ipv6_parse.hpp"
#include "vendors/livebox/livebox_parse.hpp"
#include "core/credentials.hpp"
#include "vendors/livebox/livebox_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  namespace lb = bw::livebox;
  bw::netrc_password(body, "192.168.1.1", "admin");
  try {
    lb::WsReply r = lb::parse_reply(body);
    lb::describe_errors(r.errors);
    lb::parse_wan_ip(r);
    lb::parse_wan_ipv6(r);
    for (const auto* j : {&r.status, &r.data}) {
      if (auto info = lb::parse_device_info(*j)) {
        lb::classify(*info);
        lb::commercial_model(*info);
      }
      std::vector<std::string> skipped;
      for (const auto& f : lb::parse_port_forwards(*j, &skipped)) {
        lb::rule_origin(f);
        if (const auto* rule = lb::stored_rule(f)) {
          lb::forward_set_params(*rule, true);
        }
      }
      bw::Dmz dmz = lb::parse_dmz(*j);
      if (dmz.vendor_data.is_object() && dmz.vendor_data.contains("entries") &&
          dmz.vendor_data["entries"].is_object()) {
        for (const auto& [id, entry] : dmz.vendor_data["entries"].items()) {
          lb::dmz_set_params(id, entry);
        }
      }
      lb::parse_ipv6_level(*j);
      for (const auto& p : lb::parse_pinholes(*j)) {
        lb::pinhole_origin(p);
        lb::pinhole_protocols(p);
        if (const auto* rule = lb::stored_pinhole_rule(p)) {
          lb::pinhole_set_params(*rule);
          lb::pinhole_signature(*rule);
        }
      }
      lb::strip_secrets(*j);
    }
  } catch (const bw::Error& e) {
    if (e.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
