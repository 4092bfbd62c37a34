// SFR box answers (XML from the box): vendors/sfr/sfr_parse.hpp must refuse bad input with
// Error(protocol) or read absent values, never crash; what it keeps is bounded.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vendors/sfr/sfr_parse.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sf = bw::sfr;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    sf::Answer a = sf::parse_answer(body);
    check(a.elements.size() <= 64 * 65);
    if (auto s = sf::parse_system(a)) {
      check(!s->product_id.empty());
      check(!sf::model_name(s->product_id).empty());
    }
    sf::WanInfo w = sf::parse_wan(a);
    check(w.ip.size() < 16);
    sf::parse_firewall(a);
    if (auto t = sf::parse_token(a)) {
      check(sf::login_hash(t->token, "admin", "x").size() == 128);
    }
    check(sf::failure_message(a, "read").size() < 1024);
  } catch (const bw::Error& err) {
    if (err.kind() != bw::ErrorKind::protocol) {
      __builtin_trap();
    }
  }
  return 0;
}
