// Text from the network is hostile: these make it harmless before it reaches a terminal.
#pragma once

#include <string>
#include <string_view>

namespace bw {

// Printable form of untrusted text for a terminal: control characters (C0, DEL, C1,
// ESC sequences), invalid UTF-8 and NUL become visible escapes (\x1b, \n, \xff); at most
// max_chars characters, then "...".
std::string printable(std::string_view untrusted, size_t max_chars = 80);

// Valid UTF-8 for JSON: invalid bytes become U+FFFD; control characters are kept (the JSON
// encoder escapes them).
std::string valid_utf8(std::string_view untrusted);

}  // namespace bw
