// printable() and valid_utf8(), checked against an independent UTF-8 decoder: the terminal
// form holds no control character (C0, DEL, C1), no bidi control and only valid UTF-8; the JSON
// form is valid UTF-8 that nlohmann::json dumps and parses back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace {

// Decodes strictly (no overlongs, surrogates or values past U+10FFFF); calls f(code point);
// false on the first invalid sequence.
template <typename F>
bool decode(std::string_view s, F f) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      return false;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    f(cp);
    i += n;
  }
  return true;
}

bool terminal_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  size_t max_chars = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string shown = bw::printable(text, max_chars);
  bool clean = decode(shown, [](uint32_t cp) {
    if (terminal_control(cp)) {
      __builtin_trap();  // a control character reached the terminal form
    }
  });
  if (!clean || shown.size() > max_chars * 6 + 3) {
    __builtin_trap();
  }

  std::string utf8 = bw::valid_utf8(text);
  if (!decode(utf8, [](uint32_t cp) {
        if (cp >= 0x80 && cp <= 0x9F) {
          __builtin_trap();  // C1 controls are replaced too
        }
      })) {
    __builtin_trap();
  }
  if (bw::valid_utf8(utf8) != utf8) {
    __builtin_trap();
  }
  nlohmann::json j = utf8;
  if (nlohmann::json::parse(j.dump()) != j) {
    __builtin_trap();
  }
  return 0;
}
