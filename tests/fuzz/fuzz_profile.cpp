// Profiles are files a technician copies from anywhere: parse_profile must reject bad text
// with Error(usage), never crash, and a profile it accepts must be usable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "rules/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    bw::Profile p = bw::parse_profile(text, "fuzz.profile");
    bw::PortForward f;
    f.external_port = f.external_port_end = 3389;
    f.internal_port = 3389;
    f.internal_host = "192.168.1.10";
    p.allowance_for(f);
    for (const auto& a : p.allowed) {
      if (a.port_first > a.port_last) {
        __builtin_trap();
      }
    }
  } catch (const bw::Error& e) {
    if (e.kind() != bw::ErrorKind::usage) {
      __builtin_trap();
    }
  }
  return 0;
}
