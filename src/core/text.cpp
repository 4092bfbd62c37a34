#include "core/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace bw {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t utf8_len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range code points are invalid.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0;
  }
  // C1 controls (U+0080..U+009F) are terminal controls too.
  if (cp >= 0x80 && cp <= 0x9F) {
    return 0;
  }
  return n;
}

std::string hex_escape(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

// The code point of the valid n-byte sequence at s[i] (n from utf8_len).
uint32_t code_point(std::string_view s, size_t i, size_t n) {
  static constexpr unsigned char k_lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t cp = static_cast<unsigned char>(s[i]) & k_lead_mask[n];
  for (size_t k = 1; k < n; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return cp;
}

// Bidi controls reorder what follows them on the line ("Trojan Source", CVE-2021-42574): a
// mapping labelled "\u202e..." could make the rest of a report line read backwards. Line and
// paragraph separators break lines in some terminals. Found by tests/lab/hostile_suite.py
// (case nasty-text).
bool bidi_or_separator(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

std::string printable(std::string_view s, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    if (chars >= max_chars) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_len(s, i);
    if (n == 0) {
      out += hex_escape(c);
      i += 1;
    } else if (n == 1 && (c < 0x20 || c == 0x7F)) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        out += hex_escape(c);
      }
      i += 1;
    } else if (n == 1 && c == '\\') {
      out += "\\\\";
      i += 1;
    } else if (n >= 2 && bidi_or_separator(code_point(s, i, n))) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(code_point(s, i, n)));
      out += buf;
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
    ++chars;
  }
  return out;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_len(s, i);
    if (n == 0) {
      // Invalid bytes (and C1 controls) become U+FFFD.
      out += "\xEF\xBF\xBD";
      i += 1;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string valid_utf8_clip(std::string_view untrusted, size_t max_bytes) {
  // Each input byte gives at most 3 output bytes: reading more than max_bytes is never needed.
  std::string out = valid_utf8(untrusted.substr(0, std::min(untrusted.size(), max_bytes)));
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;  // not inside a character: back to its first byte
    }
    out.resize(cut);
  }
  return out;
}

}  // namespace bw
