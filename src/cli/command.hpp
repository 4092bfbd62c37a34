// The command table (STYLE.md rule 1): name, one-line summary, arguments, extra options
// and handler sit together, so --help and dispatch cannot disagree.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "core/error.hpp"

namespace bw::cli {

class App;

struct Command {
  std::string_view name;
  std::string_view args;      // synopsis of positional arguments, e.g. "[BACKUP]"
  std::string_view summary;
  size_t min_args = 0;
  size_t max_args = 0;
  std::function<void(boost::program_options::options_description&)> add_options;  // may be empty
  std::function<ExitCode(App&)> handler;
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);

// Handlers, one file each (cmd_<name>.cpp).
ExitCode cmd_discover(App& app);
ExitCode cmd_audit(App& app);
ExitCode cmd_plan(App& app);
ExitCode cmd_fix(App& app);
ExitCode cmd_rollback(App& app);
ExitCode cmd_profiles(App& app);
ExitCode cmd_backups(App& app);
ExitCode cmd_vendors(App& app);
ExitCode cmd_vpn(App& app);
ExitCode cmd_forget_certificate(App& app);
ExitCode cmd_pair(App& app);
ExitCode cmd_fleet(App& app);
ExitCode cmd_history(App& app);
ExitCode cmd_breach(App& app);
void vpn_options(boost::program_options::options_description& d);  // cmd_vpn.cpp
void history_options(boost::program_options::options_description& d);  // cmd_history.cpp
void breach_options(boost::program_options::options_description& d);   // cmd_breach.cpp

}  // namespace bw::cli
