// IGD:2 port listings (the text of NewPortListing): parse_port_listing must not crash, every
// entry it keeps must be usable, and its JSON form (after valid_utf8, as the report does) must
// serialize and parse back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/text.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"

namespace {

void clean(nlohmann::json& j) {
  if (j.is_string()) {
    j = bw::valid_utf8(j.get<std::string>());
  } else if (j.is_structured()) {
    for (auto& v : j) {
      clean(v);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& f : bw::igd::parse_port_listing(xml)) {
      if (f.external_port == 0 || f.internal_port == 0 || f.external_port_end != f.external_port) {
        __builtin_trap();
      }
      nlohmann::json j = bw::to_json(f);
      clean(j);
      std::string text = j.dump();  // throws on invalid UTF-8: a crash here is a finding
      if (nlohmann::json::parse(text) != j) {
        __builtin_trap();
      }
      bw::printable(f.description, 60);
    }
  } catch (const bw::Error&) {
  }
  return 0;
}
