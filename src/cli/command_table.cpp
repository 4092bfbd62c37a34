#include <array>

#include <boost/program_options.hpp>

#include "cli/command.hpp"
#include "core/i18n.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

void fail_on_option(po::options_description& d) {
  d.add_options()("fail-on", po::value<std::string>()->value_name("SEVERITY")->default_value("high"),
                  tr("exit 1 when a finding is at or above SEVERITY (info, low, medium, high, critical); "
                     "fix acts on those findings"));
}

void audit_options(po::options_description& d) {
  fail_on_option(d);
  d.add_options()("jobs", po::value<int>()->value_name("N")->default_value(8),
                  tr("with several -g: read at most N boxes at once (1 to 64)"));
}

void fleet_options(po::options_description& d) {
  d.add_options()("fail-on", po::value<std::string>()->value_name("SEVERITY")->default_value("high"),
                  tr("a site fails (exit 1, a JUnit failure) when its worst finding is at or above SEVERITY "
                     "(info, low, medium, high, critical)"));
}

const std::array<Command, 14> k_commands = {{
    {"discover", "", N_("find the box, identify vendor/model/firmware, list its APIs"), 0, 0, nullptr, cmd_discover},
    {"audit", "", N_("read the box and report findings against a profile"), 0, 0, audit_options, cmd_audit},
    {"plan", "", N_("print the remediation plan; changes nothing"), 0, 0, fail_on_option, cmd_plan},
    {"fix", "", N_("audit, plan, confirm, back up, apply, verify (one-shot)"), 0, 0, fail_on_option, cmd_fix},
    {"rollback", "[BACKUP]", N_("restore the state saved before a fix (default: the latest)"), 0, 1, nullptr,
     cmd_rollback},
    {"vpn", "setup", N_("set up safe remote access: WireGuard on one UDP port instead of open ports"), 1, 1,
     vpn_options, cmd_vpn},
    {"pair", "", N_("ask the box for an app token, confirmed by a person at the box (boxes that need one)"), 0, 0,
     nullptr, cmd_pair},
    {"profiles", "[NAME]", N_("list profiles, or show one"), 0, 1, nullptr, cmd_profiles},
    {"fleet", "FILE|DIR...", N_("one table from the reports of many boxes (JSON or JSON Lines files)"), 1, 100000,
     fleet_options, cmd_fleet},
    {"backups", "", N_("list saved backups"), 0, 0, nullptr, cmd_backups},
    {"history", "", N_("what the journal recorded: each exposure's first and last sighting, its closing, its reopenings"),
     0, 0, history_options, cmd_history},
    {"breach", "", N_("draft the facts a data breach notification asks for (GDPR Art. 33(3)), from the journal"), 0, 0,
     breach_options, cmd_breach},
    {"vendors", "", N_("list vendor plugins and their capabilities"), 0, 0, nullptr, cmd_vendors},
    {"forget-certificate", "HOST[:PORT]",
     N_("forget the certificate key pinned for a box, to accept its new certificate"), 1, 1, nullptr,
     cmd_forget_certificate},
}};

}  // namespace

std::span<const Command> commands() {
  return k_commands;
}

const Command* find_command(std::string_view name) {
  for (const auto& c : k_commands) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace bw::cli
