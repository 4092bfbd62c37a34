// SOAP replies from the IGD (8 MiB at most): soap::parse_reply and the conversion of one
// GetGenericPortMappingEntry answer into a PortForward must not crash on any body; the IPv6
// firewall's replies (GetFirewallStatus values, GetPinholePackets codes driving the pinhole
// walk) neither, and the walk stays within its bounds whatever the box answers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "net/soap.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"
#include "vendors/upnp_igd/pinhole_walk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    auto r = bw::soap::parse_reply(xml);
    if (r.values.size() > 64) {
      __builtin_trap();  // the contract: at most 64 values are kept
    }
    if (auto f = bw::igd::port_forward_from_values(r.values)) {
      if (f->external_port == 0 || f->internal_port == 0) {
        __builtin_trap();
      }
    }
    auto it = r.values.find("NewPortListing");
    if (it != r.values.end()) {
      bw::igd::parse_port_listing(it->second);
    }
    if (bw::igd::firewall_status_from_values(r.values)) {
      // Only a boolean word makes a status: anything else is unknown, never "on".
      for (const char* k : {"FirewallEnabled", "InboundPinholeAllowed"}) {
        const std::string& v = r.values.at(k);
        if (v != "0" && v != "1" && v != "true" && v != "false" && v != "yes" && v != "no") {
          __builtin_trap();
        }
      }
    }
    // The box answers every GetPinholePackets with this reply's code (the first byte, when
    // not a fault, varies the codes id by id): the walk ends within its limits.
    const int code = r.fault_code;
    const unsigned salt = size ? data[0] : 0;
    auto ask = [&](uint32_t id) { return code != 0 ? code : static_cast<int>(((id * salt) >> 3) % 2 ? 606 : 704); };
    auto w = bw::igd::walk_pinholes(ask, [] { return true; });
    if (w.ids_asked > 1024 || w.found.size() > 64 || w.ids_asked < w.found.size()) {
      __builtin_trap();
    }
  } catch (const bw::Error&) {
  }
  return 0;
}
