// SSDP answers come from anyone on the LAN: parse_ssdp_reply must not crash on any datagram,
// and location_on_host must never accept a LOCATION that libcurl would fetch from elsewhere.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/ssdp.hpp"
#include "tests/fuzz/url_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view datagram(reinterpret_cast<const char*>(data), size);
  const std::string gateway = "192.168.1.1";
  bw::SsdpReply reply;
  if (bw::parse_ssdp_reply(datagram, reply)) {
    if (reply.location.empty() || reply.location.size() > 512) {
      __builtin_trap();  // the contract: a kept reply has a sane LOCATION
    }
    if (bw::location_on_host(reply.location, gateway)) {
      bw::fuzz::check_on_host(reply.location, gateway);
    }
  }
  // The raw input as a LOCATION too (the header parser trims and splits lines first).
  std::string location(datagram);
  if (bw::location_on_host(location, gateway)) {
    bw::fuzz::check_on_host(location, gateway);
  }
  return 0;
}
