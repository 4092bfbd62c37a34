#include "cli/run.hpp"

#include <csignal>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/spell.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

po::options_description global_options(Options& o) {
  po::options_description d("Global options");
  d.add_options()
      ("gateway,g", po::value(&o.gateways)->value_name("HOST[:PORT]"),
       "the box's address (skips finding it); may be given several times for audit")
      ("vendor", po::value(&o.vendor)->value_name("ID")->default_value("auto"),
       "vendor plugin to use (see 'boxwarden vendors')")
      ("user,u", po::value(&o.user)->value_name("NAME"), "administrator user name on the box")
      ("password-file", po::value(&o.password_file)->value_name("FILE"),
       "read the box's password from the first line of FILE (mode 0600)")
      ("profile,p", po::value(&o.profile)->value_name("NAME|FILE")->default_value("home"),
       "hardening profile (see 'boxwarden profiles')")
      ("format", po::value<std::string>()->value_name("text|json")->default_value("text"),
       "output for people (text) or for scripts (json)")
      ("output,o", po::value(&o.output)->value_name("FILE"), "write the report to FILE instead of stdout")
      ("timeout", po::value(&o.timeout)->value_name("SECONDS")->default_value(60),
       "overall deadline for talking to the box")
      ("yes,y", po::bool_switch(&o.yes), "do not ask before changing the box")
      ("dry-run,n", po::bool_switch(&o.dry_run), "show what would be sent to the box; change nothing")
      ("state-dir", po::value(&o.state_dir)->value_name("DIR"),
       "where backups are kept (default $XDG_STATE_HOME/boxwarden)")
      ("verbose,v", po::bool_switch(&o.verbose), "say more about what is happening, on stderr")
      ("quiet,q", po::bool_switch(&o.quiet), "print only the report and errors")
      ("no-color", po::bool_switch(&o.no_color), "no colour in text output")
      ("help,h", "show help (for a command: boxwarden COMMAND --help)")
      ("version", "show the version");
  return d;
}

constexpr auto k_style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

void print_usage(std::ostream& os, const po::options_description& globals) {
  os << "Usage: boxwarden [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
        "Harden the Internet box: find what it exposes, judge it, fix it safely.\n\nCommands:\n";
  for (const auto& c : commands()) {
    std::string left = std::string(c.name) + (c.args.empty() ? "" : " " + std::string(c.args));
    os << "  " << left << std::string(left.size() < 20 ? 20 - left.size() : 1, ' ') << c.summary << "\n";
  }
  os << "\n" << globals << "\nExit status: 0 ok, 1 findings (or some remain after fix), 2 usage, "
        "3 box unreachable, 4 authentication, 5 fix failed and rolled back, 6 rollback failed.\n"
        "See man boxwarden.\n";
}

void print_command_help(std::ostream& os, const Command& c, const po::options_description& own,
                        const po::options_description& globals) {
  os << "Usage: boxwarden [GLOBAL OPTIONS] " << c.name << (c.args.empty() ? "" : " " + std::string(c.args))
     << (own.options().empty() ? "" : " [OPTIONS]") << "\n\n" << c.summary << "\n\n";
  if (!own.options().empty()) {
    os << own << "\n";
  }
  os << globals;
}

// Finds the command word: the first argument that is not an option or an option's value.
// An unknown option before it is returned in `unknown` (its value cannot be told apart).
int find_command_index(int argc, char** argv, const po::options_description& globals, std::string& unknown) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      return i + 1 < argc ? i + 1 : -1;
    }
    if (a.size() < 2 || a[0] != '-') {
      return i;
    }
    bool long_opt = a[1] == '-';
    std::string name = long_opt ? a.substr(2, a.find('=') - 2) : a.substr(0, 2);
    const po::option_description* d = globals.find_nothrow(name, false, false, false);
    if (d == nullptr) {
      unknown = long_opt ? a.substr(0, a.find('=')) : a.substr(0, 2);
      return -1;
    }
    bool attached = long_opt ? a.find('=') != std::string::npos : a.size() > 2;
    if (d != nullptr && d->semantic()->max_tokens() > 0 && !attached) {
      ++i;  // skip the value
    }
  }
  return -1;
}

std::vector<std::string> option_names(const po::options_description& d) {
  std::vector<std::string> names;
  for (const auto& o : d.options()) {
    names.push_back("--" + o->long_name());
  }
  return names;
}

int usage_error(const std::string& message) {
  std::cerr << "boxwarden: " << message << "\n";
  return static_cast<int>(ExitCode::usage);
}

int dispatch(int argc, char** argv) {
  Options o;
  po::options_description globals = global_options(o);
  std::string unknown;
  int ci = find_command_index(argc, argv, globals, unknown);
  if (!unknown.empty()) {
    for (const auto& c : commands()) {
      po::options_description own_opts;
      if (c.add_options) {
        c.add_options(own_opts);
      }
      if (own_opts.find_nothrow(unknown.substr(2), false, false, false) != nullptr) {
        return usage_error(unknown + " is an option of '" + std::string(c.name) +
                           "' (and of other commands that take it): put it after the command, e.g. boxwarden " +
                           std::string(c.name) + " " + unknown + " ...");
      }
    }
    std::string hint = did_you_mean(unknown, option_names(globals));
    return usage_error("unknown option " + unknown + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                       " (see boxwarden --help)");
  }
  const Command* cmd = nullptr;
  if (ci > 0) {
    cmd = find_command(argv[ci]);
    if (cmd == nullptr) {
      std::vector<std::string> names;
      for (const auto& c : commands()) {
        names.emplace_back(c.name);
      }
      std::string hint = did_you_mean(argv[ci], names);
      return usage_error(std::string("'") + argv[ci] + "' is not a command" +
                         (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (see boxwarden --help)");
    }
  }
  po::options_description own(cmd ? std::string(cmd->name) + " options" : std::string("options"));
  if (cmd && cmd->add_options) {
    cmd->add_options(own);
  }
  po::options_description all;
  all.add(globals).add(own);
  all.add_options()("args", po::value(&o.args));
  po::positional_options_description pos;
  pos.add("args", -1);

  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    if (i != ci) {
      rest.emplace_back(argv[i]);
    }
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(all).positional(pos).style(k_style).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::string bad = e.get_option_name();
    std::string hint = did_you_mean(bad, option_names(all));
    return usage_error("unknown option " + bad + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                       " (see boxwarden " + (cmd ? std::string(cmd->name) + " " : "") + "--help)");
  } catch (const po::error& e) {
    return usage_error(std::string(e.what()) + " (see boxwarden --help)");
  }
  if (vm.count("help")) {
    if (cmd) {
      print_command_help(std::cout, *cmd, own, globals);
    } else {
      print_usage(std::cout, globals);
    }
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "boxwarden " << BOXWARDEN_VERSION << "\n";
    return 0;
  }
  if (!cmd) {
    print_usage(std::cerr, globals);
    return static_cast<int>(ExitCode::usage);
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return usage_error("--format: '" + format + "' is not a format; use text or json");
  }
  o.format = format == "json" ? Format::json : Format::text;
  if (vm.count("fail-on")) {
    o.fail_on = vm["fail-on"].as<std::string>();
  }
  if (o.args.size() < cmd->min_args || o.args.size() > cmd->max_args) {
    return usage_error(std::string(cmd->name) + " takes " +
                       (cmd->max_args == 0 ? std::string("no arguments") : std::string(cmd->args)) +
                       " (see boxwarden " + std::string(cmd->name) + " --help)");
  }
  if (!(o.timeout > 0 && o.timeout <= 86400)) {
    return usage_error("--timeout: give a number of seconds above 0 and at most 86400");
  }
  if (o.gateways.size() > 1 && cmd->name != "audit") {
    return usage_error("--gateway may be given several times only for audit");
  }
  App app(std::move(o));
  return static_cast<int>(cmd->handler(app));
}

}  // namespace

int run(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return dispatch(argc, argv);
  } catch (const Error& e) {
    std::cerr << "boxwarden: error: " << e.what() << "\n";
    return static_cast<int>(exit_code_for(e.kind()));
  } catch (const std::exception& e) {
    std::cerr << "boxwarden: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::unreachable);
  }
}

}  // namespace bw::cli
