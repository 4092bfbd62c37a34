// `boxwarden forget-certificate HOST[:PORT]`: removes the certificate key pinned on the first
// HTTPS connection to a box (all its ports when no PORT is given), so that the next
// connection pins the key the box shows then. For a box that was reset, replaced or got
// a new certificate; changes nothing on the box.
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::cli {

ExitCode cmd_forget_certificate(App& app) {
  std::string host = app.opt().args.at(0);
  std::optional<uint16_t> port;
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    std::string digits = host.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stol(digits) < 1 || std::stol(digits) > 65535) {
      throw Error(ErrorKind::usage, fill(tr("forget-certificate: bad port in '{host}'; give HOST or HOST:PORT (1-65535), as "
                                            "in the error message"),
                                         {{"host", printable(host)}}));
    }
    port = static_cast<uint16_t>(std::stol(digits));
    host = host.substr(0, colon);
  }
  PinStore store = app.pin_store();
  std::vector<std::string> removed = store.forget(host, port);
  auto& out = app.out();
  if (app.opt().format == Format::json) {
    out << stamped(nlohmann::json{{"forgotten", removed}}, app.opt().site).dump(2) << "\n";
    return ExitCode::ok;
  }
  if (removed.empty()) {
    out << fill(tr("No certificate key is pinned for {host} in {dir}."), {{"host", printable(app.opt().args[0])}, {"dir", store.dir()}})
        << "\n";
    return ExitCode::ok;
  }
  for (const std::string& p : removed) {
    out << fill(tr("Forgot the certificate key pinned in {file}."), {{"file", p}}) << "\n";
  }
  out << fill(tr("The next connection to {host} pins the key the box shows then: make it from the box's own network."),
              {{"host", printable(host)}})
      << "\n";
  return ExitCode::ok;
}

}  // namespace bw::cli
