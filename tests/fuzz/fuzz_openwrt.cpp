// OpenWrt answers (ubus JSON-RPC from rpcd, miniupnpd's lease file): the pure parsers of
// vendors/openwrt/openwrt_parse.hpp must refuse bad input with Error(protocol) or read absent
// values, never crash; what they keep is bounded (ports in range, ranges ordered, every forward
// with its section saved and read back identical, no secret option kept).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vendors/openwrt/openwrt_parse.hpp"

namespace {

void owrt_check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ow = bw::openwrt;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const auto& f : ow::parse_leases(body)) {
    owrt_check(f.external_port >= 1 && f.internal_port >= 1 && f.description.size() <= ow::k_max_text);
  }
  ow::parse_ports(body.substr(0, 16));
  try {
    ow::Reply r = ow::parse_reply(body);
    owrt_check(r.data.is_object());
    owrt_check(r.rpc_message.size() < 1024);
    ow::status_name(r.status);
    if (auto sid = ow::parse_login(r.data)) {
      owrt_check(sid->size() == 32);
    }
    std::vector<ow::Section> secs = ow::parse_sections(r.data);
    owrt_check(secs.size() <= 4096);
    for (const ow::Section& s : secs) {
      owrt_check(s.find("private_key") == nullptr && s.find("password") == nullptr && s.options.size() <= 256);
      ow::Section back = ow::section_from_json(s.to_json());
      owrt_check(back.name == s.name && back.options == s.options && back.index == s.index);
    }
    ow::Firewall fw = ow::parse_firewall(secs);
    for (const auto& f : fw.forwards) {
      owrt_check(f.external_port >= 1 && f.external_port_end >= f.external_port && !f.id.empty());
      ow::section_from_json(f.vendor_data["openwrt"]["section"]);
    }
    for (const auto& p : fw.pinholes) {
      owrt_check(p.port_end >= p.port);
    }
    for (const auto& in : fw.input_rules) {
      for (const auto& [lo, hi] : in.ports) {
        owrt_check(lo >= 1 && hi >= lo);
      }
    }
    ow::parse_upnpd(secs);
    ow::parse_wireguard(secs);
    ow::admin_ports(secs, secs);
    ow::parse_interface_dump(r.data, {"wan", "wan6"});
    ow::parse_board(r.data);
  } catch (const bw::Error& err) {
    if (err.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
