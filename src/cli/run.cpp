#include "cli/run.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <streambuf>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "cli/failure.hpp"
#include "cli/spell.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

po::options_description global_options(Options& o) {
  po::options_description d(tr("Global options"));
  d.add_options()
      ("gateway,g", po::value(&o.gateways)->value_name("HOST[:PORT]"),
       tr("the box's address (skips finding it); may be given several times for audit (boxes read concurrently)"))
      ("vendor", po::value(&o.vendor)->value_name("ID")->default_value("auto"),
       tr("vendor plugin to use (see 'boxwarden vendors')"))
      ("user,u", po::value(&o.user)->value_name("NAME"), tr("administrator user name on the box"))
      ("password-file", po::value(&o.password_file)->value_name("FILE"),
       tr("read the box's password from the first line of FILE (mode 0600)"))
      ("ca-file", po::value(&o.ca_file)->value_name("FILE"),
       tr("also trust the CA certificates (PEM) in FILE for a box's HTTPS API (default $BOXWARDEN_CA_FILE)"))
      ("profile,p", po::value(&o.profile)->value_name("NAME|FILE")->default_value("home"),
       tr("hardening profile (see 'boxwarden profiles')"))
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("text"),
       tr("output for people (text) or for scripts (json); audit also jsonl (one line per box); "
          "audit, fix and history also html (a page to keep and print); fleet also csv, html, junit"))
      ("output,o", po::value(&o.output)->value_name("FILE"), tr("write the report to FILE instead of stdout"))
      ("timeout", po::value(&o.timeout)->value_name("SECONDS")->default_value(60),
       tr("overall deadline for talking to the box (to each box, with several -g)"))
      ("yes,y", po::bool_switch(&o.yes), tr("do not ask before changing the box"))
      ("dry-run,n", po::bool_switch(&o.dry_run), tr("show what would be sent to the box; change nothing"))
      ("state-dir", po::value(&o.state_dir)->value_name("DIR"),
       tr("where backups are kept (default $XDG_STATE_HOME/boxwarden)"))
      ("verbose,v", po::bool_switch(&o.verbose), tr("say more about what is happening, on stderr"))
      ("quiet,q", po::bool_switch(&o.quiet), tr("print only the report and errors"))
      ("no-color", po::bool_switch(&o.no_color), tr("no colour in text output"))
      ("site", po::value(&o.site)->value_name("LABEL"),
       tr("name of the site, put in every JSON document (\"site\"); 1 to 64 characters"))
      ("no-input", po::bool_switch(&o.no_input),
       tr("never ask anything, even on a terminal (fail where a question would be asked)"))
      ("help,h", tr("show help (for a command: boxwarden COMMAND --help)"))
      ("version", tr("show the version"));
  return d;
}

constexpr auto k_style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

void print_usage(std::ostream& os, const po::options_description& globals) {
  os << tr("Usage: boxwarden [GLOBAL OPTIONS] COMMAND [OPTIONS]") << "\n\n"
     << tr("Harden the Internet box: find what it exposes, judge it, fix it safely.") << "\n\n"
     << tr("Commands:") << "\n";
  for (const auto& c : commands()) {
    std::string left = std::string(c.name) + (c.args.empty() ? "" : " " + std::string(c.args));
    // A name too long for the column gets its summary on the next line, in the column.
    os << "  " << left << (left.size() < 20 ? std::string(20 - left.size(), ' ') : "\n" + std::string(22, ' '))
       << tr(std::string(c.summary).c_str()) << "\n";
  }
  os << "\n" << globals << "\n"
     << tr("Exit status: 0 ok, 1 findings (or some remain after fix), 2 usage, 3 box unreachable,\n"
           "  4 authentication, 5 fix failed and rolled back, 6 rollback failed, 70 internal error (a bug),\n"
           "  75 box busy (another run holds its lock), 128+n a signal stopped it before any change.\n"
           "See man boxwarden.\n");
}

void print_command_help(std::ostream& os, const Command& c, const po::options_description& own,
                        const po::options_description& globals) {
  std::string synopsis = std::string(c.name) + (c.args.empty() ? "" : " " + std::string(c.args));
  os << fill(own.options().empty() ? tr("Usage: boxwarden [GLOBAL OPTIONS] {command}")
                                   : tr("Usage: boxwarden [GLOBAL OPTIONS] {command} [OPTIONS]"),
             {{"command", synopsis}})
     << "\n\n" << tr(std::string(c.summary).c_str()) << "\n\n";
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

// Error messages may quote the box (a model name, a fault string) or the command line:
// escaped and bounded like any untrusted text before they reach the terminal.
constexpr size_t k_message_chars = 500;

// The option named `key` ("format", or "-o" for a short one) among the globals and, once the
// command word is known, the command's own options; null when there is none.
const po::option_description* find_option(const std::string& key, const po::options_description& globals,
                                          const po::options_description* own) {
  const po::option_description* d = globals.find_nothrow(key, false, false, false);
  return d != nullptr || own == nullptr ? d : own->find_nothrow(key, false, false, false);
}

// Reads --format, --output and the command word from argv before the parser runs (the parser
// may be what fails), so that every failure is reported where the report would have gone.
// Exact option names only, as the parser; a word is skipped as a value when the option before
// it takes one. The parsed options replace what this finds once the parser succeeded.
void prescan(int argc, char** argv, const po::options_description& globals, FailureReport& report) {
  std::optional<std::string> format;
  bool seen_word = false;
  po::options_description own;
  const po::options_description* own_ptr = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      break;  // only arguments follow
    }
    if (a.size() < 2 || a[0] != '-') {
      if (!seen_word) {
        seen_word = true;
        if (const Command* c = find_command(a); c != nullptr) {
          report.command = c->name;
          if (c->add_options) {
            c->add_options(own);
            own_ptr = &own;
          }
        }
      }
      continue;
    }
    bool long_opt = a[1] == '-';
    size_t eq = a.find('=');
    std::string key = long_opt ? a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2) : a.substr(0, 2);
    bool attached = long_opt ? eq != std::string::npos : a.size() > 2;
    std::string value = attached ? (long_opt ? a.substr(eq + 1) : a.substr(2)) : (i + 1 < argc ? argv[i + 1] : "");
    const po::option_description* d = find_option(key, globals, own_ptr);
    if (d != nullptr && d->semantic()->max_tokens() > 0 && !attached) {
      ++i;
    }
    if (key == "format") {
      format = value;
    } else if (key == "output" || key == "-o") {
      report.output = value;
    } else if (key == "site" && site_label_problem(value).empty()) {
      report.site = value;  // a bad label is the usage error; the document then says null
    }
  }
  // Any format but text: a script asked for a machine format, so it gets the JSON document
  // that says why there is no report (an unknown format is a usage error, exit 2).
  report.json = format.has_value() && *format != "text";
  report.lines = format.has_value() && *format == "jsonl";
}

// The one-line message of an error: escaped and bounded; a bug (ErrorKind::internal, or any
// exception that is not an Error) says so and how to report it.
std::string shown_message(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  std::string what = printable(e.what(), k_message_chars);
  return error != nullptr && error->kind() != ErrorKind::internal ? what : internal_error_message(what);
}

std::string shown_message() {
  return internal_error_message("an exception that is not a std::exception");
}

int usage_error(FailureReport& report, const std::string& message) {
  std::string shown = printable(message, k_message_chars);
  print_error_line(shown);
  report_failure(report, nullptr, ExitCode::usage, kind_name(ErrorKind::usage), shown);
  return static_cast<int>(ExitCode::usage);
}

// For tests only (man page ENVIRONMENT): BOXWARDEN_TEST_INTERNAL_ERROR=exception or =error
// makes the command fail as a bug would, after the options are read and before the command
// starts, so before anything is sent to a box. Tests check exit 70 and its message with it.
void test_internal_error_hook() {
  const char* hook = std::getenv("BOXWARDEN_TEST_INTERNAL_ERROR");
  if (hook == nullptr || *hook == '\0') {
    return;
  }
  if (std::string_view(hook) == "error") {
    throw Error(ErrorKind::internal, "BOXWARDEN_TEST_INTERNAL_ERROR=error (a test)");
  }
  throw std::logic_error("BOXWARDEN_TEST_INTERNAL_ERROR is set (a test)");
}

int dispatch(int argc, char** argv, FailureReport& je) {
  Options o;
  po::options_description globals = global_options(o);
  prescan(argc, argv, globals, je);
  std::string unknown;
  int ci = find_command_index(argc, argv, globals, unknown);
  if (!unknown.empty()) {
    for (const auto& c : commands()) {
      po::options_description own_opts;
      if (c.add_options) {
        c.add_options(own_opts);
      }
      // "--name" is looked up as "name", a short "-x" as itself.
      std::string key = unknown.starts_with("--") ? unknown.substr(2) : unknown;
      if (own_opts.find_nothrow(key, false, false, false) != nullptr) {
        return usage_error(je, fill(tr("{option} is an option of '{command}' (and of other commands that take it): "
                                       "put it after the command, e.g. boxwarden {command} {option} ..."),
                                    {{"option", unknown}, {"command", c.name}}));
      }
    }
    std::string hint = did_you_mean(unknown, option_names(globals));
    return usage_error(je, hint.empty() ? fill(tr("unknown option {option} (see boxwarden --help)"), {{"option", unknown}})
                                        : fill(tr("unknown option {option}; did you mean {hint}? (see boxwarden --help)"),
                                               {{"option", unknown}, {"hint", hint}}));
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
      return usage_error(je, hint.empty() ? fill(tr("'{word}' is not a command (see boxwarden --help)"), {{"word", argv[ci]}})
                                          : fill(tr("'{word}' is not a command; did you mean '{hint}'? (see boxwarden --help)"),
                                                 {{"word", argv[ci]}, {"hint", hint}}));
    }
  }
  po::options_description own(cmd ? fill(tr("{command} options"), {{"command", cmd->name}}) : std::string(tr("options")));
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
    std::string help = cmd ? "boxwarden " + std::string(cmd->name) + " --help" : std::string("boxwarden --help");
    return usage_error(je, hint.empty() ? fill(tr("unknown option {option} (see {help})"), {{"option", bad}, {"help", help}})
                                        : fill(tr("unknown option {option}; did you mean {hint}? (see {help})"),
                                               {{"option", bad}, {"hint", hint}, {"help", help}}));
  } catch (const po::error& e) {
    return usage_error(je, fill(tr("{problem} (see boxwarden --help)"), {{"problem", e.what()}}));
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
    std::cerr << "\n";
    return usage_error(je, tr("no command given: name one (see boxwarden --help)"));
  }
  std::string format = vm["format"].as<std::string>();
  // text and json for every command; jsonl for audit; html for audit, fix, history, breach and
  // fleet; csv and junit for fleet.
  const std::vector<std::pair<std::string, Format>> formats = {
      {"text", Format::text}, {"json", Format::json}, {"jsonl", Format::jsonl},
      {"csv", Format::csv},   {"html", Format::html}, {"junit", Format::junit}};
  // The formats of this command, in words a person reads (translated) and that the check reads.
  const char* allowed = cmd->name == "audit"   ? N_("text, json, jsonl or html")
                        : cmd->name == "fleet" ? N_("text, json, csv, html or junit")
                        : cmd->name == "fix" || cmd->name == "history" || cmd->name == "breach" ? N_("text, json or html")
                                               : N_("text or json");
  std::string shown = tr(allowed);
  auto f = std::find_if(formats.begin(), formats.end(), [&](const auto& e) { return e.first == format; });
  if (f == formats.end() || std::string_view(allowed).find(format) == std::string_view::npos) {
    return usage_error(je, fill(tr("--format: '{format}' is not a format of {command}; use {formats}"),
                                {{"format", format}, {"command", cmd->name}, {"formats", shown}}));
  }
  o.format = f->second;
  je.json = o.format != Format::text;
  je.lines = o.format == Format::jsonl;
  je.command = cmd->name;
  je.output = o.output;
  if (vm.count("fail-on")) {
    o.fail_on = vm["fail-on"].as<std::string>();
  }
  if (vm.count("jobs")) {
    o.jobs = vm["jobs"].as<int>();
  }
  if (o.args.size() < cmd->min_args || o.args.size() > cmd->max_args) {
    return usage_error(je, cmd->max_args == 0
                               ? fill(tr("{command} takes no arguments (see boxwarden {command} --help)"), {{"command", cmd->name}})
                               : fill(tr("{command} takes {args} (see boxwarden {command} --help)"),
                                      {{"command", cmd->name}, {"args", cmd->args}}));
  }
  if (!(o.timeout > 0 && o.timeout <= 86400)) {
    return usage_error(je, tr("--timeout: give a number of seconds above 0 and at most 86400"));
  }
  if (vm.count("site")) {
    if (std::string problem = site_label_problem(o.site); !problem.empty()) {
      return usage_error(je, fill(tr("--site: {problem}; give a label of 1 to 64 printable characters, e.g. --site clinic-lyon"),
                                  {{"problem", problem}}));
    }
  }
  je.site = o.site;
  if (o.gateways.size() > 1 && cmd->name != "audit") {
    return usage_error(je, tr("--gateway may be given several times only for audit"));
  }
  test_internal_error_hook();
  App app(std::move(o));
  try {
    ExitCode code = cmd->handler(app);
    je.written = true;  // the command printed its own document (fix and vpn: even on exit 5/6)
    return static_cast<int>(code);
  } catch (const Error& e) {
    // While the App is alive: its --output file may be open already.
    report_failure(je, &app, exit_code_for(e.kind()), kind_name(e.kind()), shown_message(e));
    throw;
  } catch (const std::exception& e) {
    report_failure(je, &app, ExitCode::internal, kind_name(ErrorKind::internal), shown_message(e));
    throw;
  } catch (...) {
    report_failure(je, &app, ExitCode::internal, kind_name(ErrorKind::internal), shown_message());
    throw;
  }
}

}  // namespace

int run(int argc, char** argv) {
  start_translations();  // LC_MESSAGES and LC_CTYPE only
  std::signal(SIGPIPE, SIG_IGN);
  // Counts stdout for the JSON error document; std::cout gets its own buffer back on return.
  CountingBuf counting(std::cout.rdbuf());
  struct Restore {
    std::streambuf* buf;
    ~Restore() {
      std::cout.flush();
      std::cout.rdbuf(buf);
    }
  } restore{std::cout.rdbuf(&counting)};
  FailureReport report;
  report.stdout_count = &counting;
  // Every failure ends here or in usage_error(): one line with the one prefix on stderr, the
  // error document (or line) where the report goes if not written yet, the documented code.
  auto fail = [&](ExitCode code, ErrorKind kind, const std::string& message) {
    print_error_line(message);
    report_failure(report, nullptr, code, kind_name(kind), message);
    return static_cast<int>(code);
  };
  try {
    return dispatch(argc, argv, report);
  } catch (const Error& e) {
    return fail(exit_code_for(e.kind()), e.kind(), shown_message(e));
  } catch (const std::exception& e) {
    return fail(ExitCode::internal, ErrorKind::internal, shown_message(e));
  } catch (...) {
    return fail(ExitCode::internal, ErrorKind::internal, shown_message());
  }
}

}  // namespace bw::cli
