// `boxwarden profiles [NAME]`: list the profiles, or print one as written.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "core/i18n.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

ExitCode cmd_profiles(App& app) {
  auto& out = app.out();
  bool json = app.opt().format == Format::json;
  if (!app.opt().args.empty()) {
    Profile p = load_profile(app.opt().args[0]);
    if (json) {
      nlohmann::json doc = {{"name", p.name}, {"summary", p.summary}, {"path", p.path}, {"text", p.text}};
      out << stamped(std::move(doc), app.opt().site).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
    } else {
      out << "# " << p.path << "\n" << p.text;
    }
    return ExitCode::ok;
  }
  auto all = list_profiles();
  if (json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : all) {
      a.push_back({{"name", p.name}, {"summary", p.summary}, {"path", p.path}});
    }
    nlohmann::json doc = {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}}, {"profiles", std::move(a)}};
    out << stamped(std::move(doc), app.opt().site).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    return ExitCode::ok;
  }
  for (const auto& p : all) {
    out << p.name << std::string(p.name.size() < 18 ? 18 - p.name.size() : 1, ' ') << (p.summary.empty() ? "" : tr(p.summary.c_str())) << "\n";
  }
  out << "\n" << tr("Show one with 'boxwarden profiles NAME'; copy it to ~/.config/boxwarden/profiles/ to edit it.") << "\n";
  return ExitCode::ok;
}

}  // namespace bw::cli
