// `boxwarden backups`: the backups saved before each fix, oldest first, with what became of
// each fix (completed, undone, interrupted, failed, rolled-back; in-progress: cut short).
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::cli {

ExitCode cmd_backups(App& app) {
  BackupStore store = app.backups();
  auto& out = app.out();
  bool json = app.opt().format == Format::json;
  nlohmann::json a = nlohmann::json::array();
  auto paths = store.list();
  if (paths.empty() && !json) {
    out << fill(tr("No backup in {dir}."), {{"dir", store.dir()}}) << "\n";
    return ExitCode::ok;
  }
  for (const auto& path : paths) {
    try {
      Backup b = store.load(path);
      size_t automatic = 0;
      for (const auto& act : b.plan) {
        automatic += act.automatic ? 1 : 0;
      }
      if (json) {
        a.push_back({{"path", path}, {"created", b.created}, {"gateway", b.gateway}, {"profile", b.profile},
                     {"changes", automatic}, {"outcome", to_string(b.outcome)},
                     {"rolled_back_at", b.rolled_back_at.empty() ? nlohmann::json() : nlohmann::json(b.rolled_back_at)}});
      } else {
        // in-progress once no run is going on: the run was killed (the box may be half-changed).
        std::string outcome(to_string(b.outcome));
        out << printable(b.created, 64) << "  " << outcome << std::string(outcome.size() < 12 ? 12 - outcome.size() : 0, ' ')
            << "  "
            << fill(trn("box {address}  profile {profile}  {n} change  {file}",
                        "box {address}  profile {profile}  {n} changes  {file}", automatic),
                    {{"address", b.gateway}, {"profile", printable(b.profile, 60)}, {"n", std::to_string(automatic)},
                     {"file", path}})
            << "\n";
      }
    } catch (const Error& e) {
      if (json) {
        a.push_back({{"path", path}, {"error", e.what()}});
      } else {
        out << fill(tr("(unreadable) {error}"), {{"error", printable(e.what(), 600)}}) << "\n";  // the message starts with the path
      }
    }
  }
  if (json) {
    nlohmann::json doc = {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}}, {"backups", std::move(a)}};
    out << stamped(std::move(doc), app.opt().site).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
