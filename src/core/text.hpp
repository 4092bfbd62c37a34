// Text from the network is hostile: these make it harmless before it reaches a terminal.
#pragma once

#include <string>
#include <string_view>

namespace bw {

// Printable form of untrusted text for a terminal: C0 controls, DEL, NUL, invalid UTF-8 and
// C1 controls (U+0080..U+009F, shown byte by byte: \xc2\x9b) become visible escapes (\x1b,
// \n, \t, \r, \xff), so no ESC sequence reaches the terminal; a backslash becomes \\.
// Bidi controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: "Trojan Source")
// and the line and paragraph separators U+2028 and U+2029 become \uXXXX (lowercase hex,
// e.g. \u202e). At most max_chars characters (each escape counts as one), then "...".
std::string printable(std::string_view untrusted, size_t max_chars = 80);

// Valid UTF-8 for JSON: invalid bytes and C1 controls become U+FFFD; C0 controls are kept
// (the JSON encoder escapes them: \n, \u001b); DEL, bidi controls and U+2028/U+2029 are
// kept as they are (valid in a JSON string; printable() is the form for terminals).
std::string valid_utf8(std::string_view untrusted);

// valid_utf8() of at most max_bytes bytes, cut at a character boundary: what a parser keeps of a
// text from the network (an invalid byte becomes U+FFFD, three bytes, so the cut comes after).
std::string valid_utf8_clip(std::string_view untrusted, size_t max_bytes);

}  // namespace bw
