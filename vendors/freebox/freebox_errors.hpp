// The Freebox OS answer envelope and what its errors mean to a person (freebox.md 3, 4):
// one-line English messages that say what to do, never a secret, the box's text escaped.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace bw::freebox {

using nlohmann::json;

// The envelope of every other answer (freebox.md 3).
struct Envelope {
  bool success = false;
  json result;             // null when absent (an empty list for listings)
  std::string error_code;  // bounded, as sent
  std::string msg;         // printable() form of the box's (French) message
};
// Throws Error(protocol) when `body` is not a JSON object.
Envelope parse_envelope(std::string_view body);

// The Error for a failed call: `what` says what was asked ("list the port forwards"),
// `address` is the box's address for the command to run; `fallback` is the kind of an
// error that is not about authentication. Never contains a secret.
Error envelope_error(const Envelope& e, long http_status, std::string_view what, const std::string& address,
                     ErrorKind fallback);
// Where Freebox OS grants the "settings" permission (exit 4 messages).
extern const char* const k_settings_place;
std::string insufficient_rights_message(std::string_view what);
std::string pair_command(const std::string& address);  // "boxwarden pair -g ADDRESS"

}  // namespace bw::freebox
