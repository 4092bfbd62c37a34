// `boxwarden vpn setup` on a box that runs its own VPN server: no forward to a computer of the
// LAN and no server to keep running there. The box's server is started when it is stopped and
// gets one user per --peer, with a backup, verification and rollback like any change; then the
// box gives each peer's configuration, written 0600 with its QR code. If a configuration
// cannot be had, what was changed is taken back: a user without a configuration is useless.
#include "cli/vpn_box.hpp"

#include <unistd.h>

#include <iostream>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "cli/journal_run.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "plan/backup_store.hpp"
#include "plan/executor.hpp"
#include "vpn/files.hpp"
#include "vpn/qr.hpp"

namespace bw::cli {

namespace {

nlohmann::json json_doc(const RouterState& state, const VpnServer& server, const std::vector<Action>& plan,
                        const std::vector<std::string>& files, const std::string& backup, const std::string& outcome,
                        const std::vector<std::string>& requests, const std::vector<std::string>& peers) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& a : plan) {
    steps.push_back(bw::to_json(a));
  }
  nlohmann::json names = nlohmann::json::array();
  for (const auto& p : peers) {
    names.push_back({{"name", p}});
  }
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& r : requests) {
    sent.push_back(valid_utf8(r));
  }
  return {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
          {"command", "vpn setup"},
          {"gateway", {{"address", state.address}, {"vendor", state.vendor}, {"external_ip", valid_utf8(state.external_ip)}}},
          {"server", {{"side", "box"}, {"type", valid_utf8(server.type)}, {"port", server.port}}},
          {"peers", names},
          {"plan", steps},
          {"files", files},
          {"backup", backup.empty() ? nlohmann::json() : nlohmann::json(backup)},
          {"outcome", outcome},
          {"requests", sent},
          {"warnings", nlohmann::json::array()}};
}

void print_summary(App& app, const RouterState& state, const std::vector<Action>& plan, const BoxVpnRequest& r) {
  auto& out = app.out();
  const VpnServer& s = *state.vpn_server;
  out << "WireGuard remote access through the box's own VPN server\n";
  out << "  server   the box itself (" << printable(state.model.empty() ? state.vendor : state.model, 60)
      << "): no port forward to a computer of the LAN is needed\n";
  if (s.enabled) {
    out << "           already running" << (s.port != 0 ? " on UDP port " + std::to_string(s.port) : std::string())
        << "\n";
  }
  for (const auto& name : r.request.peers) {
    out << "  peer     " << name << "\n";
  }
  for (const auto& a : plan) {
    out << "  box      " << printable(a.summary, 200) << "\n";
  }
}

}  // namespace

void print_would_send(App& app, const std::vector<std::string>& requests) {
  for (const auto& line : requests) {
    app.out() << "  would send: " << printable(line, 400) << "\n";
  }
  app.out() << "\nDry run: nothing was changed on the box and no file was written.\n";
}

bool go_ahead(App& app, const char* question) {
  if (app.opt().yes) {
    return true;
  }
  if (!app.interactive()) {
    throw Error(ErrorKind::usage, "vpn setup changes the box and there is no terminal to ask; add --yes to proceed, "
                                  "or --dry-run to see what it would do");
  }
  if (!app.confirm(question)) {
    app.note("nothing was changed");
    return false;
  }
  return true;
}

ExitCode setup_on_box(App& app, Box& box, const RouterState& state, const BoxVpnRequest& r) {
  bool json = app.opt().format == Format::json;
  const vpn::SetupRequest& req = r.request;
  std::vector<Action> plan = vpn::box_server_plan(req, *state.vpn_server, r.port_given);
  vpn::check_out_dir(req.out_dir, req.peers, false);
  if (!json) {
    print_summary(app, state, plan, r);
  }
  if (app.opt().dry_run) {
    std::vector<std::string> requests;
    for (const auto& a : plan) {
      for (const auto& line : box.rehearse(a)) {
        requests.push_back(line);
      }
    }
    if (json) {
      nlohmann::json doc = json_doc(state, *state.vpn_server, plan, {}, "", "dry-run", requests, req.peers);
      app.out() << stamped(std::move(doc), app.opt().site).dump(2) << "\n";
    } else {
      print_would_send(app, requests);
    }
    return ExitCode::ok;
  }
  if (!go_ahead(app, "Change the box and write the files now? A backup is saved first.")) {
    return ExitCode::ok;
  }
  interrupt::ChangeScope changing;  // a signal from here on: no new change, undo, no file kept, exit 5
  Backup backup;
  backup.gateway = state.address;
  backup.profile = app.opt().profile;
  backup.state = state;
  backup.plan = plan;
  std::string backup_path = app.backups().save(backup);
  auto progress = [&](const std::string& s) { app.progress(s); };
  ExecutionReport e = execute(box, plan, progress, Patience{&app.deadline()});
  std::string failure = e.failure;
  vpn::WrittenFiles files;
  bool written = false;
  if (e.outcome == Outcome::applied || e.outcome == Outcome::nothing_to_do) {
    try {
      std::vector<std::pair<std::string, Secret>> configs;
      for (const auto& name : req.peers) {
        app.progress("getting the configuration of " + name + " from the box");
        configs.emplace_back(name, box.vpn_peer_config(name));
      }
      files = vpn::write_peer_files(req.out_dir, configs);
      written = true;
    } catch (const Error& err) {
      failure = std::string("could not get or write the peers' configurations: ") + err.what();
      ExecutionReport undo = restore(box, plan, progress, Patience{&app.deadline()});
      e.outcome = undo.outcome == Outcome::applied || undo.outcome == Outcome::nothing_to_do ? Outcome::rolled_back
                                                                                              : Outcome::rollback_failed;
    }
  }
  try {  // the backup was saved "in-progress": say what became of the change
    app.backups().set_outcome(backup_path, backup_outcome_for(e.outcome));
  } catch (const Error& err) {
    app.note(std::string("could not record the outcome in the backup: ") + err.what());
  }
  changing.finished();
  journal_change(app, "vpn", state, plan, e, backup_path);
  std::string outcome = e.outcome == Outcome::applied         ? "applied"
                        : e.outcome == Outcome::nothing_to_do ? "applied"
                        : e.outcome == Outcome::rolled_back   ? "rolled-back"
                        : e.outcome == Outcome::interrupted   ? "interrupted"
                                                              : "rollback-failed";
  if (json) {
    app.out() << stamped(json_doc(state, *state.vpn_server, plan, written ? files.paths : std::vector<std::string>{},
                          backup_path, outcome, {}, req.peers), app.opt().site)
                     .dump(2)
              << "\n";
  } else {
    auto& out = app.out();
    out << "\nSaved the box's current settings to " << backup_path << "\n";
    for (const auto& st : e.steps) {
      out << "  " << (st.ok ? app.paint("done", "32") : app.paint("FAILED", "1;31")) << "  "
          << printable(st.summary, 200) << (st.ok ? "" : ": " + printable(st.error, 300)) << "\n";
    }
  }
  if (e.outcome == Outcome::interrupted) {
    std::cerr << "boxwarden: " << interrupt::interrupted_by()
              << ": the box was put back as it was and checked, and no file was kept\n";
    return ExitCode::rolled_back;
  }
  if (e.outcome == Outcome::rolled_back) {
    std::cerr << "boxwarden: error: " << printable(failure, 300)
              << "; the box was put back as it was and no file was kept\n";
    return ExitCode::rolled_back;
  }
  if (e.outcome == Outcome::rollback_failed) {
    std::cerr << "boxwarden: error: " << printable(failure, 300) << ", and it could not be undone; backup: "
              << backup_path << "\n";
    return ExitCode::rollback_failed;
  }
  if (!json) {
    auto& out = app.out();
    out << "The box was re-read: its VPN server runs and has the new users; no port of a LAN computer was opened.\n";
    out << "\nFiles (only you can read them; they hold private keys):\n";
    for (const auto& path : files.paths) {
      out << "  " << path << "\n";
    }
    bool terminal = app.opt().output.empty() && isatty(STDOUT_FILENO);
    out << "\nWhat to do now\n";
    out << "  On each phone or computer, install the WireGuard app and import its NAME.conf file, or scan\n"
           "  NAME.png" << (terminal ? "" : " (no QR code here: the output is not a terminal)") << ".\n";
    out << "  The box runs the server: there is nothing to install on a computer of the LAN.\n";
    out << "To take it back (stop the server, remove these users): boxwarden rollback " << backup_path << "\n";
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
