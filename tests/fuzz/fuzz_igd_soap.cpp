// SOAP replies from the IGD (8 MiB at most): soap::parse_reply and the conversion of one
// GetGenericPortMappingEntry answer into a PortForward must not crash on any body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "net/soap.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

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
  } catch (const bw::Error&) {
  }
  return 0;
}
