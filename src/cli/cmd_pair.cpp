// `boxwarden pair`: for boxes that authorise an app once with a person at the box (the plugin
// says so: VendorPlugin::pairs()). Finds the box like audit, asks it for an app token, tells the
// person what to do on the box and waits; the token is kept in <state-dir>/tokens/ (0600) for
// every later command. Changes no setting of the box.
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"

namespace bw::cli {

ExitCode cmd_pair(App& app) {
  Discovered found = app.discover();
  const VendorPlugin* plugin = nullptr;
  for (const VendorPlugin* p : found.plugins) {
    if (p->pairs()) {
      plugin = p;
      break;
    }
  }
  if (plugin == nullptr) {
    std::string ids;
    for (const VendorPlugin* p : found.plugins) {
      ids += (ids.empty() ? "" : ", ") + std::string(p->id());
    }
    throw Error(ErrorKind::usage, fill(tr("the box at {address} ({vendors}) needs no pairing: run boxwarden audit"),
                                       {{"address", found.target.address}, {"vendors", ids}}));
  }
  plugin->pair(found.target, app.session_context());
  auto& out = app.out();
  if (app.opt().format == Format::json) {
    out << stamped(nlohmann::json{{"command", "pair"}, {"address", found.target.address}, {"vendor", plugin->id()},
                          {"paired", true}}, app.opt().site)
               .dump(2)
        << "\n";
  } else {
    out << fill(tr("Paired with the {box} at {address}."), {{"box", plugin->display_name()}, {"address", found.target.address}})
        << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
