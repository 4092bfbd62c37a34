// `boxwarden rollback [BACKUP]`: put back what fixes changed, then verify. Without a name:
// every unfinished fix of the box (in-progress: the run was killed; failed: its undo failed)
// and its newest completed fix, newest first. Every backup is loaded (and checked) before
// anything touches the network; the box is read, what would be put back is listed with the
// openings it re-creates, and only then the question.
#include <iostream>

#include <algorithm>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "cli/journal_run.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "net/gateway.hpp"
#include "plan/executor.hpp"
#include "plan/restore_preview.hpp"

namespace bw::cli {

namespace {

struct Chosen {
  Backup backup;
  std::string reason;  // why it is restored, plain words
};

std::string reason_for(const Backup& b) {
  switch (b.outcome) {
    case BackupOutcome::in_progress:
      return fill(tr("unfinished: the run was cut short on {date}"), {{"date", b.created}});
    case BackupOutcome::failed:
      return fill(tr("unfinished: the fix failed on {date} and could not be undone"), {{"date", b.created}});
    default:
      return fill(tr("the last completed fix, on {date}"), {{"date", b.created}});
  }
}

// The backups to restore, newest first. Loads (checks) every one it looks at: a damaged or
// edited backup stops the command here (exit 2), before any network.
std::vector<Chosen> choose(App& app, const BackupStore& store) {
  if (!app.opt().args.empty()) {
    Backup b = store.load(app.opt().args[0]);
    return {{b, fill(tr("named on the command line; it is {outcome}"), {{"outcome", to_string(b.outcome)}})}};
  }
  auto paths = store.list();
  if (paths.empty()) {
    throw Error(ErrorKind::usage, fill(tr("no backup in {dir}; name one (see 'boxwarden backups') or give --state-dir"),
                                       {{"dir", store.dir()}}));
  }
  std::vector<Backup> all;
  for (const auto& p : paths) {
    all.push_back(store.load(p));
  }
  std::string box = app.opt().gateways.empty() ? "" : parse_host_port(app.opt().gateways[0]).host;
  std::vector<Chosen> out;
  for (size_t i : select_for_rollback(all, box)) {
    out.push_back({all[i], reason_for(all[i])});
  }
  return out;
}

nlohmann::json to_json(const RestoreItem& item) {
  nlohmann::json j = {{"summary", valid_utf8(item.summary)}, {"severity", nullptr}, {"rule", nullptr}};
  if (item.finding) {
    j["severity"] = to_string(item.finding->severity);
    j["rule"] = item.finding->rule;
    j["allowed"] = item.finding->allowed;
  }
  return j;
}

// "critical" in the person's language (the JSON keeps the enum value).
const char* severity_word(Severity s) {
  switch (s) {
    case Severity::critical: return tr("critical");
    case Severity::high: return tr("high");
    case Severity::medium: return tr("medium");
    case Severity::low: return tr("low");
    case Severity::info: return tr("info");
  }
  return "";
}

void print_items(std::ostream& out, const std::vector<RestoreItem>& items, const std::string& profile) {
  for (const auto& item : items) {
    out << "  - " << printable(item.summary, 200) << "\n";
    if (item.finding && !item.finding->allowed) {
      out << "    "
          << fill(tr("warning: this re-opens: {title}: {severity} under {profile} ({rule})"),
                  {{"title", printable(item.finding->title, 300)}, {"severity", severity_word(item.finding->severity)},
                   {"profile", printable(profile, 60)}, {"rule", item.finding->rule}})
          << "\n";
    }
  }
}

}  // namespace

ExitCode cmd_rollback(App& app) {
  BackupStore store = app.backups();
  std::vector<Chosen> chosen = choose(app, store);
  auto& out = app.out();
  bool json = app.opt().format == Format::json;
  if (chosen.empty()) {
    // Every fix of this box was completed and rolled back, undone or interrupted and undone.
    if (json) {
      out << stamped(nlohmann::json{{"tool", tool_field()}, {"backups", nlohmann::json::array()}, {"outcome", "nothing-to-restore"},
                            {"restore", nlohmann::json::array()}}, app.opt().site)
                 .dump(2)
          << "\n";
    } else {
      out << (app.opt().gateways.empty()
                  ? std::string(tr("There is nothing to restore: no unfinished fix and no completed fix left to undo "
                                   "(see 'boxwarden backups')."))
                  : fill(tr("There is nothing to restore: no unfinished fix and no completed fix left to undo of the "
                            "box at {address} (see 'boxwarden backups')."),
                         {{"address", printable(app.opt().gateways[0], 60)}}))
          << "\n";
    }
    return ExitCode::ok;
  }
  const std::string& gateway = chosen.front().backup.gateway;
  if (app.opt().gateways.empty()) {
    app.set_gateway(gateway);  // the backup says which box it belongs to
  }
  Profile profile = app.profile();  // a bad --profile stops here, before any network
  Discovered found = app.discover();
  for (const auto& c : chosen) {
    if (c.backup.gateway != found.target.address) {
      throw Error(ErrorKind::usage, fill(tr("backup {file} belongs to the box at {owner}, not {address}"),
                                         {{"file", c.backup.path}, {"owner", c.backup.gateway}, {"address", found.target.address}}));
    }
  }
  if (!app.opt().dry_run) {
    app.lock_box_on_connect();  // one run per box
  }
  auto box = app.connect(found);
  std::vector<Backup> backups;
  for (const auto& c : chosen) {
    backups.push_back(c.backup);
  }
  RouterState now = box->read_state();
  auto items = preview_restore(backups, now, profile);
  size_t total = 0;
  nlohmann::json listed = nlohmann::json::array();
  for (size_t i = 0; i < chosen.size(); ++i) {
    total += items[i].size();
    for (const auto& item : items[i]) {
      listed.push_back(to_json(item));
      listed.back()["backup"] = chosen[i].backup.path;
    }
  }
  if (!json) {
    for (size_t i = 0; i < chosen.size(); ++i) {
      out << fill(tr("Backup {file} ({reason}):"), {{"file", printable(chosen[i].backup.path, 400)},
                                                    {"reason", printable(chosen[i].reason, 200)}})
          << "\n";
      if (items[i].empty()) {
        out << "  " << tr("nothing to put back: the box already has these settings") << "\n";
      }
      print_items(out, items[i], profile.name);
    }
  }
  if (app.opt().dry_run) {
    // Never changes the box, whatever the format.
    nlohmann::json requests = nlohmann::json::array();
    for (const auto& list : items) {
      for (const auto& item : list) {
        for (const auto& req : box->rehearse(inverse(item.action))) {
          requests.push_back(valid_utf8(req));
        }
      }
    }
    if (json) {
      out << stamped(nlohmann::json{{"tool", tool_field()}, {"backup", chosen.front().backup.path}, {"outcome", "dry-run"},
                            {"restore", listed}, {"would_send", requests}}, app.opt().site)
                 .dump(2)
          << "\n";
    } else {
      for (const auto& req : requests) {
        out << "  " << fill(tr("would send: {request}"), {{"request", printable(req.get<std::string>(), 400)}}) << "\n";
      }
      out << tr("Dry run: nothing was changed.") << "\n";
    }
    return ExitCode::ok;
  }
  if (total == 0) {
    if (json) {
      out << stamped(nlohmann::json{{"tool", tool_field()}, {"backup", chosen.front().backup.path}, {"outcome", "already-restored"},
                            {"restore", listed}, {"steps", nlohmann::json::array()}, {"failure", ""}}, app.opt().site)
                 .dump(2)
          << "\n";
    } else {
      out << tr("The box already has the saved settings: nothing to restore.") << "\n";
    }
    return ExitCode::ok;
  }
  bool asked = !app.opt().yes;
  if (asked) {
    if (!app.interactive()) {
      throw Error(ErrorKind::usage, tr("rollback changes the box and there is no terminal to ask; add --yes to proceed"));
    }
    if (!app.confirm(tr("Put these settings back on the box?"))) {
      app.note(tr("nothing was changed"));
      return ExitCode::ok;
    }
  }
  // Newest first, each with its own check; the first that fails stops the rest (an older fix
  // restored over a box in an unknown state could make it worse).
  interrupt::ChangeScope changing;  // a signal from here on: what was restored is taken back, exit 5
  nlohmann::json done = nlohmann::json::array();
  nlohmann::json steps = nlohmann::json::array();
  ExecutionReport last;
  size_t i = 0;
  for (; i < chosen.size(); ++i) {
    const Backup& b = chosen[i].backup;
    if (!json) {
      out << fill(tr("Restoring {file} ({reason})"), {{"file", printable(b.path, 400)}, {"reason", printable(chosen[i].reason, 200)}})
          << "\n";
    }
    // Without a question the read above is an instant old: the first restore starts from it.
    // After one, or after an earlier restore changed the box, restore() reads it again.
    last = restore(*box, b.plan, [&](const std::string& s) { app.progress(s); }, Patience{&app.deadline()},
                   i == 0 && !asked ? &now : nullptr);
    // One journal record per backup restored: its own plan, its own outcome.
    journal_change(app, "rollback", now, b.plan, last, b.path, b.profile);
    for (const auto& st : last.steps) {
      steps.push_back({{"backup", b.path}, {"summary", valid_utf8(st.summary)}, {"ok", st.ok}, {"error", valid_utf8(st.error)}});
      if (!json) {
        out << "  " << (st.ok ? tr("done") : tr("FAILED")) << "  "
            << (st.ok ? printable(st.summary, 200)
                      : fill(tr("{change}: {error}"), {{"change", printable(st.summary, 200)}, {"error", printable(st.error, 300)}}))
            << "\n";
      }
    }
    if (last.outcome != Outcome::applied && last.outcome != Outcome::nothing_to_do) {
      break;
    }
    if (!json) {
      out << "  "
          << (last.outcome == Outcome::applied ? tr("The box was re-read: these settings are back.")
                                               : tr("The box already had these settings."))
          << "\n";
    }
    try {
      store.set_outcome(b.path, BackupOutcome::rolled_back);
    } catch (const Error& e) {
      app.note(fill(tr("could not record the rollback in the backup: {error}"), {{"error", e.what()}}));
    }
    done.push_back(b.path);
    if (interrupt::stop_requested() && i + 1 < chosen.size()) {  // this one is back; the older ones wait
      ++i;
      last.outcome = Outcome::interrupted;
      last.failure = interrupt::interrupted_by();
      break;
    }
  }
  changing.finished();
  bool ok = i == chosen.size() && last.outcome != Outcome::interrupted;
  nlohmann::json remaining = nlohmann::json::array();
  for (size_t k = i; k < chosen.size(); ++k) {
    remaining.push_back(chosen[k].backup.path);
  }
  if (json) {
    out << stamped(nlohmann::json{{"tool", tool_field()},
                          {"backup", chosen.front().backup.path},
                          {"outcome", ok                                       ? "restored"
                                      : last.outcome == Outcome::rollback_failed ? "failed"
                                      : last.outcome == Outcome::interrupted     ? "interrupted"
                                                                                 : "undone"},
                          {"restore", listed},
                          {"restored", done},
                          {"remaining", remaining},
                          {"steps", steps},
                          {"failure", valid_utf8(last.failure)}}, app.opt().site)
               .dump(2)
        << "\n";
  }
  if (ok) {
    return ExitCode::ok;
  }
  std::string left;
  for (const auto& p : remaining) {
    left += " " + p.get<std::string>();
  }
  if (last.outcome == Outcome::interrupted) {
    std::string reason = printable(last.failure, 100);
    std::string message =
        done.empty() ? fill(tr("boxwarden: {reason}: what the rollback had restored was taken away again, and the box "
                               "re-read: it is as it was before the rollback; run boxwarden rollback again"),
                            {{"reason", reason}})
                     : fill(tr("boxwarden: {reason}: what the rollback had restored was taken away again, and the box "
                               "re-read (the backups already restored stay restored); run boxwarden rollback again"),
                            {{"reason", reason}});
    std::cerr << (left.empty() ? message : fill(tr("{message}; still to restore:{files}"), {{"message", message}, {"files", left}}))
              << "\n";
    return ExitCode::rolled_back;
  }
  const std::string& path = chosen[i].backup.path;
  if (last.outcome == Outcome::rollback_failed) {
    std::cerr << fill(tr("boxwarden: error: {message}"),
                      {{"message", fill(tr("could not restore everything ({reason}); the backup is kept: {file}; still to "
                                           "restore:{files}"),
                                        {{"reason", printable(last.failure, 300)}, {"file", path}, {"files", left}})}})
              << "\n";
    return ExitCode::rollback_failed;
  }
  std::cerr << fill(tr("boxwarden: error: {message}"),
                    {{"message", fill(tr("the rollback failed ({reason}) and what it had restored from {file} was taken "
                                         "away again; run boxwarden rollback again; still to restore:{files}"),
                                      {{"reason", printable(last.failure, 300)}, {"file", path}, {"files", left}})}})
            << "\n";
  // Refused to this account (a missing permission): exit 4 like fix, once all is put back.
  auto failed = std::find_if(last.steps.begin(), last.steps.end(), [](const StepReport& s) { return !s.ok; });
  return failed != last.steps.end() && failed->auth_refused ? ExitCode::auth : ExitCode::rolled_back;
}

}  // namespace bw::cli
