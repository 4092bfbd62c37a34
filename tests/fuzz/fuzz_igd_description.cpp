// A device description from the gateway (256 KiB at most): parse_description must not crash,
// and every control URL it resolves (WAN connections and the IPv6 firewall) and the plugin
// then accepts (location_on_host) must be fetched by libcurl from the gateway itself
// (URLBase / controlURL tricks).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "net/ssdp.hpp"
#include "tests/fuzz/url_oracle.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  const std::string gateway = "192.168.1.1";
  try {
    auto d = bw::igd::parse_description(xml, "http://192.168.1.1:5000/rootDesc.xml");
    for (const auto& s : d.services) {
      if (s.version != 1 && s.version != 2) {
        __builtin_trap();
      }
      if (bw::location_on_host(s.control_url, gateway)) {
        bw::fuzz::check_on_host(s.control_url, gateway);
      }
    }
    if (d.ipv6_firewall && bw::location_on_host(d.ipv6_firewall->control_url, gateway)) {
      bw::fuzz::check_on_host(d.ipv6_firewall->control_url, gateway);
    }
  } catch (const bw::Error&) {
  }
  return 0;
}
