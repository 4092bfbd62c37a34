// Freebox OS answers (JSON from the box): the pure parsers of vendors/freebox/freebox_parse.hpp
// must refuse bad input with Error(protocol) or read absent values, never crash; what they keep
// is bounded (ports in range, a range's end not before its start, a TLS name and base URL
// that cannot leave the box's URL).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vendors/freebox/freebox_parse.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

void all_readers(const nlohmann::json& j) {
  namespace fb = bw::freebox;
  auto c = fb::parse_connection(j);
  for (const auto& f : fb::parse_forwards(j, c.port_range)) {
    check(f.external_port >= 1 && f.external_port_end >= f.external_port && !f.id.empty());
    nlohmann::json body = fb::forward_create_body(f);
    fb::rule_matches(body, body);
  }
  for (const auto& f : fb::parse_upnp_mappings(j)) {
    check(f.external_port >= 1 && fb::is_upnp_mapping(f));
    fb::forward_create_body(f);
  }
  if (auto d = fb::parse_dmz(j)) {
    fb::dmz_restore_body(*d);
  }
  fb::parse_upnp_enabled(j);
  fb::parse_remote_access(j).saved.dump();
  auto v6 = fb::parse_ipv6_config(j);
  check(v6.saved.is_object() && v6.saved.size() <= 3 && v6.firewall.has_value() == v6.saved.contains("ipv6_firewall"));
  check(fb::parse_box_services(j).size() <= 256);
  fb::parse_system(j);
  fb::parse_authorization(j);
  fb::parse_pair_status(j);
  fb::parse_challenge(j);
  fb::parse_session(j);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  namespace fb = bw::freebox;
  if (auto v = fb::parse_api_version(body)) {
    check(v->api_major >= 1);
    check(v->api_domain.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos);
    check(v->api_base_url.front() == '/' && v->api_base_url.find("//") == std::string::npos);
    check(!v->https_available || (v->https_port != 0 && !v->api_domain.empty()));
    check(fb::short_id(v->uid).size() == 12);
  }
  try {
    fb::Envelope e = fb::parse_envelope(body);
    fb::envelope_error(e, 200, "read", "192.168.1.254", bw::ErrorKind::refused);
    all_readers(e.result);
    if (e.result.is_array()) {
      for (const auto& item : e.result) {
        all_readers(item);
      }
    }
  } catch (const bw::Error& err) {
    if (err.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
