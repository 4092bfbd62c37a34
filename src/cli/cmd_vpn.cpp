// `boxwarden vpn setup`: safe remote access through WireGuard on one UDP port. Checks
// everything first, then writes the configurations and adds the one forward on the box
// like `fix` does (confirm, backup, apply, verify, undo on failure). The logic lives in
// src/vpn/; this file parses, sequences and prints.
//
// Secrets: private and preshared keys are written to the files only. The QR codes encode
// a client's private key, so they go to stdout only when it is a terminal (someone is
// there to scan them), or with --show-secrets, which also prints the keys.
#include <unistd.h>

#include <iostream>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "cli/journal_run.hpp"
#include "cli/command.hpp"
#include "cli/spell.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "net/gateway.hpp"
#include "plan/backup_store.hpp"
#include "plan/executor.hpp"
#include "rules/evaluator.hpp"
#include "rules/profile.hpp"
#include "cli/vpn_box.hpp"
#include "vpn/files.hpp"
#include "vpn/qr.hpp"
#include "vpn/setup.hpp"
#include "vpn/wording.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

// The vpn options, bound by vpn_options() when the command line is parsed (once per run).
struct VpnOptions {
  std::vector<std::string> peers;
  std::string out = "boxwarden-vpn";
  std::string host;
  int port = -1;  // -1: not given (vpn::k_default_port, or the port the box's own server chose)
  std::string server = "auto";
  std::string subnet;
  std::string endpoint;
  bool preshared_keys = false;
  bool show_secrets = false;
};

VpnOptions& vpn_opts() {
  static VpnOptions o;
  return o;
}

// Everything decided before anything changes.
struct Prepared {
  vpn::SetupRequest request;
  RouterState state;
  vpn::WgSetup setup;
  PortForward forward;
  vpn::ForwardStatus status = vpn::ForwardStatus::missing;
  std::vector<Action> plan;
  std::vector<std::string> warnings;
  bool server_is_here = true;
};

vpn::SetupRequest request_from_options() {
  const VpnOptions& o = vpn_opts();
  vpn::SetupRequest r;
  r.peers = o.peers;
  r.out_dir = o.out;
  r.host = o.host;
  if (o.port != -1 && (o.port < 1 || o.port > 65535)) {
    throw Error(ErrorKind::usage, tr("--port: give a UDP port between 1 and 65535 (WireGuard's usual port is 51820)"));
  }
  r.port = o.port == -1 ? vpn::k_default_port : static_cast<uint16_t>(o.port);
  r.subnet = o.subnet;
  r.endpoint = o.endpoint;
  r.preshared_keys = o.preshared_keys;
  vpn::check_request(r);
  return r;
}

// The networks this computer already uses: its interfaces' and its routes'.
std::vector<vpn::Ipv4Net> local_networks(const std::vector<vpn::LocalAddress>& addresses) {
  std::vector<vpn::Ipv4Net> nets = vpn::routed_networks();
  for (const auto& a : addresses) {
    nets.push_back(a.network);
  }
  return nets;
}

// A note when the profile would not take the forward as its expected opening.
void profile_note(App& app, const Prepared& p) {
  try {
    Profile profile = app.profile();
    RouterState alone;
    alone.address = p.state.address;
    alone.static_forwards_known = true;
    alone.dmz = Dmz{};
    alone.upnp_igd_enabled = false;
    alone.remote_admin_enabled = false;
    alone.port_forwards.push_back(p.forward);
    for (const auto& f : evaluate(profile, alone)) {
      if (f.subject.kind == SubjectKind::port_forward && !f.allowed) {
        app.note(fill(tr("note: the profile '{profile}' does not list UDP {port} as an expected opening, so audit will "
                         "report it ({severity}); add 'allow {port}/udp purpose WireGuard VPN' to a copy of the profile"),
                      {{"profile", profile.name},
                       {"port", std::to_string(p.forward.external_port)},
                       {"severity", std::string(to_string(f.severity))}}));
      }
    }
  } catch (const Error&) {
    // an unknown profile is reported by the commands that use it
  }
}

Prepared prepare(App& app, Box& box, const Discovered& found, vpn::SetupRequest request, RouterState state) {
  Prepared p;
  p.request = std::move(request);
  const vpn::SetupRequest& r = p.request;
  p.state = std::move(state);
  Capabilities caps = box.capabilities();
  if (has(caps, Capability::vpn_server) && p.state.vpn_server) {
    p.warnings.push_back(tr("this box has a VPN server of its own, which needs no forward to a computer of the LAN: "
                            "leave --host and --server lan out to use it"));
  }
  (void)app;
  bool loopback_box = is_loopback_ipv4(found.target.address);
  std::optional<uint32_t> source;
  if (!loopback_box) {
    source = vpn::source_address_towards(found.target.address);
  }
  uint32_t host = vpn::choose_host(r, found.target.address, source, loopback_box);
  p.server_is_here = r.host.empty() || (source && *source == host);
  auto addresses = vpn::local_addresses();
  if (!p.server_is_here) {
    for (const auto& a : addresses) {
      p.server_is_here = p.server_is_here || a.address == host;
    }
  }
  vpn::Ipv4Net lan = vpn::lan_of(host, addresses);
  auto box_ip = vpn::parse_ipv4_address(found.target.address);
  if (!loopback_box && box_ip && !lan.contains(*box_ip)) {
    p.warnings.push_back(fill(tr("the server {host} is not on the box's LAN {lan}; check --host"),
                              {{"host", vpn::format_ipv4(host)}, {"lan", lan.to_string()}}));
  }
  vpn::Ipv4Net tunnel = vpn::choose_subnet(r, lan, local_networks(addresses));
  p.forward = vpn::wireguard_forward(vpn::format_ipv4(host), r.port);
  p.status = vpn::check_forward(p.state, p.forward);
  p.plan = vpn::forward_plan(p.forward, p.status, caps);
  std::string warning;
  std::string endpoint = vpn::choose_endpoint(r, p.state, warning);
  if (!warning.empty()) {
    p.warnings.push_back(warning);
  }
  p.setup = vpn::build_setup(r, tunnel, lan, host, endpoint);
  return p;
}

// In a dry run the keys shown would never be used (a real run makes new ones): no key lines.
void print_summary(App& app, const Prepared& p) {
  auto& out = app.out();
  const vpn::WgSetup& s = p.setup;
  bool dry = app.opt().dry_run;
  bool show = vpn_opts().show_secrets && !dry;
  out << fill(tr("WireGuard remote access to the LAN {lan}"), {{"lan", s.lan.to_string()}}) << "\n";
  std::string tunnel = vpn::format_ipv4(s.server.tunnel_address) + "/" + std::to_string(s.tunnel.prefix);
  out << fill(p.server_is_here ? tr("  server   {host} (this computer), UDP port {port}, tunnel {tunnel}")
                               : tr("  server   {host}, UDP port {port}, tunnel {tunnel}"),
              {{"host", s.server.lan_host}, {"port", std::to_string(s.server.listen_port)}, {"tunnel", tunnel}})
      << "\n";
  if (!dry) {
    out << fill(tr("           public key {key}"), {{"key", s.server.keys.public_key}}) << "\n";
  }
  if (show) {
    out << fill(tr("           private key {key}"), {{"key", s.server.keys.private_key.reveal()}}) << "\n";
  }
  out << fill(tr("  clients  connect to {endpoint}"),
              {{"endpoint", printable(vpn::endpoint_text(s.endpoint_host, s.endpoint_port), 120)}})
      << "\n";
  for (const auto& peer : s.peers) {
    out << fill(peer.preshared_key ? tr("  peer     {name}, tunnel {address}, with a preshared key")
                                   : tr("  peer     {name}, tunnel {address}"),
                {{"name", peer.name}, {"address", vpn::format_ipv4(peer.tunnel_address)}})
        << "\n";
    if (!dry) {
      out << fill(tr("           public key {key}"), {{"key", peer.keys.public_key}}) << "\n";
    }
    if (show) {
      out << fill(tr("           private key {key}"), {{"key", peer.keys.private_key.reveal()}}) << "\n";
      if (peer.preshared_key) {
        out << fill(tr("           preshared key {key}"), {{"key", peer.preshared_key->reveal()}}) << "\n";
      }
    }
  }
  if (p.plan.empty()) {
    out << fill(tr("  box      UDP port {port} is already forwarded to {host}: nothing to change"),
                {{"port", std::to_string(p.forward.external_port)}, {"host", p.forward.internal_host}})
        << "\n";
  } else {
    out << fill(tr("  box      {change}"), {{"change", p.plan.front().summary}}) << "\n";
  }
}

// `requests`: what a dry run would send. Keys are null in a dry run (never used).
nlohmann::json to_json(const Prepared& p, const vpn::WrittenFiles* files, const std::string& backup,
                       const std::string& outcome, const std::vector<std::string>& requests = {}) {
  const vpn::WgSetup& s = p.setup;
  bool dry = outcome == "dry-run";
  bool show = vpn_opts().show_secrets && !dry;
  auto key = [dry](const std::string& k) { return dry ? nlohmann::json() : nlohmann::json(k); };
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& peer : s.peers) {
    nlohmann::json j = {{"name", peer.name},
                        {"address", vpn::format_ipv4(peer.tunnel_address)},
                        {"public_key", key(peer.keys.public_key)},
                        {"preshared_key", peer.preshared_key.has_value()}};
    if (show) {
      j["private_key"] = peer.keys.private_key.reveal();
    }
    peers.push_back(j);
  }
  nlohmann::json server = {{"host", s.server.lan_host},
                           {"port", s.server.listen_port},
                           {"address", vpn::format_ipv4(s.server.tunnel_address)},
                           {"public_key", key(s.server.keys.public_key)}};
  if (show) {
    server["private_key"] = s.server.keys.private_key.reveal();
  }
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& a : p.plan) {
    plan.push_back(bw::to_json(a));
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : p.warnings) {
    warnings.push_back(valid_utf8(w));
  }
  return {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
          {"command", "vpn setup"},
          {"gateway", {{"address", p.state.address}, {"vendor", p.state.vendor}, {"external_ip", valid_utf8(p.state.external_ip)}}},
          {"lan", s.lan.to_string()},
          {"tunnel", s.tunnel.to_string()},
          {"endpoint", valid_utf8(vpn::endpoint_text(s.endpoint_host, s.endpoint_port))},
          {"server", server},
          {"peers", peers},
          {"forward", bw::to_json(p.forward)},
          {"plan", plan},
          {"files", files ? nlohmann::json(files->paths) : nlohmann::json::array()},
          {"backup", backup.empty() ? nlohmann::json() : nlohmann::json(backup)},
          {"outcome", outcome},
          {"requests", requests},
          {"warnings", warnings}};
}

// QR codes on stdout: only for someone at a terminal, or when secrets were asked for.
// Returns whether they were printed.
bool print_qr_codes(App& app, const Prepared& p) {
  auto& out = app.out();
  bool terminal = app.opt().output.empty() && isatty(STDOUT_FILENO);
  if (!terminal && !vpn_opts().show_secrets) {
    out << "\n" << tr("No QR code here: the output is not a terminal and they hold private keys.\n"
                     "Open the .png files, or add --show-secrets.")
        << "\n";
    return false;
  }
  vpn::QrStyle style = app.color() ? vpn::QrStyle::colors : vpn::QrStyle::plain;
  for (const auto& peer : p.setup.peers) {
    std::string text = vpn::client_config(p.setup, peer, vpn::Keys::reveal);
    out << "\n" << fill(tr("QR code for {name} (scan it with the WireGuard app: +, \"Scan from QR code\"):"), {{"name", peer.name}})
        << "\n";
    out << vpn::qr_terminal(vpn::qr_encode(text), style);
  }
  return true;
}

ExitCode setup(App& app) {
  bool json = app.opt().format == Format::json;
  vpn::SetupRequest request = request_from_options();  // usage errors before any network
  vpn::check_out_dir(request.out_dir, request.peers);
  Discovered found = app.discover();
  if (!app.opt().dry_run) {
    app.lock_box_on_connect();  // one run per box
  }
  auto box = app.connect(found);
  app.progress(tr("reading the box"));
  RouterState state = box->read_state();
  if (vpn::server_choice(box->capabilities(), state, vpn_opts().server, request) == vpn::ServerSide::box) {
    return setup_on_box(app, *box, state, BoxVpnRequest{std::move(request), vpn_opts().port != -1});
  }
  Prepared p = prepare(app, *box, found, std::move(request), std::move(state));
  for (const auto& w : p.warnings) {
    app.note(fill(tr("warning: {text}"), {{"text", w}}));
  }
  if (!json) {
    print_summary(app, p);
  }
  if (app.opt().dry_run) {
    std::vector<std::string> requests;
    for (const auto& a : p.plan) {
      for (const auto& req : box->rehearse(a)) {
        requests.push_back(valid_utf8(req));
      }
    }
    if (json) {
      app.out() << stamped(to_json(p, nullptr, "", "dry-run", requests), app.opt().site).dump(2) << "\n";
    } else {
      print_would_send(app, requests);
    }
    return ExitCode::ok;
  }
  if (!go_ahead(app, N_("Write the files and change the box now? A backup is saved first."))) {
    return ExitCode::ok;
  }
  interrupt::ChangeScope changing;  // a signal from here on: no new change, undo, no file kept, exit 5
  vpn::WrittenFiles files = vpn::write_setup_files(p.request.out_dir, p.setup);
  std::string backup_path;
  std::optional<ExecutionReport> e;
  if (!p.plan.empty()) {
    Backup backup;
    backup.gateway = p.state.address;
    backup.profile = app.opt().profile;
    backup.state = p.state;
    backup.plan = p.plan;
    try {
      backup_path = app.backups().save(backup);
    } catch (const Error&) {
      vpn::remove_written(files);
      throw;
    }
    e = execute(*box, p.plan, [&](const std::string& s) { app.progress(s); }, Patience{&app.deadline()});
    try {  // the backup was saved "in-progress": say what became of the change
      app.backups().set_outcome(backup_path, backup_outcome_for(e->outcome));
    } catch (const Error& err) {
      app.note(fill(tr("could not record the outcome in the backup: {error}"), {{"error", err.what()}}));
    }
  }
  Outcome outcome = e ? e->outcome : Outcome::nothing_to_do;
  if (outcome == Outcome::nothing_to_do && interrupt::signal_number() != 0) {
    outcome = Outcome::interrupted;  // nothing to change on the box: only the files to take back
  }
  bool failed = outcome == Outcome::rolled_back || outcome == Outcome::rollback_failed ||
                outcome == Outcome::interrupted;
  if (failed) {
    vpn::remove_written(files);  // keys nobody can reach: start again clean
  }
  changing.finished();
  journal_change(app, "vpn", p.state, p.plan, e, backup_path);
  std::string outcome_name = outcome == Outcome::applied           ? "applied"
                             : outcome == Outcome::nothing_to_do   ? "already-forwarded"
                             : outcome == Outcome::rolled_back     ? "rolled-back"
                             : outcome == Outcome::interrupted     ? "interrupted"
                                                                   : "rollback-failed";
  if (json) {
    nlohmann::json doc = to_json(p, failed ? nullptr : &files, backup_path, outcome_name);
    app.out() << stamped(std::move(doc), app.opt().site).dump(2) << "\n";
  } else {
    auto& out = app.out();
    if (!backup_path.empty()) {
      out << "\n" << fill(tr("Saved the box's current settings to {file}"), {{"file", backup_path}}) << "\n";
    }
    if (e) {
      for (const auto& st : e->steps) {
        out << "  " << (st.ok ? app.paint(tr("done"), "32") : app.paint(tr("FAILED"), "1;31")) << "  "
            << printable(st.summary, 200) << (st.ok ? "" : ": " + printable(st.error, 300)) << "\n";
      }
    }
    if (outcome == Outcome::applied) {
      out << fill(tr("The box was re-read: UDP port {port} goes to {host}, and nothing else was opened."),
                  {{"port", std::to_string(p.forward.external_port)}, {"host", p.forward.internal_host}})
          << "\n";
    }
  }
  if (outcome == Outcome::interrupted) {
    std::cerr << "boxwarden: "
              << fill(tr("{signal}: the box was put back as it was and checked, and no file was kept"),
                      {{"signal", interrupt::interrupted_by()}})
              << "\n";
    return ExitCode::rolled_back;
  }
  if (outcome == Outcome::rolled_back) {
    std::cerr << "boxwarden: "
              << fill(tr("error: the box refused the forward ({error}); it was put back as it was and no file was kept"),
                      {{"error", printable(e->failure, 300)}})
              << "\n";
    return ExitCode::rolled_back;
  }
  if (outcome == Outcome::rollback_failed) {
    std::cerr << "boxwarden: "
              << fill(tr("error: the forward failed and could not be undone; backup: {file}"), {{"file", backup_path}})
              << "\n";
    return ExitCode::rollback_failed;
  }
  if (!json) {
    auto& out = app.out();
    out << "\n" << tr("Files (only you can read them; they hold private keys):") << "\n";
    for (const auto& path : files.paths) {
      out << "  " << path << "\n";
    }
    bool qr_shown = print_qr_codes(app, p);
    out << "\n" << tr("What to do now") << "\n";
    out << vpn::server_instructions(p.setup, p.request.out_dir, p.server_is_here);
    out << vpn::client_instructions(p.setup, p.request.out_dir, qr_shown);
    if (!backup_path.empty()) {
      out << fill(tr("To remove the forward from the box: boxwarden rollback {file}"), {{"file", backup_path}}) << "\n";
    }
  }
  profile_note(app, p);
  return ExitCode::ok;
}

}  // namespace

void vpn_options(po::options_description& d) {
  VpnOptions& o = vpn_opts();
  d.add_options()
      ("peer", po::value(&o.peers)->value_name("NAME"),
       tr("a phone or computer that will connect (repeat for each; names its files)"))
      ("out", po::value(&o.out)->value_name("DIR")->default_value(o.out),
       tr("where the configurations go (created with mode 0700; nothing is overwritten)"))
      ("host", po::value(&o.host)->value_name("IP"),
       tr("LAN address of the computer that will run the WireGuard server (default: this computer)"))
      ("port", po::value(&o.port)->value_name("N")->default_value(-1, "51820"),
       tr("UDP port of the server, forwarded on the box (on the box's own server: the port the box chose)"))
      ("server", po::value(&o.server)->value_name("WHERE")->default_value(o.server),
       tr("where the WireGuard server runs: box (the box's own VPN server, no forward needed), lan (a computer of the "
          "LAN, behind a forward), auto (the box when it has one)"))
      ("subnet", po::value(&o.subnet)->value_name("CIDR"),
       tr("tunnel subnet (default: a /24 that collides with nothing here, e.g. 10.253.0.0/24)"))
      ("endpoint", po::value(&o.endpoint)->value_name("HOST"),
       tr("address the clients connect to (default: the box's Internet address; a dynamic DNS name survives address changes)"))
      ("preshared-keys", po::bool_switch(&o.preshared_keys), tr("add a preshared key per peer (an extra symmetric layer)"))
      ("show-secrets", po::bool_switch(&o.show_secrets),
       tr("also print private keys, and the QR codes when the output is not a terminal"));
}

ExitCode cmd_vpn(App& app) {
  const std::string& sub = app.opt().args.at(0);
  if (sub == "setup") {
    return setup(app);
  }
  std::string hint = did_you_mean(sub, {"setup"});
  throw Error(ErrorKind::usage,
              hint.empty() ? fill(tr("'{word}' is not a vpn subcommand (see boxwarden vpn --help)"), {{"word", printable(sub, 40)}})
                           : fill(tr("'{word}' is not a vpn subcommand; did you mean '{hint}'? (see boxwarden vpn --help)"),
                                  {{"word", printable(sub, 40)}, {"hint", hint}}));
}

}  // namespace bw::cli
