// `boxwarden vendors`: the compiled-in plugins and what each can read and change.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "core/i18n.hpp"
#include "vendors/registry.hpp"

namespace bw::cli {

ExitCode cmd_vendors(App& app) {
  auto& out = app.out();
  nlohmann::json a = nlohmann::json::array();
  for (const VendorPlugin* p : all_plugins()) {
    auto caps = capability_names(p->capabilities());
    if (app.opt().format == Format::json) {
      a.push_back({{"id", p->id()}, {"name", p->display_name()}, {"summary", p->summary()}, {"capabilities", caps}});
      continue;
    }
    std::string can;
    for (const auto& c : caps) {
      can += " " + c;
    }
    out << p->id() << " - " << p->display_name() << "\n  " << p->summary() << "\n  "
        << fill(tr("can:{capabilities}"), {{"capabilities", can}}) << "\n";
  }
  if (app.opt().format == Format::json) {
    nlohmann::json doc = {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}}, {"vendors", std::move(a)}};
    out << stamped(std::move(doc), app.opt().site).dump(2) << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
