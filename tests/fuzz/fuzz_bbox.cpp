// Bbox answers (JSON from the box): the pure parsers of vendors/bbox/bbox_parse.hpp must refuse
// bad input with Error(protocol) or read absent values, never crash; what they keep is bounded
// (ports in range, a range's end not before its start, every forward with a rule id).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vendors/bbox/bbox_parse.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bb = bw::bbox;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto e = bb::parse_error(body);
  check(bb::refusal_message(e, 400, "read").size() < 1024);
  if (e) {
    bb::retry_after_seconds(e->reason);
  }
  try {
    nlohmann::json j = bb::unwrap(body);
    check(j.is_object());
    if (auto d = bb::parse_device(j)) {
      check(!d->model.empty() && d->model.size() <= 200);
    }
    bb::parse_wan_ip(j);
    bb::parse_services(j).remote_saved.dump();
    bb::NatRules n = bb::parse_nat_rules(j);
    for (const auto& f : n.forwards) {
      check(f.external_port >= 1 && f.external_port_end >= f.external_port && !f.id.empty());
    }
    if (auto d = bb::parse_dmz(j)) {
      bb::dmz_restore_form(*d);
    }
    bb::parse_upnp_igd(j);
    for (const auto& f : bb::parse_upnp_rules(j)) {
      check(f.external_port >= 1 && f.external_port_end >= f.external_port);
    }
    for (const auto& p : bb::parse_ipv6_firewall(j).rules) {
      check(p.port_end >= p.port);
    }
  } catch (const bw::Error& err) {
    if (err.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
