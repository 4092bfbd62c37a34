// `boxwarden rollback [BACKUP]`: put back what a fix changed, then verify.
#include <iostream>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "plan/executor.hpp"

namespace bw::cli {

ExitCode cmd_rollback(App& app) {
  BackupStore store = app.backups();
  std::string which;
  if (!app.opt().args.empty()) {
    which = app.opt().args[0];
  } else if (auto latest = store.latest()) {
    which = *latest;
  } else {
    throw Error(ErrorKind::usage, "no backup in " + store.dir() + "; name one (see 'boxwarden backups') or give --state-dir");
  }
  Backup b = store.load(which);
  auto& out = app.out();
  bool json = app.opt().format == Format::json;
  if (app.opt().gateways.empty() && !b.gateway.empty()) {
    app.set_gateway(b.gateway);  // the backup says which box it belongs to
  }
  Discovered found = app.discover();
  if (!b.gateway.empty() && found.target.address != b.gateway) {
    throw Error(ErrorKind::usage, "backup " + b.path + " belongs to the box at " + b.gateway + ", not " + found.target.address);
  }
  if (!app.opt().dry_run) {
    app.lock_box_on_connect();  // one run per box
  }
  auto box = app.connect(found);
  if (app.opt().dry_run) {
    // Never changes the box, whatever the format.
    nlohmann::json requests = nlohmann::json::array();
    for (const auto& a : b.plan) {
      if (a.automatic) {
        for (const auto& req : box->describe(inverse(a))) {
          requests.push_back(valid_utf8(req));
        }
      }
    }
    if (json) {
      out << nlohmann::json{{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
                            {"backup", b.path}, {"outcome", "dry-run"}, {"would_send", requests}}
                 .dump(2)
          << "\n";
    } else {
      out << "Would restore the settings saved on " << b.created << " (" << b.path << ")\n";
      for (const auto& req : requests) {
        out << "  would send: " << printable(req.get<std::string>(), 400) << "\n";
      }
      out << "Dry run: nothing was changed.\n";
    }
    return ExitCode::ok;
  }
  if (!json) {
    out << "Restoring the settings saved on " << b.created << " (" << b.path << ")\n";
  }
  if (!app.opt().yes) {
    if (!app.interactive()) {
      throw Error(ErrorKind::usage, "rollback changes the box and there is no terminal to ask; add --yes to proceed");
    }
    if (!app.confirm("Put these settings back on the box?")) {
      app.note("nothing was changed");
      return ExitCode::ok;
    }
  }
  interrupt::ChangeScope changing;  // a signal from here on: what was restored is taken back, exit 5
  ExecutionReport e = restore(*box, b.plan, [&](const std::string& s) { app.progress(s); }, Patience{&app.deadline()});
  changing.finished();
  if (json) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& st : e.steps) {
      steps.push_back({{"summary", valid_utf8(st.summary)}, {"ok", st.ok}, {"error", valid_utf8(st.error)}});
    }
    out << nlohmann::json{{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
                          {"backup", b.path},
                          {"outcome", e.outcome == Outcome::rollback_failed ? "failed"
                                      : e.outcome == Outcome::rolled_back   ? "undone"
                                      : e.outcome == Outcome::nothing_to_do ? "already-restored"
                                      : e.outcome == Outcome::interrupted   ? "interrupted"
                                                                            : "restored"},
                          {"steps", steps},
                          {"failure", valid_utf8(e.failure)}}
               .dump(2)
        << "\n";
  } else {
    for (const auto& st : e.steps) {
      out << "  " << (st.ok ? "done" : "FAILED") << "  " << printable(st.summary, 200)
          << (st.ok ? "" : ": " + printable(st.error, 300)) << "\n";
    }
    if (e.outcome == Outcome::nothing_to_do) {
      out << "The box already has these settings; nothing to restore.\n";
    } else if (e.outcome == Outcome::applied) {
      out << "The box was re-read: the saved settings are back.\n";
    }
  }
  if (e.outcome == Outcome::interrupted) {
    std::cerr << "boxwarden: " << printable(e.failure, 100)
              << ": what the rollback had restored was taken away again, and the box re-read: it is as it was "
                 "before the rollback; run boxwarden rollback again (the backup is kept: "
              << b.path << ")\n";
    return ExitCode::rolled_back;
  }
  if (e.outcome == Outcome::rolled_back) {
    std::cerr << "boxwarden: error: the rollback failed (" << printable(e.failure, 300)
              << ") and what it had restored was taken away again: the box is as it was before; "
                 "run boxwarden rollback again (the backup is kept: "
              << b.path << ")\n";
    return ExitCode::rolled_back;
  }
  if (e.outcome == Outcome::rollback_failed) {
    std::cerr << "boxwarden: error: could not restore everything (" << printable(e.failure, 300)
              << "); the backup is kept: " << b.path << "\n";
    return ExitCode::rollback_failed;
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
