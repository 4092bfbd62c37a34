#include "vendors/freebox/freebox_errors.hpp"

#include "core/text.hpp"
#include "vendors/freebox/freebox_parse.hpp"

namespace bw::freebox {

Envelope parse_envelope(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(ErrorKind::protocol, "the Freebox answered something that is not a JSON object");
  }
  Envelope e;
  e.success = get_bool(j, "success").value_or(false);
  auto it = j.find("result");
  if (it != j.end()) {
    e.result = *it;
  }
  e.error_code = get_string(j, "error_code", 64);
  e.msg = printable(get_string(j, "msg", 512), 160);
  return e;
}

const char* const k_settings_place =
    "in Freebox OS (http://mafreebox.freebox.fr), Paramètres de la Freebox > Gestion des accès > "
    "Applications: tick 'Modification des réglages' for boxwarden";

std::string insufficient_rights_message(std::string_view what) {
  return "the Freebox does not let boxwarden " + std::string(what) + " (it lacks the 'settings' permission): " +
         k_settings_place + ", then run the command again";
}

std::string pair_command(const std::string& address) {
  return "boxwarden pair -g " + address;
}

Error envelope_error(const Envelope& e, long http_status, std::string_view what, const std::string& address,
                     ErrorKind fallback) {
  const std::string& c = e.error_code;
  std::string w(what);
  if (c == "insufficient_rights") {
    return Error(ErrorKind::auth, insufficient_rights_message(w));
  }
  if (c == "auth_required" || c == "invalid_session") {
    return Error(ErrorKind::auth, "the Freebox refused boxwarden's session to " + w + " even after a new login (" +
                                      c + ")");
  }
  if (c == "invalid_token") {
    return Error(ErrorKind::auth, "the Freebox no longer knows boxwarden's app token (revoked in Freebox OS, or "
                                  "the box was reset): run `" + pair_command(address) + "` at the box to pair again");
  }
  if (c == "pending_token") {
    return Error(ErrorKind::auth, "boxwarden's access to the Freebox was never confirmed on the box: run `" +
                                      pair_command(address) + "` at the box and press its right arrow");
  }
  if (c == "ratelimited") {
    return Error(ErrorKind::auth, "the Freebox refuses logins from this computer for a while after too many "
                                  "failed attempts (ratelimited): wait a few minutes, then try again");
  }
  if (c == "denied_from_external_ip") {
    return Error(ErrorKind::auth, "the Freebox accepts this only from its own network: run boxwarden from a "
                                  "computer connected to the Freebox");
  }
  if (c == "new_apps_denied") {
    return Error(ErrorKind::auth, "the Freebox refuses new applications: in Freebox OS, Paramètres de la Freebox > "
                                  "Gestion des accès > Paramètres, allow new applications to ask for access, then "
                                  "run `" + pair_command(address) + "` again");
  }
  if (c == "apps_denied") {
    return Error(ErrorKind::auth, "the Freebox refuses every application (API access switched off in Freebox OS, "
                                  "Paramètres de la Freebox > Gestion des accès): switch it on to use boxwarden");
  }
  std::string detail = c.empty() ? "" : printable(c, 40);
  if (!e.msg.empty()) {
    detail += (detail.empty() ? "" : ": ") + e.msg;
  }
  if (detail.empty()) {
    detail = "HTTP " + std::to_string(http_status);
  }
  return Error(fallback, "the Freebox refused to " + w + " (" + detail + ")");
}

}  // namespace bw::freebox
