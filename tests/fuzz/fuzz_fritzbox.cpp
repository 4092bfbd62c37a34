// FRITZ!Box answers (XML from the box: tr64desc.xml, SOAP replies and faults, the host list, the
// user list): the pure parsers of vendors/fritzbox/fritzbox_parse.hpp must refuse bad input
// (nullopt, empty, or Error(protocol) from the SOAP parser), never crash; what they keep is
// bounded (ports in range, control URLs local paths, texts at most k_max_text bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "net/soap.hpp"
#include "vendors/fritzbox/fritzbox_parse.hpp"

namespace {

void fritz_check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = bw::fritz;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto d = fz::parse_tr64desc(body)) {
    fritz_check(d->manufacturer == "AVM" && d->services.size() <= fz::k_max_services);
    for (const auto& s : d->services) {
      fritz_check(s.control_url.size() >= 2 && s.control_url[0] == '/' && s.control_url[1] != '/');
    }
    d->control_url("WANPPPConnection:1");
  }
  for (const auto& h : fz::parse_host_list(body)) {
    fritz_check(h.name.size() <= fz::k_max_text && !h.ip.empty());
  }
  fritz_check(fz::last_user(body).size() <= 64);
  std::string p = fz::safe_path(body);
  fritz_check(p.empty() || (p[0] == '/' && p.find("..") == std::string::npos));
  fz::connection_service(body);
  try {
    bw::soap::Reply r = bw::soap::parse_reply(body);
    fz::fault_name(r.fault_code);
    if (auto f = fz::parse_port_mapping(r.values)) {
      fritz_check(f->external_port >= 1 && f->external_port_end == f->external_port && f->internal_port >= 1);
      fritz_check(f->description.size() <= fz::k_max_text);
    }
    fz::parse_upnp(r.values);
    fz::parse_remote_access(r.values);
    fritz_check(fz::parse_device_info(r.values).serial.size() <= fz::k_max_text);
  } catch (const bw::Error& err) {
    if (err.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
